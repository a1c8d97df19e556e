// On every page, with JavaScript: registers the service worker (offline page, posts kept
// offline, pushes), asks it to send kept posts when the connection returns, and on
// /me/reach turns on push for this phone. Every word it shows comes from the page.
(function () {
  'use strict';
  var box = document.querySelector('[data-push-key]');
  var say = function (key) {
    var status = box && box.querySelector('[data-push-status]');
    if (status) status.textContent = box.getAttribute('data-' + key) || '';
  };
  if (!('serviceWorker' in navigator)) {
    say('unsupported');
    return;
  }
  navigator.serviceWorker.register('/sw.js').catch(function () { /* the site works without it */ });
  var flush = function () {
    navigator.serviceWorker.ready.then(function (r) { if (r.active) r.active.postMessage('flush'); });
  };
  window.addEventListener('online', flush);
  if (navigator.onLine) flush();

  if (!box) return;
  var button = box.querySelector('[data-push-on]');
  if (!('PushManager' in window) || !('Notification' in window) || !button) {
    say('unsupported');
    return;
  }
  button.hidden = false;
  // The site's public key, base64url, as the bytes pushManager wants.
  var keyBytes = function (b64) {
    var s = atob(b64.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - b64.length % 4) % 4));
    var out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  };
  button.addEventListener('click', function () {
    button.disabled = true;
    Notification.requestPermission().then(function (permission) {
      if (permission !== 'granted') {
        say('denied');
        return null;
      }
      return navigator.serviceWorker.ready.then(function (reg) {
        return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(box.getAttribute('data-push-key')) });
      }).then(function (sub) {
        var j = sub.toJSON();
        return fetch(box.getAttribute('data-subscribe'), {
          method: 'POST',
          headers: { Accept: 'application/json' },
          body: new URLSearchParams({ endpoint: j.endpoint, p256dh: j.keys.p256dh, auth: j.keys.auth }),
        });
      }).then(function (res) {
        if (res.ok) {
          say('done');
          location.reload();
          return;
        }
        var said = res.headers.get('x-error-message');
        var status = box.querySelector('[data-push-status]');
        status.textContent = (said && new URLSearchParams(said).get('m')) || box.getAttribute('data-failed');
      });
    }).catch(function () {
      say('failed');
    }).then(function () {
      button.disabled = false;
    });
  });
})();
