/* Inside Guichet's pages. Optional: every page works without JavaScript.
   - When shown in an iframe, tells the parent page its height, so the town's
     embed.js can size the iframe (no scroll bar inside the town's page).
   - Moves focus to the error summary after a refused submission.
   - Shows the "print" button of the acknowledgement. */
(function () {
  "use strict";
  function postHeight() {
    if (window.parent === window) return;
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    window.parent.postMessage({ guichet: "height", height: height, href: location.pathname }, "*");
  }
  document.addEventListener("DOMContentLoaded", function () {
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
