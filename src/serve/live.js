// Added by `mdfeed serve` to every HTML page it serves (never to built files).
// Reloads the page when the site has been rebuilt, and shows build errors over
// the page until they are fixed; the page underneath is the last good build.
(function () {
  "use strict";
  var overlay = null;
  var instance = null;

  function hide() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }

  function show(text) {
    hide();
    overlay = document.createElement("div");
    overlay.setAttribute("role", "alert");
    overlay.id = "mdfeed-build-error";
    overlay.style.cssText =
      "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;" +
      "margin:0;padding:1rem 1.2rem;background:#3b0a0a;color:#ffe9e9;" +
      "border-top:4px solid #ff5c5c;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;";
    var title = document.createElement("strong");
    title.textContent = "mdfeed: the last change did not build; showing the last good build. (Click to hide.)";
    var pre = document.createElement("pre");
    pre.style.cssText = "margin:.6rem 0 0;white-space:pre-wrap;font:inherit;";
    // textContent, never innerHTML: the message quotes the writer's own text.
    pre.textContent = text;
    overlay.appendChild(title);
    overlay.appendChild(pre);
    overlay.addEventListener("click", hide);
    document.body.appendChild(overlay);
  }

  var events = new EventSource("/__mdfeed/events");
  events.addEventListener("hello", function (e) {
    // A different instance means the server restarted: what we show may be stale.
    if (instance !== null && instance !== e.data) {
      location.reload();
    }
    instance = e.data;
  });
  events.addEventListener("reload", function () {
    location.reload();
  });
  events.addEventListener("build-error", function (e) {
    show(e.data);
  });
})();
