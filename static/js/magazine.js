// Magazine: swap a video's click-to-play cover for the privacy-enhanced player, only on click.
(function () {
  "use strict";
  var site = (window.NeedleDrop = window.NeedleDrop || { ready: [] });

  function play(facade) {
    var frame = document.createElement("iframe");
    frame.src = facade.getAttribute("data-video-src");
    frame.title = facade.getAttribute("data-video-title") || "Video";
    frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
    frame.allowFullscreen = true;
    frame.className = "video-facade__frame";
    facade.replaceChildren(frame);
    facade.classList.add("is-playing");
    frame.focus();
  }

  site.ready.push(function (root) {
    root.querySelectorAll(".video-facade").forEach(function (facade) {
      var link = facade.querySelector(".video-facade__link");
      if (!link) return;
      link.addEventListener("click", function (event) {
        if (event.metaKey || event.ctrlKey || event.shiftKey) return;
        event.preventDefault();
        play(facade);
      });
    });
  });
})();
