/* Keeping field work on the phone, on every field page.
 *
 * - Asks the browser for persistent storage, so that the outbox (IndexedDB) and the pages kept
 *   for offline use are not cleared when space runs low; "my work" says whether it was granted
 *   (#storage-state).
 * - On an iPhone outside the home-screen app, shows why and how to add the app to the home
 *   screen (#home-screen-prompt): Safari deletes a site's storage, unsent entries included,
 *   after seven days without a visit, but not an app's on the home screen.
 * - Asks the service worker to keep the pages linked with data-keep-offline (the scanner) and,
 *   on "my work", the field pages of its records (#plaque-urls), so that scanning a plaque of
 *   my work opens its page without a connection; #offline-ready says how many are kept.
 *
 * Texts come from data-text-* attributes, translated by the server.
 */
(function () {
  "use strict";

  var DISMISSED_KEY = "qinglian-field-home-screen-prompt";

  function show(el, name, n) {
    if (!el) return;
    el.textContent = (el.getAttribute("data-text-" + name) || "").replace("{n}", n);
    el.setAttribute("data-state", name);
    el.hidden = false;
  }

  // ---- Persistent storage -------------------------------------------------------------------

  var storageState = document.getElementById("storage-state");
  if (navigator.storage && navigator.storage.persist && navigator.storage.persisted) {
    navigator.storage.persisted().then(function (persisted) {
      return persisted || navigator.storage.persist();
    }).then(function (granted) {
      show(storageState, granted ? "granted" : "refused");
    }, function () {
      show(storageState, "refused");
    });
  } else {
    show(storageState, "unsupported");
  }

  // ---- iPhone: add to the home screen -------------------------------------------------------

  var ua = navigator.userAgent || "";
  var iOS = /iPhone|iPad|iPod/.test(ua) ||
    (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1); // iPadOS says "Mac"
  var standalone = navigator.standalone === true ||
    (window.matchMedia && window.matchMedia("(display-mode: standalone)").matches);
  var weChat = /MicroMessenger/i.test(ua); // no home screen there: the WeChat notice says more
  var prompt = document.getElementById("home-screen-prompt");

  function dismissed() {
    try {
      return window.localStorage.getItem(DISMISSED_KEY) === "1";
    } catch (err) {
      return false;
    }
  }

  if (prompt && iOS && !standalone && !weChat && !dismissed()) {
    prompt.hidden = false;
    prompt.querySelector(".home-screen-dismiss").addEventListener("click", function () {
      prompt.hidden = true;
      try {
        window.localStorage.setItem(DISMISSED_KEY, "1");
      } catch (err) { /* private mode: it shows again next time */ }
    });
  }

  // ---- Pages kept for offline use -----------------------------------------------------------

  var mapScript = document.getElementById("plaque-urls");
  var ready = document.getElementById("offline-ready");
  var records = [];
  if (mapScript) {
    var urls = JSON.parse(mapScript.textContent);
    records = Object.keys(urls).map(function (code) {
      return new URL(urls[code], location.href).href;
    });
  }
  var links = Array.prototype.map.call(document.querySelectorAll("a[data-keep-offline]"), function (a) {
    return a.href;
  });

  function keep(registration) {
    var worker = registration.active;
    if (!worker || !window.MessageChannel) return;
    var channel = new MessageChannel();
    channel.port1.onmessage = function (event) {
      var kept = (event.data && event.data.kept) || [];
      var count = records.filter(function (url) { return kept.indexOf(url) !== -1; }).length;
      if (ready) {
        ready.setAttribute("data-kept", String(count));
        if (mapScript) show(ready, "ready", count);
      }
    };
    worker.postMessage({type: "keep", urls: links.concat(records)}, [channel.port2]);
  }

  if ("serviceWorker" in navigator && navigator.onLine !== false && links.length + records.length) {
    // outbox.js registers the worker; this waits until it is active.
    navigator.serviceWorker.ready.then(keep);
  }
})();
