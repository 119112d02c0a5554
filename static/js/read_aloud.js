/* "Read it to me": the phone's own speech synthesis reads the record's summary aloud in
 * Chinese. Nothing is sent anywhere. The button shows only where the browser has a voice for
 * the page's language. */
(function () {
  "use strict";
  var button = document.querySelector("[data-read-aloud]");
  if (!button || !("speechSynthesis" in window) || !window.SpeechSynthesisUtterance) return;
  var lang = (document.documentElement.lang || "zh").toLowerCase();
  var wanted = lang.indexOf("en") === 0 ? "en" : "zh";
  var label = button.textContent;
  var voice = null;

  function pick() {
    var voices = window.speechSynthesis.getVoices();
    voice = voices.filter(function (v) { return v.lang.toLowerCase().indexOf(wanted) === 0; })[0] || null;
    button.hidden = !voice;
  }
  pick();
  window.speechSynthesis.addEventListener("voiceschanged", pick);

  button.addEventListener("click", function () {
    if (window.speechSynthesis.speaking) {
      window.speechSynthesis.cancel();
      return;
    }
    var say = new SpeechSynthesisUtterance(button.dataset.text);
    say.lang = voice.lang;
    try { say.voice = voice; } catch (e) { /* the language alone picks a voice */ }
    say.rate = 0.9;
    say.onend = say.onerror = function () { button.textContent = label; };
    button.textContent = button.dataset.stop;
    window.speechSynthesis.speak(say);
  });
})();
