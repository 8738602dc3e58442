// Admin: a live word count and reading time under each Markdown text area marked data-word-count.
(function () {
  "use strict";
  var WORDS_PER_MINUTE = 230;

  function count(text) {
    var words = text.trim().split(/\s+/).filter(Boolean);
    return words.length;
  }

  function attach(area) {
    var output = document.createElement("p");
    output.className = "help word-count";
    output.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", output);
    function update() {
      var words = count(area.value);
      var minutes = Math.max(1, Math.round(words / WORDS_PER_MINUTE));
      output.textContent = words.toLocaleString() + (words === 1 ? " word" : " words") +
        " · about " + minutes + " min read";
    }
    area.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-word-count]").forEach(attach);
  });
})();
