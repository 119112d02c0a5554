/* The "Share" button of a record page: the phone's share sheet, or the link copied. */
(function () {
  "use strict";
  var button = document.querySelector("[data-share]");
  if (!button || !(navigator.share || navigator.clipboard)) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var data = {title: document.title, url: location.href};
    if (navigator.share) { navigator.share(data).catch(function () {}); return; }
    navigator.clipboard.writeText(location.href).then(function () {
      button.textContent = button.dataset.copied;
    });
  });
})();
