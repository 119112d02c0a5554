/* ReDoc (drf-spectacular-sidecar's build) always draws Redocly's logo from cdn.redoc.ly in its
 * menu. Our pages load nothing from another host and the CSP would block it anyway (a policy
 * violation on every visit), so the logo's address is dropped before the image asks for it;
 * ReDoc then shows its "API docs by Redocly" link without the picture.
 */
(function () {
  "use strict";
  var LOGO = /^https:\/\/cdn\.redoc\.ly\//;
  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true,
    enumerable: src.enumerable,
    get: src.get,
    set: function (value) {
      if (!LOGO.test(String(value))) src.set.call(this, value);
    },
  });
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (this instanceof HTMLImageElement && name === "src" && LOGO.test(String(value))) return;
    setAttribute.call(this, name, value);
  };
})();
