// The offline page: says a post was kept, lists the posts waiting on this phone (the service
// worker's outbox), and lets one be thrown away.
(function () {
  'use strict';
  if (new URLSearchParams(location.search).has('saved')) document.getElementById('saved').hidden = false;
  var retry = document.getElementById('retry');
  retry.addEventListener('click', function (e) { e.preventDefault(); location.href = '/'; });
  window.addEventListener('online', function () { location.href = '/'; });
  if (!('indexedDB' in window)) return;
  var open = indexedDB.open('mc-outbox', 1);
  open.onupgradeneeded = function () { open.result.createObjectStore('posts', { keyPath: 'id', autoIncrement: true }); };
  open.onsuccess = function () {
    var db = open.result;
    var show = function () {
      var all = db.transaction('posts').objectStore('posts').getAll();
      all.onsuccess = function () {
        var list = document.getElementById('kept');
        list.textContent = '';
        all.result.forEach(function (p) {
          var li = document.createElement('li');
          var text = document.createElement('span');
          text.textContent = (p.title || '（无标题）') + ' · ' + new Date(p.at).toLocaleString('zh-CN');
          if (p.refused) {
            var why = document.createElement('span');
            why.className = 'refused';
            why.textContent = '未能发送：' + p.refused;
            text.appendChild(why);
          }
          var drop = document.createElement('button');
          drop.type = 'button';
          drop.textContent = '删除';
          drop.addEventListener('click', function () {
            var t = db.transaction('posts', 'readwrite');
            t.objectStore('posts').delete(p.id);
            t.oncomplete = show;
          });
          li.appendChild(text);
          li.appendChild(drop);
          list.appendChild(li);
        });
        document.getElementById('kept-box').hidden = all.result.length === 0;
      };
    };
    show();
  };
})();
