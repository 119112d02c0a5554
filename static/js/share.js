/* The "Share" button of a record page: the phone's share sheet, or the link copied; where the
   browser refuses to copy (some in-app browsers), the link is shown selected to copy by hand. */
(function () {
  "use strict";
  var button = document.querySelector("[data-share]");
  if (!button) return;
  button.hidden = false;

  function showLink() {
    var field = document.querySelector("[data-share-link]");
    if (!field) {
      field = document.createElement("input");
      field.type = "url";
      field.readOnly = true;
      field.className = "share-link";
      field.setAttribute("data-share-link", "");
      field.setAttribute("aria-label", button.dataset.copyHint || "");
      button.parentNode.insertAdjacentElement("afterend", field);
    }
    field.value = location.href;
    field.focus();
    field.select();
  }

  button.addEventListener("click", function () {
    var data = {title: document.title, url: location.href};
    if (navigator.share) {
      navigator.share(data).catch(function (error) {
        if (error && error.name !== "AbortError") showLink();
      });
      return;
    }
    if (!navigator.clipboard) { showLink(); return; }
    navigator.clipboard.writeText(location.href).then(function () {
      button.textContent = button.dataset.copied;
    }, showLink);
  });
})();
