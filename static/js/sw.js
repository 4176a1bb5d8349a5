/* The judges' pages offline. Served as /j/sw.js?v=<version> (judging.routes.service_worker), so
   its scope is /j/ and a new version of the tablet's scripts installs a new worker.

   Every request it handles goes to the network first, and a page or file that arrives is kept;
   when the network fails (or takes longer than NETWORK_MS) the kept copy answers, and a page
   never kept answers with the kept "no connection" page. Pages are kept only as they were
   rendered for the judge signed in (the server's Cache-Control: no-store keeps them out of the
   HTTP cache, not out of this one): logging out clears them (outbox.js keeps the marks).
   Writes (POST) and the live connection are never touched: the outbox sends marks itself. */
"use strict";

const VERSION = new URL(self.location.href).searchParams.get("v") || "dev";
const PAGES = "gj-pages-" + VERSION;
const FILES = "gj-files-" + VERSION;
const SCOPE = new URL(self.registration.scope).pathname;   // /j/
const OFFLINE = SCOPE + "offline";
const NETWORK_MS = 8000;
const FRESH_MS = 120000;      // a page kept this recently is not fetched again when asked to keep it
const KEEP_AT_ONCE = 2;       // pages fetched at once when a list of them is to be kept

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("gj-") === 0 && name !== PAGES && name !== FILES;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function isPage(url) { return url.pathname.indexOf(SCOPE) === 0 && url.pathname !== SCOPE + "sw.js" &&
  url.pathname !== SCOPE + "session"; }
function isFile(url) { return url.pathname.indexOf("/static/") === 0; }

function keptAt(response) { return Number(response.headers.get("X-Gj-Kept-At") || 0); }

// A copy to keep, stamped with when it was kept.
function stamped(response) {
  return response.clone().blob().then(function (body) {
    const headers = new Headers(response.headers);
    headers.set("X-Gj-Kept-At", String(Date.now()));
    return new Response(body, { status: response.status, statusText: response.statusText, headers: headers });
  });
}

function keepable(response) {
  return response && response.status === 200 && response.type === "basic" && !response.redirected;
}

function fromNetwork(request) {
  return new Promise(function (resolve, reject) {
    const timer = setTimeout(function () { reject(new Error("slow")); }, NETWORK_MS);
    fetch(request).then(function (response) { clearTimeout(timer); resolve(response); },
                        function (error) { clearTimeout(timer); reject(error); });
  });
}

function put(cacheName, key, response) {
  if (!keepable(response)) return Promise.resolve();
  return Promise.all([caches.open(cacheName), stamped(response)]).then(function (both) {
    return both[0].put(key, both[1]);
  });
}

function answer(request, url) {
  const cacheName = isPage(url) ? PAGES : FILES;
  const key = isFile(url) ? url.origin + url.pathname : url.href;   // a file's ?v= is its version, one copy
  return fromNetwork(request).then(function (response) {
    put(cacheName, key, response).catch(function () { /* a full disk: still answered */ });
    return response;
  }, function () {
    return caches.open(cacheName).then(function (cache) {
      // A page asked with another query (?saved=…) than it was kept with is still that page.
      return cache.match(key).then(function (copy) {
        return copy || (isPage(url) && url.search ? cache.match(url.origin + url.pathname) : copy);
      });
    }).then(function (copy) {
      if (copy) return copy;
      if (request.mode !== "navigate") return Response.error();
      return caches.open(PAGES).then(function (cache) { return cache.match(new URL(OFFLINE, url).href); })
        .then(function (offline) {
          return offline || new Response("No connection.", { status: 503, headers: { "Content-Type": "text/plain" } });
        });
    });
  });
}

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/socket.io") === 0) return;
  if (!isPage(url) && !isFile(url)) return;
  if (isPage(url) && request.mode !== "navigate") return;   // the session check, reports: live only
  event.respondWith(answer(request, url));
});

// Pages a judge will want offline (their event's entries, the way back), fetched now, a few at
// a time, each unless kept within FRESH_MS.
function keepPages(urls, again) {
  return Promise.resolve().then(function () {
    const queue = urls.map(function (u) { return new URL(u, self.location.origin); })
      .filter(function (u) { return u.origin === self.location.origin && (isPage(u) || isFile(u)); });
    function next() {
      const url = queue.shift();
      if (!url) return Promise.resolve();
      const file = isFile(url);
      const key = file ? url.origin + url.pathname : url.href;
      return caches.open(file ? FILES : PAGES).then(function (store) { return store.match(key); }).then(function (copy) {
        if (copy && Date.now() - keptAt(copy) < FRESH_MS && again.indexOf(url.pathname) < 0) return null;
        return fetch(url.href, { credentials: "same-origin" }).then(function (response) {
          return put(file ? FILES : PAGES, key, response);
        });
      }).catch(function () { /* offline again: keep what is kept */ }).then(next);
    }
    const runners = [];
    for (let i = 0; i < KEEP_AT_ONCE; i += 1) runners.push(next());
    return Promise.all(runners);
  });
}

self.addEventListener("message", function (event) {
  const data = event.data || {};
  // `again`: pages that changed (a form just stored): fetched even if kept a moment ago.
  if (data.type === "keep" && Array.isArray(data.urls)) {
    const again = (data.again || []).map(function (u) { return new URL(u, self.location.origin).pathname; });
    event.waitUntil(keepPages(data.urls.concat(data.again || []), again));
  }
  if (data.type === "forget") {
    event.waitUntil(caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf("gj-pages-") === 0; })
        .map(function (n) { return caches.delete(n); }));
    }));
  }
});
