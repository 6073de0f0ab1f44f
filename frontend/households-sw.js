// The service worker for community health workers' pages, served at /households/sw.js (scope /households/).
// It answers the agenda, the visit forms and the static files from the cache when the network is off.
// It never touches a POST: visits made offline are queued by the page (visit-queue.js) and sent by it,
// so the server sees each visit once, with its client id.
const CACHE = "cw-households-v1";
const KEPT = [/^\/households\/agenda\/$/, /^\/households\/\d+\/visit\/$/, /^\/static\//];

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !KEPT.some((pattern) => pattern.test(url.pathname))) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok && !response.redirected) {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)));
        } else if (response.redirected && new URL(response.url).pathname.startsWith("/sign-in/")) {
          // Signed out (or the session ended): what was kept for offline work goes from this device.
          event.waitUntil(caches.delete(CACHE));
        }
        return response;
      })
      .catch(() =>
        caches
          // The pages vary on the cookie and language headers, which a navigation and the page's own
          // fetch (that stored it) do not send alike: match on the address alone.
          .match(request, { ignoreSearch: url.pathname.startsWith("/households/"), ignoreVary: true })
          .then((found) => found || Response.error()),
      ),
  );
});
