/* A live preview under the Markdown fields of the admin (data-markdown-preview).
 *
 * The text is sent to the admin's preview address (its URL is the attribute's
 * value), which renders it with the site's own sanitising renderer and answers
 * {"html": ...}: the editor sees what readers will see, and the HTML shown has
 * been through the same allow-list as the site's (no scripts, no event handlers).
 * It appears once the editor is in the field. Without JavaScript, or if the
 * preview fails, the form works as before.
 */
(function () {
  "use strict";

  var DELAY_MS = 400;

  function csrfToken(field) {
    var form = field.form || document;
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function attach(field) {
    if (field.dataset.markdownPreviewReady) {
      return;
    }
    field.dataset.markdownPreviewReady = "1";
    var url = field.dataset.markdownPreview;

    var box = document.createElement("div");
    box.className = "portal-markdown-preview portal-markdown-preview--empty";
    var title = document.createElement("div");
    title.className = "portal-markdown-preview__title";
    title.textContent = "Preview";
    var body = document.createElement("div");
    body.className = "portal-markdown-preview__body";
    body.setAttribute("aria-live", "polite");
    box.appendChild(title);
    box.appendChild(body);
    field.insertAdjacentElement("afterend", box);

    var timer = null;
    var latest = 0;

    function render() {
      var request = ++latest;
      var data = new FormData();
      data.append("text", field.value);
      fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(field) },
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.status);
          }
          return response.json();
        })
        .then(function (answer) {
          if (request === latest) {
            // Sanitised by the server (portal.text.markdown.render_markdown).
            body.innerHTML = answer.html;
            box.classList.toggle("portal-markdown-preview--empty", !answer.html);
          }
        })
        .catch(function () {
          if (request === latest) {
            body.textContent = "The preview is not available right now.";
          }
        });
    }

    field.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(render, DELAY_MS);
    });
    // Rendered when the editor starts on the field, not for every field of the
    // page at once (a section's page has many).
    field.addEventListener("focus", function () {
      if (!latest) {
        render();
      }
    });
  }

  function attachAll(root) {
    root.querySelectorAll("textarea[data-markdown-preview]").forEach(function (field) {
      // The empty template row of an inline is copied, not used.
      if (field.name.indexOf("__prefix__") === -1) {
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
