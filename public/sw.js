// My Community's service worker: keeps the static files for offline use, shows the offline
// page when a page cannot be fetched, keeps a post written offline on the device and sends
// it when the connection returns (its idempotency key files it once), and shows pushes.
// Pages are personal and never cached here.
'use strict';

const SHELL = 'mc-shell-3';
const PKG = 'mc-pkg';
const PRECACHE = [
  '/offline.html', '/offline.css', '/offline.js', '/reach.js', '/manifest.webmanifest',
  '/icons/icon-192.png', '/icons/apple-touch-icon.png', '/favicon.ico',
];
// A resident's new demand, deliberation and comment: each form carries an idempotency key.
const OUTBOX_PATHS = ['/api/demands/post', '/api/threads/open', '/api/threads/comment'];
// Hashed browser files of the last few builds.
const PKG_KEEP = 9;

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(SHELL).then((c) => c.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith('mc-shell-') && key !== SHELL) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (e) => {
  const req = e.request;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.method === 'POST' && OUTBOX_PATHS.includes(url.pathname)) {
    e.respondWith(postOrKeep(req));
    return;
  }
  if (req.method !== 'GET') return;
  if (url.pathname.startsWith('/pkg/')) {
    e.respondWith(hashedFile(req));
  } else if (PRECACHE.includes(url.pathname)) {
    e.respondWith(fetch(req).catch(() => caches.match(url.pathname)));
  } else if (req.mode === 'navigate') {
    e.respondWith(fetch(req).catch(() => caches.match('/offline.html')));
  }
});

// Hashed names never change content: the cache answers, the network fills it.
async function hashedFile(req) {
  const cache = await caches.open(PKG);
  const hit = await cache.match(req);
  if (hit) return hit;
  const res = await fetch(req);
  if (res.ok) {
    await cache.put(req, res.clone());
    const keys = await cache.keys();
    for (const old of keys.slice(0, Math.max(0, keys.length - PKG_KEEP))) await cache.delete(old);
  }
  return res;
}

// Posts as usual; without a connection, keeps the post on the device and says so.
async function postOrKeep(req) {
  const copy = req.clone();
  try {
    return await fetch(req);
  } catch (_) {
    // Read before the IndexedDB transaction: it cannot wait for a promise.
    const body = await copy.clone().arrayBuffer();
    let title = '';
    try {
      const form = await copy.formData();
      title = String(form.get('description') || form.get('title') || form.get('body') || '').slice(0, 60);
    } catch (_) { /* not a form we can read: kept all the same */ }
    await outbox('readwrite', (s) => s.add({
      url: req.url, type: req.headers.get('content-type') || '', body, title, at: Date.now(),
    }));
    try { await self.registration.sync.register('outbox'); } catch (_) { /* sent from the next page */ }
    const saved = '/offline.html?saved=1';
    if (req.mode === 'navigate') return Response.redirect(saved, 303);
    // The page's form script follows a `location` header.
    return new Response(null, { status: 200, headers: { location: saved } });
  }
}

function openDb() {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open('mc-outbox', 1);
    r.onupgradeneeded = () => r.result.createObjectStore('posts', { keyPath: 'id', autoIncrement: true });
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

// Runs `fn` on the posts store; resolves with its request's result when the transaction ends.
async function outbox(mode, fn) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const t = db.transaction('posts', mode);
    const r = fn(t.objectStore('posts'));
    t.oncomplete = () => resolve(r && r.result);
    t.onerror = () => reject(t.error);
  });
}

let flushing = null;
function flush() {
  if (!flushing) flushing = sendKept().finally(() => { flushing = null; });
  return flushing;
}

async function sendKept() {
  const posts = (await outbox('readonly', (s) => s.getAll())) || [];
  for (const p of posts) {
    if (p.refused) continue;
    let res;
    try {
      res = await fetch(p.url, {
        method: 'POST',
        body: p.body,
        headers: { 'Content-Type': p.type, Accept: 'application/json' },
        credentials: 'same-origin',
        redirect: 'manual',
      });
    } catch (_) {
      return; // still offline
    }
    if (res.ok || res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
      await outbox('readwrite', (s) => s.delete(p.id));
      tell({ sent: p.title });
      continue;
    }
    // Not signed in, too many, or the server's trouble: later.
    if (res.status === 401 || res.status === 403 || res.status === 429 || res.status >= 500) return;
    // Refused for what it says (a field): kept, with the server's words, for the person.
    const said = res.headers.get('x-error-message');
    p.refused = (said && new URLSearchParams(said).get('m')) || String(res.status);
    await outbox('readwrite', (s) => s.put(p));
    tell({ refused: p.title });
  }
}

async function tell(message) {
  for (const c of await self.clients.matchAll({ type: 'window' })) c.postMessage(message);
}

self.addEventListener('sync', (e) => {
  if (e.tag === 'outbox') e.waitUntil(flush());
});

self.addEventListener('message', (e) => {
  if (e.data === 'flush') e.waitUntil(flush());
});

self.addEventListener('push', (e) => {
  let d = {};
  try { d = e.data ? e.data.json() : {}; } catch (_) { d = {}; }
  e.waitUntil(self.registration.showNotification(d.title || '我的社区', {
    body: d.body || '',
    tag: d.tag,
    icon: '/icons/icon-192.png',
    badge: '/icons/icon-192.png',
    lang: 'zh-CN',
    data: { url: d.url || '/notifications' },
  }));
});

self.addEventListener('notificationclick', (e) => {
  e.notification.close();
  const url = new URL((e.notification.data && e.notification.data.url) || '/', self.location.origin);
  if (url.origin !== self.location.origin) return; // our own pages only
  e.waitUntil((async () => {
    for (const c of await self.clients.matchAll({ type: 'window', includeUncontrolled: true })) {
      if (new URL(c.url).pathname === url.pathname && 'focus' in c) return c.focus();
    }
    return self.clients.openWindow(url.href);
  })());
});

// The browser renewed the subscription: tell the server (the session cookie goes along).
self.addEventListener('pushsubscriptionchange', (e) => {
  e.waitUntil((async () => {
    const key = e.oldSubscription && e.oldSubscription.options.applicationServerKey;
    const sub = e.newSubscription
      || (key && await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }));
    if (!sub) return;
    const j = sub.toJSON();
    await fetch('/api/reach/subscribe', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
      body: new URLSearchParams({ endpoint: j.endpoint, p256dh: j.keys.p256dh, auth: j.keys.auth }),
    });
  })());
});
