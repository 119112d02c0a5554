/* Shows the WeChat notice (registry/partials/wechat_notice.html) inside WeChat's in-app
 * browser, whose user agent names MicroMessenger; everywhere else it stays hidden. */
(function () {
  "use strict";
  if (!/MicroMessenger/i.test(navigator.userAgent || "")) return;
  Array.prototype.forEach.call(document.querySelectorAll("[data-wechat-notice]"), function (el) {
    el.hidden = false;
  });
})();
