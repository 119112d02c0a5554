/* Qinglian field app service worker (scope /field/).
 *
 * Served by fieldapp.offline.service_worker, which puts a CONFIG line above this source:
 *   CONFIG = {version, scope, offline, shell: [...], staticUrl, hashedStatic, logout: [...]}
 * The version is a hash of this file and of the shell's URLs, so a new deploy (new hashed static
 * names) installs a new worker and its activate step drops the old caches.
 *
 * Only GETs are ever cached. Submissions (POST) go straight to the network: when that fails, the
 * page's outbox (outbox.js) keeps them in IndexedDB, never this worker.
 *
 * A page may ask the worker to keep field pages before they are opened ({type: "keep", urls}):
 * "my work" does so for its records and the scanner, so that a plaque of my work opens its
 * field page offline. The answer, on the message's port, lists the pages kept.
 */
/* global CONFIG */
"use strict";

var PREFIX = "qinglian-field-";
var CACHE = PREFIX + CONFIG.version;
var KEEP_FRESH_MS = 3 * 3600 * 1000; // a kept page younger than this is not fetched again
var KEEP_MAX = 200; // pages one request may ask for

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
// and the offline page for pages never visited. The copy is found by its URL alone (ignoreVary):
// a page kept ahead (keepPages) was fetched with other headers than a navigation sends, and the
// cache holds one person's pages only (logging out empties it).
function navigate(request) {
  return fromNetwork(request).catch(function () {
    return caches.match(request, {cacheName: CACHE, ignoreVary: true}).then(function (hit) {
      return hit || caches.match(CONFIG.offline, {cacheName: CACHE});
    });
  });
}

// A copy fetched less than KEEP_FRESH_MS ago (by its Date header) need not be fetched again.
function recent(response) {
  var date = Date.parse(response.headers.get("Date") || "");
  return !isNaN(date) && Date.now() - date < KEEP_FRESH_MS;
}

// Fetches and caches each field page of `urls` (one at a time: a weak link carries one page
// better than thirty), skipping recent copies; resolves with the URLs now in the cache.
function keepPages(urls) {
  return caches.open(CACHE).then(function (cache) {
    var kept = [];
    var chain = Promise.resolve();
    urls.slice(0, KEEP_MAX).forEach(function (href) {
      var url;
      try {
        url = new URL(href, self.location.href);
      } catch (err) {
        return;
      }
      if (!sameOrigin(url) || url.pathname.indexOf(CONFIG.scope) !== 0) return;
      chain = chain.then(function () {
        return cache.match(url.href).then(function (hit) {
          if (hit && recent(hit)) {
            kept.push(url.href);
            return null;
          }
          return fetch(new Request(url.href, {credentials: "same-origin"})).then(function (response) {
            if (!cacheable(response)) return null;
            kept.push(url.href);
            return cache.put(url.href, response);
          }, function () {
            if (hit) kept.push(url.href); // no connection: the older copy still opens
          });
        });
      });
    });
    return chain.then(function () {
      return kept;
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

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "keep" || !Array.isArray(data.urls)) return;
  var port = event.ports && event.ports[0];
  event.waitUntil(keepPages(data.urls).then(function (kept) {
    if (port) port.postMessage({kept: kept});
  }));
});

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
