/* Qinglian field outbox: no submission made on site is lost to a bad connection.
 *
 * Every field form (form[data-outbox], or any POST form under /field/ with a client_uuid input)
 * is caught on submit. Its fields and photos go into IndexedDB ("outbox" store, keyed by the
 * form's client_uuid) BEFORE anything is sent; the entry is deleted only once the server has
 * answered 200/201 and confirmed each photo by its SHA-256. The server stores a client_uuid
 * once, so sending an entry again after a timeout can never double a record.
 *
 * Entry states: "pending" (sent on the next try), "login" (session expired: sent after logging
 * in again), "attention" (the server refused it: shown with its errors until fixed or
 * discarded; never retried on its own, since the same data would be refused again).
 * An entry still on the phone after AT_RISK_DAYS is shown as at risk: browsers clear a site's
 * storage (iPhones after seven days without a visit), and it would be lost with it.
 *
 * Plain ES5 plus Promise/fetch/IndexedDB: runs in Chromium and in WeChat's X5 browser.
 * Texts come from data-text-* attributes on #outbox-status, translated by the server.
 */
(function () {
  "use strict";

  var DB_NAME = "qinglian-field";
  var STORE = "outbox";
  var RETRY_MS = 30000;
  var AT_RISK_DAYS = 3;
  var DAY_MS = 24 * 3600 * 1000;
  var box = document.getElementById("outbox-status");
  if (!box) return; // the page did not include fieldapp/partials/outbox_status.html

  var busy = {}; // client_uuid -> true while its POST is on the wire (double taps, two loops)
  var flushing = false;
  var lastSubmitter = null; // the clicked button, for browsers without SubmitEvent.submitter

  function text(name, n) {
    return (box.getAttribute("data-text-" + name) || "").replace("{n}", n)
      .replace("{days}", AT_RISK_DAYS);
  }

  // ---- IndexedDB ---------------------------------------------------------------------------

  var dbPromise = null;

  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          // The client_uuid is the key: a second tap on submit overwrites, never adds.
          request.result.createObjectStore(STORE, {keyPath: "client_uuid"});
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
      dbPromise.catch(function () { dbPromise = null; });
    }
    return dbPromise;
  }

  // Runs fn(objectStore) in one transaction; resolves with fn's request result once committed,
  // so "stored" really means on disk.
  function withStore(mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var request;
        try {
          request = fn(tx.objectStore(STORE));
        } catch (err) { // e.g. DataCloneError for Blobs on an old WebView
          reject(err);
          return;
        }
        tx.oncomplete = function () { resolve(request ? request.result : undefined); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function allEntries() {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var found = [];
        var tx = db.transaction(STORE, "readonly");
        // A cursor rather than getAll(): older WebViews lack getAll.
        var request = tx.objectStore(STORE).openCursor();
        request.onsuccess = function () {
          var cursor = request.result;
          if (cursor) {
            found.push(cursor.value);
            cursor["continue"]();
          }
        };
        tx.oncomplete = function () {
          found.sort(function (a, b) { return a.created - b.created; });
          resolve(found);
        };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function readBuffer(blob) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsArrayBuffer(blob);
    });
  }

  function putEntry(entry) {
    return withStore("readwrite", function (store) { return store.put(entry); })
      .catch(function (err) {
        // Some WebViews cannot store Blobs: keep the bytes as ArrayBuffers instead.
        if (!entry.files.length || entry.files[0].buffer) throw err;
        return Promise.all(entry.files.map(function (file) {
          return readBuffer(file.blob).then(function (buffer) {
            return {field: file.field, name: file.name, type: file.type, buffer: buffer};
          });
        })).then(function (files) {
          entry.files = files;
          return withStore("readwrite", function (store) { return store.put(entry); });
        });
      });
  }

  function deleteEntry(key) {
    return withStore("readwrite", function (store) { return store["delete"](key); });
  }

  function blobOf(file) {
    return file.blob || new Blob([file.buffer], {type: file.type});
  }

  // ---- Building and sending a submission ---------------------------------------------------

  function newUuid() {
    var c = window.crypto || window.msCrypto;
    if (c && c.randomUUID) return c.randomUUID();
    var bytes = new Uint8Array(16);
    if (c && c.getRandomValues) {
      c.getRandomValues(bytes);
    } else {
      for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function uuidInput(form) {
    return form.querySelector("input[name=client_uuid]");
  }

  function fieldScope() {
    var sw = box.getAttribute("data-sw") || "/field/sw.js";
    return sw.slice(0, sw.lastIndexOf("/") + 1);
  }

  function isOutboxForm(form) {
    if (!form || form.nodeName !== "FORM" || form.getAttribute("data-outbox") === "off") return false;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return false;
    if (!uuidInput(form)) return false;
    if (form.hasAttribute("data-outbox")) return true;
    var action = new URL(form.action, location.href);
    return action.origin === location.origin && action.pathname.indexOf(fieldScope()) === 0;
  }

  // The form's successful controls, as the browser would send them. Done by hand because
  // FormData(form) leaves out the clicked button and FormData.entries() is missing on old X5.
  function collect(form, submitter) {
    var fields = [];
    var files = [];
    var csrf = "";
    Array.prototype.forEach.call(form.elements, function (el) {
      var type = (el.type || "").toLowerCase();
      if (!el.name || el.disabled || el.closest && el.closest("fieldset[disabled]")) return;
      if (el.name === "csrfmiddlewaretoken") {
        csrf = el.value; // sent as a header at send time, fresh from the cookie when possible
        return;
      }
      if (type === "submit" || type === "button" || type === "image" || type === "reset") {
        if (el === submitter) fields.push([el.name, el.value]);
        return;
      }
      if ((type === "checkbox" || type === "radio") && !el.checked) return;
      if (type === "file") {
        Array.prototype.forEach.call(el.files || [], function (file) {
          if (file.size) files.push({field: el.name, name: file.name, type: file.type, blob: file});
        });
        return;
      }
      if (el.nodeName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (option) {
          if (option.selected) fields.push([el.name, option.value]);
        });
        return;
      }
      fields.push([el.name, el.value]);
    });
    return {
      client_uuid: uuidInput(form).value,
      url: new URL(form.action, location.href).href,
      page: location.href,
      fields: fields,
      files: files,
      csrf: csrf,
      user: pageUser() || "",
      created: Date.now(),
      status: "pending",
      errors: []
    };
  }

  // The user this page was rendered for; null on pages cached for everybody (offline page).
  function pageUser() {
    return box.getAttribute("data-user");
  }

  // On a shared phone, another person's queued submission waits until they log in again:
  // sent now, it would be recorded under the wrong name.
  function belongsHere(entry) {
    var user = pageUser();
    return user === null || !entry.user || user === entry.user;
  }

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|;\\s*)" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  // A token from the page that was stored with the entry goes stale when the user logs in again
  // (Django rotates it), so the current cookie wins.
  function csrfToken(entry) {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return cookie(box.getAttribute("data-csrf-cookie") || "csrftoken") ||
      (input && input.value) || entry.csrf || "";
  }

  function toHex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
  }

  // SHA-256 of each photo sent; null when the browser cannot hash (crypto.subtle exists only on
  // https and localhost): then the server's answer is trusted as it is.
  function photoHashes(entry) {
    var subtle = window.crypto && window.crypto.subtle;
    if (!subtle || !entry.files.length) return Promise.resolve(entry.files.length ? null : []);
    return Promise.all(entry.files.map(function (file) {
      var buffer = file.buffer ? Promise.resolve(file.buffer) : readBuffer(file.blob);
      return buffer.then(function (bytes) { return subtle.digest("SHA-256", bytes); }).then(toHex);
    }))["catch"](function () { return null; });
  }

  function photosConfirmed(entry, data) {
    return photoHashes(entry).then(function (sent) {
      if (sent === null) return true;
      var confirmed = (data.photos || []).map(function (photo) { return photo.sha256; });
      return sent.every(function (hash) { return confirmed.indexOf(hash) !== -1; });
    });
  }

  function readJson(response) {
    var type = response.headers.get("Content-Type") || "";
    if (type.indexOf("json") === -1) return Promise.resolve(null);
    return response.json()["catch"](function () { return null; });
  }

  function mark(entry, status, errors) {
    entry.status = status;
    entry.errors = errors || [];
    return putEntry(entry).then(function () { return {state: status, entry: entry}; });
  }

  // One try. Resolves with {state: "sent"|"pending"|"login"|"attention"|"busy", data?}.
  function send(entry) {
    var key = entry.client_uuid;
    if (busy[key]) return Promise.resolve({state: "busy"});
    busy[key] = true;
    var body = new FormData();
    entry.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    entry.files.forEach(function (file) { body.append(file.field, blobOf(file), file.name); });
    var done = function (result) { delete busy[key]; return result; };
    return fetch(entry.url, {
      method: "POST",
      body: body,
      headers: {"Accept": "application/json", "X-CSRFToken": csrfToken(entry)},
      credentials: "same-origin"
    }).then(function (response) {
      return readJson(response).then(function (data) { return answer(entry, response, data); });
    }, function () {
      return {state: "pending"}; // no network: the entry simply waits
    }).then(done, function (err) {
      done();
      throw err;
    });
  }

  function answer(entry, response, data) {
    var status = response.status;
    // A JSON POST is only ever redirected to the login page (the session expired).
    if (response.redirected || status === 401) return mark(entry, "login");
    if (status === 403) {
      // A JSON error is a real refusal; Django's CSRF page (HTML) means a new session.
      return data && data.error ? mark(entry, "attention", [data.error]) : mark(entry, "login");
    }
    if ((status === 200 || status === 201) && data) {
      return photosConfirmed(entry, data).then(function (ok) {
        if (!ok) return mark(entry, "attention", [text("unconfirmed")]);
        return deleteEntry(entry.client_uuid).then(function () { return {state: "sent", data: data}; });
      });
    }
    if (status === 400 && data && data.errors) return mark(entry, "attention", data.errors);
    if (status >= 500 || status === 408 || status === 429) return {state: "pending"};
    return mark(entry, "attention", [text("unknown").replace("{status}", status)]);
  }

  // ---- The badge ---------------------------------------------------------------------------

  // Everything an entry holds (errors that may quote what was typed, its page) is shown as text
  // or as a link checked here, never as HTML.
  function empty(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
  }

  // The entry's page as a link only when it is a page of this site (never a javascript: URL).
  function samePage(page) {
    try {
      var url = new URL(page, location.href);
      if (url.origin === location.origin && /^https?:$/.test(url.protocol)) return url.href;
    } catch (err) { /* not a URL */ }
    return fieldScope();
  }

  function render(entries) {
    var waiting = entries.filter(function (e) { return e.status !== "attention"; });
    var attention = entries.filter(function (e) { return e.status === "attention"; });
    var needLogin = entries.some(function (e) { return e.status === "login" || !belongsHere(e); });
    var riskSince = Date.now() - AT_RISK_DAYS * DAY_MS;
    var atRisk = entries.filter(function (e) { return e.created < riskSince; });
    var parts = [];
    if (waiting.length) parts.push(text("waiting", waiting.length));
    if (attention.length) parts.push(text("attention", attention.length));
    box.querySelector(".outbox-count").textContent = parts.join(" · ");
    box.setAttribute("data-count", String(entries.length));
    box.setAttribute("data-waiting", String(waiting.length));
    box.setAttribute("data-attention", String(attention.length));
    box.setAttribute("data-at-risk", String(atRisk.length));
    box.className = "outbox-status" + (attention.length || atRisk.length ? " attention" : "");
    box.hidden = entries.length === 0;
    box.querySelector(".outbox-login").hidden = !needLogin;
    var risk = box.querySelector(".outbox-at-risk");
    risk.textContent = atRisk.length ? text("at-risk", atRisk.length) : "";
    risk.hidden = !atRisk.length;
    var list = box.querySelector(".outbox-problems");
    var template = box.querySelector(".outbox-problem-template");
    empty(list);
    attention.forEach(function (entry) {
      var item = document.importNode(template.content || template, true).querySelector("li");
      item.querySelector(".outbox-problem-when").textContent = new Date(entry.created).toLocaleString();
      if (entry.created < riskSince) item.className += " at-risk";
      var errors = item.querySelector(".outbox-problem-errors");
      entry.errors.forEach(function (message) {
        var li = document.createElement("li");
        li.textContent = message;
        errors.appendChild(li);
      });
      item.querySelector(".outbox-problem-open").href = samePage(entry.page);
      item.querySelector(".outbox-discard").addEventListener("click", function () {
        if (window.confirm(text("discard-confirm"))) deleteEntry(entry.client_uuid).then(refresh);
      });
      list.appendChild(item);
    });
  }

  function refresh() {
    return allEntries().then(function (entries) {
      render(entries);
      return entries;
    })["catch"](function () { return []; });
  }

  // Sends what waits, one entry at a time (a 3G link carries one photo set better than five).
  // A manual retry also tries the entries that need attention: the server may accept them now.
  function flush(manual) {
    if (flushing || navigator.onLine === false) return refresh();
    flushing = true;
    return allEntries().then(function (entries) {
      var chain = Promise.resolve();
      entries.forEach(function (entry) {
        if ((entry.status === "attention" && !manual) || !belongsHere(entry)) return;
        chain = chain.then(function () {
          return send(entry).then(function (result) {
            if (result.state === "sent") formSent(entry.client_uuid);
          });
        });
      });
      return chain;
    }).then(function () {
      flushing = false;
      return refresh();
    }, function () {
      flushing = false;
      return refresh();
    });
  }

  // ---- Forms on this page ------------------------------------------------------------------

  function note(form, className, message, errors) {
    var old = null;
    Array.prototype.forEach.call(form.parentNode.querySelectorAll(".outbox-note"), function (el) {
      if (el.getAttribute("data-for") === form.id) old = el;
    });
    var el = old || document.createElement("div");
    el.className = "outbox-note " + className;
    el.setAttribute("data-for", form.id);
    el.setAttribute("role", "alert");
    empty(el);
    if (message) {
      var p = document.createElement("p");
      p.textContent = message;
      el.appendChild(p);
    }
    if (errors && errors.length) {
      var ul = document.createElement("ul");
      errors.forEach(function (error) {
        var li = document.createElement("li");
        li.textContent = error;
        ul.appendChild(li);
      });
      el.appendChild(ul);
    }
    if (!old) form.parentNode.insertBefore(el, form);
  }

  // A queued submission went through while its form is still open: clear the form and give it
  // a new id, so the next submission is a new record and not a replay of this one.
  function formSent(key) {
    Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
      var input = isOutboxForm(form) && uuidInput(form);
      if (!input || input.value !== key) return;
      form.reset();
      input.value = newUuid();
      note(form, "notice", text("sent"));
    });
  }

  function setBusy(form, on) {
    form.setAttribute("aria-busy", on ? "true" : "false");
    Array.prototype.forEach.call(form.querySelectorAll("button[type=submit], input[type=submit], button:not([type])"), function (b) {
      b.disabled = on;
    });
  }

  function onSubmit(event) {
    var form = event.target;
    // Someone else took this submit (HTMX, or the photo shrinker asking to wait): leave it.
    if (event.defaultPrevented) return;
    if (!isOutboxForm(form) || !window.indexedDB || !window.fetch) return; // normal submission
    event.preventDefault();
    if (!form.id) form.id = "outbox-form-" + newUuid();
    var key = uuidInput(form).value;
    if (!key || busy[key] || form.getAttribute("aria-busy") === "true") return; // a double tap
    var entry = collect(form, event.submitter || lastSubmitter);
    setBusy(form, true);
    note(form, "notice", text("sending"));
    putEntry(entry).then(function () {
      refresh();
      return send(entry);
    }, function () {
      // IndexedDB refused (private mode, full disk): let the browser send it the old way.
      setBusy(form, false);
      HTMLFormElement.prototype.submit.call(form);
      return {state: "native"};
    }).then(function (result) {
      if (result.state === "native") return;
      setBusy(form, false);
      if (result.state === "sent") {
        // Go on as the normal form would: to the page the server names, or this page again.
        if (result.data && result.data.next) location.assign(result.data.next);
        else location.reload();
        return;
      }
      if (result.state === "attention") note(form, "outbox-errors", "", result.entry.errors);
      else if (result.state === "login") note(form, "notice", text("login"));
      else note(form, "notice", text("offline"));
      refresh();
    });
  }

  // ---- Start -------------------------------------------------------------------------------

  // Every page load starts new submissions: a page shown from the offline cache carries the id
  // the server put in it long ago, and two inspections must never share one.
  Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
    if (isOutboxForm(form)) uuidInput(form).value = newUuid();
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("button, input[type=submit]") : null;
    if (target && target.form) lastSubmitter = target;
  }, true);
  // Bubble phase, so the page's own submit handlers on the form run first and may defer.
  document.addEventListener("submit", onSubmit);
  box.querySelector(".outbox-retry").addEventListener("click", function () { flush(true); });
  window.addEventListener("online", function () { flush(false); });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) flush(false);
  });
  setInterval(function () {
    if (box.getAttribute("data-count") !== "0") flush(false);
  }, RETRY_MS);

  if (window.indexedDB) flush(false);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(box.getAttribute("data-sw"), {scope: fieldScope()})["catch"](function () {
      // No worker (e.g. plain http on a LAN address): the outbox still works while the page is open.
    });
  }

  // The self-test page (outbox probe) lists what this phone supports.
  var checks = {
    "service-worker": "serviceWorker" in navigator,
    "indexeddb": !!window.indexedDB,
    "sha256": !!(window.crypto && window.crypto.subtle)
  };
  Object.keys(checks).forEach(function (name) {
    var el = document.querySelector("[data-outbox-check='" + name + "']");
    if (el) el.textContent = checks[name] ? "✓" : "✗";
  });
})();
