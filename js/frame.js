/* Inside Guichet's pages. Optional: every page works without JavaScript.
   - When shown in an iframe, tells the parent page its height, so the town's
     embed.js can size the iframe (no scroll bar inside the town's page).
   - Moves focus to the error summary after a refused submission.
   - Shows the "print" button of the acknowledgement.
   - Forms: hides a conditional field until the field it depends on has one
     of its values (the server ignores it otherwise); adds and removes the
     rows of a repeating group in place (without script, the same buttons
     post the form back and it returns with the rows changed); shows an
     appointment's free slots as soon as its date changes (without script,
     a button posts the form back to show them). */
(function () {
  "use strict";
  function postHeight() {
    if (window.parent === window) return;
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    window.parent.postMessage({ guichet: "height", height: height, href: location.pathname }, "*");
  }
  // The values the controls named `name` have now.
  function valuesOf(form, name) {
    var out = [];
    var controls = form.querySelectorAll("[name]");
    for (var i = 0; i < controls.length; i++) {
      var c = controls[i];
      if (c.name !== name) continue;
      if (c.type === "checkbox" && c.value === "true" && !c.closest(".choices")) {
        out.push(c.checked ? "true" : "false");
      } else if (c.type === "radio" || c.type === "checkbox") {
        if (c.checked) out.push(c.value);
      } else if (c.value !== "") {
        out.push(c.value);
      }
    }
    return out;
  }

  function applyConditions(form) {
    var fields = form.querySelectorAll("[data-when]");
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      var wanted = f.getAttribute("data-equals").split(" ");
      var given = valuesOf(form, f.getAttribute("data-when"));
      var shown = given.some(function (v) { return wanted.indexOf(v) >= 0; });
      // A field inside a hidden one stays hidden with it.
      f.hidden = !shown;
    }
    postHeight();
  }

  // Gives the rows of a group the numbers of their places: names
  // GROUP.N.FIELD, ids f-GROUP-N-FIELD, legends "Label — N".
  function renumber(group) {
    var name = group.getAttribute("data-rows").replace(/\//g, ".");
    var id = group.id;
    var rows = group.querySelectorAll(":scope > .row");
    for (var i = 0; i < rows.length; i++) {
      var n = String(i + 1);
      var old = rows[i].getAttribute("data-row");
      var byName = new RegExp("^" + name.replace(/\./g, "\\.") + "\\." + old + "(?=\\.|$)");
      var byId = new RegExp("^" + id + "-" + old + "(?=-|$)");
      rows[i].setAttribute("data-row", n);
      var all = [rows[i]].concat(Array.prototype.slice.call(rows[i].querySelectorAll("*")));
      all.forEach(function (el) {
        ["name", "value", "data-when"].forEach(function (a) {
          var v = el.getAttribute(a);
          if (v && (a !== "value" || el.hasAttribute("data-remove-row"))) el.setAttribute(a, v.replace(byName, name + "." + n));
        });
        ["id", "for"].forEach(function (a) {
          var v = el.getAttribute(a);
          if (v) el.setAttribute(a, v.replace(byId, id + "-" + n));
        });
        var d = el.getAttribute("aria-describedby");
        if (d) el.setAttribute("aria-describedby", d.split(" ").map(function (x) { return x.replace(byId, id + "-" + n); }).join(" "));
      });
      var legend = rows[i].querySelector(":scope > legend");
      if (legend) legend.textContent = legend.textContent.replace(/\d+$/, n);
    }
    var max = parseInt(group.getAttribute("data-max"), 10);
    var add = group.querySelector(":scope > p > [data-add-row]");
    if (add) add.parentNode.hidden = rows.length >= max;
    var removes = group.querySelectorAll(":scope > .row > p > [data-remove-row]");
    var min = Math.max(parseInt(group.getAttribute("data-min"), 10) || 0, 1);
    for (var j = 0; j < removes.length; j++) removes[j].parentNode.hidden = rows.length <= min;
  }

  function addRow(group) {
    var rows = group.querySelectorAll(":scope > .row");
    var last = rows[rows.length - 1];
    var row = last.cloneNode(true);
    Array.prototype.forEach.call(row.querySelectorAll(".error-message"), function (e) { e.remove(); });
    Array.prototype.forEach.call(row.querySelectorAll(".has-error"), function (e) { e.classList.remove("has-error"); });
    Array.prototype.forEach.call(row.querySelectorAll("input, select, textarea"), function (c) {
      c.removeAttribute("aria-invalid");
      if (c.type === "checkbox" || c.type === "radio") c.checked = false;
      else if (c.tagName === "SELECT") c.selectedIndex = 0;
      else c.value = "";
    });
    if (!row.querySelector("[data-remove-row]")) {
      var model = group.querySelector("[data-remove-row]");
      if (model) row.appendChild(model.parentNode.cloneNode(true));
    }
    last.parentNode.insertBefore(row, last.nextSibling);
    renumberClone(group, row, rows.length + 1);
    renumber(group);
    var first = row.querySelector("input, select, textarea");
    if (first) first.focus();
  }

  // The clone's names and ids carry the last row's number: give it N.
  function renumberClone(group, row, n) {
    var name = group.getAttribute("data-rows").replace(/\//g, ".");
    var id = group.id;
    var byName = new RegExp("^" + name.replace(/\./g, "\\.") + "\\.\\d+(?=\\.|$)");
    var byId = new RegExp("^" + id + "-\\d+(?=-|$)");
    var all = [row].concat(Array.prototype.slice.call(row.querySelectorAll("*")));
    all.forEach(function (el) {
      ["name", "data-when"].forEach(function (a) {
        var v = el.getAttribute(a);
        if (v) el.setAttribute(a, v.replace(byName, name + "." + n));
      });
      if (el.hasAttribute("data-remove-row")) el.value = name + "." + n;
      ["id", "for"].forEach(function (a) {
        var v = el.getAttribute(a);
        if (v) el.setAttribute(a, v.replace(byId, id + "-" + n));
      });
      var d = el.getAttribute("aria-describedby");
      if (d) el.setAttribute("aria-describedby", d.split(" ").map(function (x) { return x.replace(byId, id + "-" + n); }).join(" "));
    });
    row.setAttribute("data-row", String(n));
  }

  // An appointment's free slots for the date (and resource) entered, from
  // the service's slots address (a free-slots view document).
  function refreshSlots(form, box) {
    var date = valuesOf(form, box.getAttribute("data-date-field"))[0];
    if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return;
    var url = box.getAttribute("data-slots");
    url += (url.indexOf("?") >= 0 ? "&" : "?") + "date=" + encodeURIComponent(date);
    var resourceField = box.getAttribute("data-resource-field");
    if (resourceField) {
      var resource = valuesOf(form, resourceField)[0];
      if (resource) url += "&resource=" + encodeURIComponent(resource);
    }
    fetch(url, { headers: { Accept: "application/xml" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, "application/xml");
        var ns = "urn:guichet:view:1";
        var note = doc.getElementsByTagNameNS(ns, "note")[0];
        var slots = Array.prototype.map.call(doc.getElementsByTagNameNS(ns, "slot"), function (s) { return s.textContent; });
        box.querySelector("[data-slots-note]").textContent = note ? note.textContent : "";
        var list = box.querySelector("[data-slots-list]");
        var datalist = box.querySelector("datalist");
        list.textContent = "";
        datalist.textContent = "";
        slots.forEach(function (t) {
          var li = document.createElement("li");
          li.textContent = t;
          list.appendChild(li);
          var option = document.createElement("option");
          option.value = t;
          datalist.appendChild(option);
        });
        list.hidden = slots.length === 0;
        postHeight();
      })
      .catch(function () { /* the button still shows them */ });
  }

  function setUpForm(form) {
    form.addEventListener("change", function (event) {
      applyConditions(form);
      Array.prototype.forEach.call(form.querySelectorAll("[data-slots]"), function (box) {
        var name = event.target.name;
        if (name === box.getAttribute("data-date-field") || name === box.getAttribute("data-resource-field")) refreshSlots(form, box);
      });
    });
    form.addEventListener("click", function (event) {
      var button = event.target.closest("[data-add-row], [data-remove-row]");
      if (!button) return;
      event.preventDefault();
      var group = button.closest("[data-rows]");
      if (button.hasAttribute("data-add-row")) {
        addRow(group);
      } else {
        var row = button.closest(".row");
        var next = row.nextElementSibling;
        row.remove();
        renumber(group);
        var focus = (next && next.classList.contains("row") ? next : group).querySelector("input, select, textarea, button");
        if (focus) focus.focus();
      }
      applyConditions(form);
    });
    Array.prototype.forEach.call(form.querySelectorAll("[data-rows]"), renumber);
    applyConditions(form);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("form");
    if (form && form.querySelector("[data-when], [data-rows], [data-slots]")) setUpForm(form);
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
    var print = document.querySelector("[data-print]");
    if (print) {
      print.hidden = false;
      print.addEventListener("click", function () { window.print(); });
    }
    postHeight();
    if (window.ResizeObserver) new ResizeObserver(postHeight).observe(document.documentElement);
    window.addEventListener("load", postHeight);
  });
})();
