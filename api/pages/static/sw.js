// The screens' service worker: a screen the device has opened once opens again with no network
// (a cold store's network comes and goes). Pages are asked of the server first and answered from
// the cache when it cannot be reached; the versioned scripts and style come from the cache. The
// API is never cached: commands wait in the outbox (app.js), not here.
"use strict";
const CACHE = "gongxiao-screens-1";
const SCREENS = ["/station", "/outlet", "/admin"];

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (ev) => ev.waitUntil(self.clients.claim()));

// A page tells what it was made of once the worker runs: the page and its scripts and style.
self.addEventListener("message", (ev) => {
  const keep = (ev.data && ev.data.keep) || [];
  ev.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(keep))
    .then(() => ev.source && ev.source.postMessage({ kept: keep.length }))
    .catch(() => undefined));
});

self.addEventListener("fetch", (ev) => {
  const url = new URL(ev.request.url);
  if (ev.request.method !== "GET" || url.origin !== self.location.origin) return;
  const asset = url.pathname.startsWith("/static/pages/");
  if (!asset && !SCREENS.includes(url.pathname)) return;
  ev.respondWith((async () => {
    const cache = await caches.open(CACHE);
    if (asset) {
      const hit = await cache.match(ev.request);
      if (hit) return hit;
    }
    try {
      const answer = await fetch(ev.request);
      if (answer.ok) await cache.put(ev.request, answer.clone());
      return answer;
    } catch (error) {
      const hit = await cache.match(ev.request);
      if (hit) return hit;
      throw error;
    }
  })());
});
