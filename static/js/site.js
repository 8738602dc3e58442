// Needle Drop: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // Pieces of the site register themselves on window.NeedleDrop and run once the page is parsed.
  var site = (window.NeedleDrop = window.NeedleDrop || { ready: [] });
  document.addEventListener("DOMContentLoaded", function () {
    site.ready.forEach(function (fn) { fn(document); });
  });
})();
