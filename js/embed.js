/* For the town's own pages: sizes every Guichet iframe to its content.
   <iframe src="https://GUICHET/TENANT/services/CODE" title="…" class="guichet"></iframe>
   <script src="https://GUICHET/TENANT/assets/embed.js" async></script>
   Without this script the iframe still works, with its own scroll bar. */
(function () {
  "use strict";
  var origin = new URL(document.currentScript ? document.currentScript.src : location.href).origin;
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || !event.data || event.data.guichet !== "height") return;
    var frames = document.getElementsByTagName("iframe");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        var height = Math.max(200, Math.min(20000, Number(event.data.height) || 0));
        frames[i].style.height = height + "px";
        frames[i].setAttribute("scrolling", "no");
      }
    }
  });
})();
