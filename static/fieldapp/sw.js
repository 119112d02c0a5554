/* Qinglian field app service worker (scope /field/).
 *
 * Served by fieldapp.offline.service_worker, which puts a CONFIG line above this source:
 *   CONFIG = {version, scope, offline, shell: [...], staticUrl, hashedStatic, logout: [...]}
 * The version is a hash of this file and of the shell's URLs, so a new deploy (new hashed static
 * names) installs a new worker and its activate step drops the old caches.
 *
 * Only GETs are ever cached. Submissions (POST) go straight to the network: when that fails, the
 * page's outbox (outbox.js) keeps them in IndexedDB, never this worker.
 */
/* global CONFIG */
"use strict";

var PREFIX = "qinglian-field-";
var CACHE = PREFIX + CONFIG.version;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      // {cache: "reload"} so the shell is fetched fresh, not from a stale HTTP cache entry.
      return cache.addAll(CONFIG.shell.map(function (url) {
        return new Request(url, {cache: "reload", credentials: "same-origin"});
      }));
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) {
        return key.indexOf(PREFIX) === 0 && key !== CACHE;
      }).map(function (key) {
        return caches.delete(key);
      }));
    }).then(function () {
      // Take over pages already open, so the first visit is covered too.
      return self.clients.claim();
    })
  );
});

function sameOrigin(url) {
  return url.origin === self.location.origin;
}

function isStatic(url) {
  return CONFIG.shell.indexOf(url.pathname) !== -1 || url.pathname.indexOf(CONFIG.staticUrl) === 0;
}

// A page worth keeping: a real 200 page, not a redirect to the login form.
function cacheable(response) {
  return response && response.ok && response.type === "basic" && !response.redirected;
}

function put(request, response) {
  var copy = response.clone();
  caches.open(CACHE).then(function (cache) {
    return cache.put(request, copy);
  });
  return response;
}

function fromNetwork(request) {
  return fetch(request).then(function (response) {
    return cacheable(response) ? put(request, response) : response;
  });
}

// Pages under /field/: network first (fresh data when online), the last copy when offline,
// and the offline page for pages never visited.
function navigate(request) {
  return fromNetwork(request).catch(function () {
    return caches.match(request, {cacheName: CACHE}).then(function (hit) {
      return hit || caches.match(CONFIG.offline, {cacheName: CACHE});
    });
  });
}

// Static files: their names carry a content hash in production, so the cached copy is always
// right; with plain names (development) the network goes first so edits show up.
function asset(request) {
  if (CONFIG.hashedStatic) {
    return caches.match(request, {cacheName: CACHE}).then(function (hit) {
      return hit || fromNetwork(request);
    });
  }
  return fromNetwork(request).catch(function () {
    return caches.match(request, {cacheName: CACHE}).then(function (hit) {
      return hit || Response.error();
    });
  });
}

// Logging out forgets the pages kept for offline use: the next person on this phone must not
// read the last one's work. The app shell stays.
function forgetPages() {
  return caches.open(CACHE).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(requests.filter(function (request) {
        return CONFIG.shell.indexOf(new URL(request.url).pathname) === -1;
      }).map(function (request) {
        return cache["delete"](request);
      }));
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method === "POST" && CONFIG.logout.indexOf(url.pathname) !== -1) {
    event.waitUntil(forgetPages());
  }
  if (request.method !== "GET") return; // never cache or replay submissions
  if (!sameOrigin(url)) return; // map tiles etc.: the browser's own handling
  if (request.mode === "navigate" && url.pathname.indexOf(CONFIG.scope) === 0) {
    event.respondWith(navigate(request));
  } else if (isStatic(url)) {
    event.respondWith(asset(request));
  }
  // Anything else (HTMX partials, JSON) goes to the network untouched: a partial cached under a
  // page's URL would be served as that page.
});
