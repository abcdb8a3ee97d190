/* A character counter under the fields marked data-char-counter (summaries).
 *
 * Progressive enhancement: the form works without it; with it, the editor sees
 * how long the text is and, where the field has a maximum, how much room is left.
 * Rows added to an inline later ("Add another") get their counter too.
 */
(function () {
  "use strict";

  function attach(field) {
    if (field.dataset.charCounterReady) {
      return;
    }
    field.dataset.charCounterReady = "1";
    var counter = document.createElement("div");
    counter.className = "portal-char-counter help";
    counter.setAttribute("aria-live", "polite");
    var max = parseInt(field.getAttribute("maxlength"), 10);

    function update() {
      var length = field.value.length;
      if (max > 0) {
        counter.textContent = length + " / " + max + " characters";
        counter.classList.toggle("portal-char-counter--near", length > max * 0.9);
      } else {
        counter.textContent = length === 1 ? "1 character" : length + " characters";
      }
    }

    field.addEventListener("input", update);
    field.insertAdjacentElement("afterend", counter);
    update();
  }

  function attachAll(root) {
    root.querySelectorAll("[data-char-counter]").forEach(function (field) {
      // The empty template row of an inline is copied, not used.
      if (!field.name || field.name.indexOf("__prefix__") === -1) {
        attach(field);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    attachAll(document);
  });
  document.addEventListener("formset:added", function (event) {
    attachAll(event.target);
  });
})();
