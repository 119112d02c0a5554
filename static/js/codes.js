/* Electronic ID codes read in the browser as the server reads them, for the field scanner:
 * registry/text.py's fold (NFKC: full-width letters, digits and the ideographic space; every
 * dash to "-"; zero-width and control characters dropped) and qr/codes.py's compact and parse (a
 * pasted plaque URL reduced to its code, the brackets and punctuation of a chat message dropped,
 * spaces and dashes dropped, O read as 0, I and L as 1, then the check character).
 * Used by the field scanner and the township map's search. tests/e2e/test_field_scan.py holds
 * the two to the same answers.
 *
 * QinglianCodes.plaqueCode(text) -> {code: "P-102201-0042-K", valid: true|false}, or null when
 * the text cannot be a code; valid is false when the check character does not add up.
 */
window.QinglianCodes = (function () {
  "use strict";

  var ALPHABET = "0123456789ABCDEFGHJKMNPQRSTWXYZ";
  var DASHES = /[\u2010-\u2015\u2212\u30fc\ufe58\ufe63\uff0d\uff70]/g;
  var ZERO_WIDTH = /[\u200b\u200c\u200d\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;
  var URL_PATH = /\/e\/([^\/?#]+)/;
  var AROUND = /[。，、；：？！,;:?!"'“”‘’「」『』【】〔〕《》〈〉()\[\]{}<>]/g;
  var PATTERN = /^([BDFPS])([0-9]{6})([0-9]{4})([0-9A-Z])$/;

  function fold(text) {
    if (text.normalize) text = text.normalize("NFKC");
    return text.replace(DASHES, "-").replace(ZERO_WIDTH, "").trim();
  }

  function compact(text) {
    text = fold(text);
    var inUrl = URL_PATH.exec(text);
    if (inUrl) text = inUrl[1];
    return text.toUpperCase().replace(AROUND, "").replace(/[\s\-_.·]/g, "")
      .replace(/O/g, "0").replace(/[IL]/g, "1");
  }

  function plaqueCode(text) {
    var cleaned = compact(String(text));
    var match = PATTERN.exec(cleaned);
    // Serial 0000 is never issued (qr.codes.format_code refuses it).
    if (!match || ALPHABET.indexOf(match[4]) === -1 || match[3] === "0000") return null;
    var sum = 0;
    for (var i = 0; i < cleaned.length; i++) sum += (i + 1) * ALPHABET.indexOf(cleaned.charAt(i));
    return {
      code: match[1] + "-" + match[2] + "-" + match[3] + "-" + match[4],
      valid: sum % ALPHABET.length === 0
    };
  }

  return {plaqueCode: plaqueCode};
})();
