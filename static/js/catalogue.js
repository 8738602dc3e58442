// Catalogue pages: the click-to-play listening embed and the filter form. Both work without it.
(function () {
  "use strict";
  var site = (window.NeedleDrop = window.NeedleDrop || { ready: [] });

  // The video player is a third party: nothing is loaded from it until the reader presses play.
  function enhanceEmbeds(root) {
    root.querySelectorAll("[data-embed-src]").forEach(function (frame) {
      var facade = frame.querySelector(".listen__facade");
      if (!facade) { return; }
      facade.setAttribute("role", "button");
      facade.addEventListener("click", function (event) {
        event.preventDefault();
        var iframe = document.createElement("iframe");
        iframe.src = frame.getAttribute("data-embed-src");
        iframe.title = frame.getAttribute("data-embed-title") || "Video player";
        iframe.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
        iframe.setAttribute("allowfullscreen", "");
        iframe.referrerPolicy = "strict-origin-when-cross-origin";
        iframe.className = "listen__iframe";
        frame.classList.add("is-playing");
        facade.replaceWith(iframe);
        iframe.focus();
      });
    });
  }

  // Changing a filter applies it at once; the button stays for keyboard users and no-JS.
  function enhanceFilters(root) {
    root.querySelectorAll("form[data-auto-submit]").forEach(function (form) {
      form.addEventListener("change", function (event) {
        if (event.target.matches("select, input[type=checkbox]")) {
          form.requestSubmit ? form.requestSubmit() : form.submit();
        }
      });
      // On a phone the panel starts folded unless a filter is in use.
      var panel = form.querySelector(".filters__panel");
      if (panel && window.matchMedia("(max-width: 47.99rem)").matches && !document.querySelector(".active-filters")) {
        panel.removeAttribute("open");
      }
    });
  }

  site.ready.push(enhanceEmbeds, enhanceFilters);
})();
