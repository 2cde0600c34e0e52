// Playnet's service worker: the page keeps working with the network off.
//
// `cargo xtask build` writes dist/sw.js as two lines, `const VERSION = …;` (a
// hash of every built file) and `const FILES = […];` (every file of the build,
// relative to this script), followed by this file (web/sw.js).
//
// - install: every file of this build goes into one cache named after the
//   build (`playnet-<VERSION>`), fetched past the HTTP cache; the page, the
//   workers, MNIST, the networks and the sketch models are all there after
//   the first visit.
// - activate: caches of other builds are deleted, so old JS and new wasm
//   never meet; the new build takes over open pages at once.
// - fetch: same-origin GETs go to the network first (online, a page always
//   gets the files the server has now) and fall back to this build's cache
//   when the network fails. Nothing is written to the cache at run time, so
//   the cache always holds exactly one build.
/* global VERSION, FILES */

const CACHE = `playnet-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const base = new URL('./', self.location).href;
    const urls = FILES.map((f) => new URL(f, base).href);
    urls.push(base);
    await cache.addAll(urls.map((u) => new Request(u, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('playnet-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    try {
      return await fetch(request);
    } catch (offline) {
      const cache = await caches.open(CACHE);
      const hit = await cache.match(request, { ignoreSearch: true });
      if (hit) return hit;
      throw offline;
    }
  })());
});

// The page asks which build is cached (the About page shows it).
self.addEventListener('message', (event) => {
  if (event.data === 'playnet-version' && event.ports[0]) {
    event.ports[0].postMessage({ version: VERSION, files: FILES.length });
  }
});
