/*
 * The grid worker page's service worker (registered only by /m, scope /m): keeps the page's shell (the /m
 * document, Next's hashed static files, the icons and the map worker) so the page opens without a signal.
 * It never caches /api/: reports, tasks and photos are the server's (queued reports live in IndexedDB).
 */
const CACHE = 'pingan-m-shell-v1';
/** Entries kept in the shell cache; past it the oldest go (hashed chunks of older builds pile up otherwise). */
const MAX_ENTRIES = 200;
const SHELL = ['/m', '/m-manifest.webmanifest', '/icon-192.png', '/favicon.svg'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith('pingan-m-') && k !== CACHE).map((k) => caches.delete(k)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

async function trim(cache) {
  const keys = await cache.keys();
  for (let i = 0; i < keys.length - MAX_ENTRIES; i++) await cache.delete(keys[i]);
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  const isStatic = url.pathname.startsWith('/_next/static/') || url.pathname.startsWith('/maplibre/');
  if (isStatic) {
    // Hashed names never change: the cache first.
    event.respondWith(
      caches.open(CACHE).then(async (c) => {
        const hit = await c.match(req);
        if (hit) return hit;
        const res = await fetch(req);
        if (res.ok) {
          await c.put(req, res.clone());
          void trim(c);
        }
        return res;
      }),
    );
    return;
  }
  if (req.mode === 'navigate' && (url.pathname === '/m' || url.pathname.startsWith('/m/'))) {
    // The page: the network first (a new build), the kept copy without a signal.
    event.respondWith(
      fetch(req)
        .then(async (res) => {
          if (res.ok) await (await caches.open(CACHE)).put('/m', res.clone());
          return res;
        })
        .catch(async () => (await caches.match('/m')) || Response.error()),
    );
  }
});
