// The reader poll, enhanced: votes go in the background and the results replace the form.
// Without this file the poll is a plain form that posts and comes back to #poll.
(function () {
  "use strict";
  var site = (window.NeedleDrop = window.NeedleDrop || { ready: [] });

  function announce(poll, text) {
    var live = poll.querySelector("[data-poll-live]");
    if (!live) return;
    live.textContent = "";
    // A fresh text node after a tick makes screen readers announce repeated messages too.
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  function summary(body) {
    var message = body.querySelector(".poll__message");
    if (message) return message.textContent.trim();
    var parts = [];
    var change = body.querySelector(".poll__change strong");
    if (change) parts.push("Your answer: " + change.textContent.trim() + ".");
    body.querySelectorAll(".poll__row").forEach(function (row) {
      parts.push(row.querySelector(".poll__label").textContent.trim() + " " +
        row.querySelector(".poll__figures").textContent.trim() + ".");
    });
    var total = body.querySelector("[data-poll-summary]");
    if (total) parts.push(total.textContent.trim());
    return parts.join(" ") || "Your vote was withdrawn.";
  }

  function enhanceCopy(body) {
    body.querySelectorAll("[data-copy-url]").forEach(function (button) {
      if (!navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(button.getAttribute("data-copy-url")).then(function () {
          button.textContent = "Link copied";
          announce(button.closest("[data-poll]"), "Link copied.");
        });
      });
    });
  }

  function submit(poll, form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    var body = poll.querySelector("[data-poll-body]");
    body.setAttribute("aria-busy", "true");
    return fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (!response.headers.get("X-Poll-Fragment")) throw new Error("not the poll");
      return response.text();
    }).then(function (html) {
      body.innerHTML = html;
      body.removeAttribute("aria-busy");
      enhanceCopy(body);
      var target = body.querySelector("[data-poll-results-heading]") ||
        body.querySelector(".poll__message") || poll.querySelector("#poll-heading");
      if (target) {
        if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
        target.focus();
      }
      announce(poll, summary(body));
    });
  }

  function setUp(root) {
    root.querySelectorAll("[data-poll]").forEach(function (poll) {
      enhanceCopy(poll);
      poll.addEventListener("submit", function (event) {
        var form = event.target;
        if (!form.hasAttribute("data-poll-form") || !window.fetch || !window.FormData) return;
        event.preventDefault();
        submit(poll, form, event.submitter).catch(function () {
          // Anything unexpected (offline, a CSRF page): fall back to the plain form post.
          form.removeAttribute("data-poll-form");
          if (event.submitter && form.requestSubmit) form.requestSubmit(event.submitter);
          else form.submit();
        });
      });
    });
  }

  site.ready.push(setUp);
})();
