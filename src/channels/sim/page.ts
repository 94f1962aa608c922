/** The simulator's single page: a phone-sized chat that talks to /sim/api/messages. */
export const SIM_PAGE = `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>cds-bot — Trình mô phỏng</title>
<style>
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #e9eef3; }
  .app { max-width: 480px; margin: 0 auto; height: 100vh; height: 100dvh; display: flex; flex-direction: column; background: #fff; }
  header { padding: 10px 12px; background: #0068ff; color: #fff; display: flex; gap: 8px; align-items: center; }
  header h1 { font-size: 16px; margin: 0; flex: 1; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  header input { width: 110px; min-height: 44px; border: 0; border-radius: 4px; padding: 4px 8px; font-size: 15px; }
  #log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; }
  .msg { max-width: 85%; padding: 8px 10px; border-radius: 12px; white-space: pre-wrap; word-wrap: break-word; }
  .me { align-self: flex-end; background: #d7e8ff; }
  .bot { align-self: flex-start; background: #f1f1f1; }
  .notice { align-self: center; color: #777; font-size: 13px; }
  .buttons { display: flex; flex-direction: column; gap: 4px; margin-top: 6px; }
  .row { display: flex; gap: 4px; }
  .row button { flex: 1; min-height: 44px; border: 1px solid #0068ff; color: #0068ff; background: #fff; border-radius: 8px; padding: 8px; font-size: 15px; cursor: pointer; }
  .msg a { color: #0050c8; word-break: break-all; display: inline-block; min-height: 44px; line-height: 44px; }
  form { display: flex; gap: 6px; padding: 8px; border-top: 1px solid #ddd; }
  form input { flex: 1; min-height: 44px; padding: 10px; border: 1px solid #ccc; border-radius: 22px; font-size: 16px; }
  form button { min-width: 64px; min-height: 44px; padding: 0 16px; border: 0; border-radius: 22px; background: #0068ff; color: #fff; font-size: 15px; }
</style>
</head>
<body>
<div class="app">
  <header><h1>cds-bot · mô phỏng</h1><input id="user" aria-label="Mã người dùng" title="Mã người dùng (đổi để đóng vai người khác)"></header>
  <div id="log" aria-live="polite"></div>
  <form id="f"><input id="text" autocomplete="off" placeholder="Nhập tin nhắn, ví dụ /start" aria-label="message"><button>Gửi</button></form>
</div>
<script>
(function () {
  var log = document.getElementById('log');
  var userInput = document.getElementById('user');
  var textInput = document.getElementById('text');
  var stored = localStorage.getItem('cds-sim-user');
  userInput.value = stored || ('sim-' + Math.random().toString(36).slice(2, 8));
  localStorage.setItem('cds-sim-user', userInput.value);
  userInput.addEventListener('change', function () { localStorage.setItem('cds-sim-user', userInput.value); });

  // This page's own reader id: proactive messages read here stay readable by other pages.
  var reader = sessionStorage.getItem('cds-sim-reader');
  if (!reader) {
    reader = 'page-' + Math.random().toString(36).slice(2, 10);
    sessionStorage.setItem('cds-sim-reader', reader);
  }
  var URL_RE = /https?:\\/\\/[^\\s<>"]+[^\\s<>".,;:!?)]/g;
  /** Text with its http(s) links as tappable links (built as nodes: no HTML is parsed). */
  function fill(el, text) {
    var last = 0;
    text.replace(URL_RE, function (url, at) {
      el.appendChild(document.createTextNode(text.slice(last, at)));
      var a = document.createElement('a');
      a.href = url;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      a.textContent = url;
      el.appendChild(a);
      last = at + url.length;
      return url;
    });
    el.appendChild(document.createTextNode(text.slice(last)));
  }
  /** Keep the newest message — with its buttons — in view. */
  function reveal(el) {
    log.scrollTop = log.scrollHeight;
    if (el.scrollIntoView) el.scrollIntoView({ block: 'end' });
  }
  function add(cls, text) {
    var div = document.createElement('div');
    div.className = 'msg ' + cls;
    fill(div, text);
    log.appendChild(div);
    reveal(div);
    return div;
  }
  function showReply(r) {
    var div = add('bot', r.text);
    if (r.buttons) {
      var box = document.createElement('div');
      box.className = 'buttons';
      r.buttons.forEach(function (row) {
        var rowDiv = document.createElement('div');
        rowDiv.className = 'row';
        row.forEach(function (b) {
          var btn = document.createElement('button');
          btn.type = 'button';
          btn.textContent = b.label;
          btn.addEventListener('click', function () { send({ button: b.data }, b.label); });
          rowDiv.appendChild(btn);
        });
        box.appendChild(rowDiv);
      });
      div.appendChild(box);
      reveal(div);
    }
  }
  function send(payload, shown) {
    add('me', shown);
    payload.user = userInput.value;
    fetch('/sim/api/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
      .then(function (res) {
        if (!res.ok) { add('notice', 'Lỗi: ' + (res.body.error || 'không gửi được')); return; }
        res.body.replies.forEach(showReply);
      })
      .catch(function () { add('notice', 'Không kết nối được máy chủ.'); });
  }
  document.getElementById('f').addEventListener('submit', function (e) {
    e.preventDefault();
    var text = textInput.value;
    if (!text.trim()) return;
    textInput.value = '';
    send({ text: text }, text);
  });
  setInterval(function () {
    fetch('/sim/api/messages?user=' + encodeURIComponent(userInput.value) + '&reader=' + reader)
      .then(function (r) { return r.ok ? r.json() : { messages: [] }; })
      .then(function (j) { j.messages.forEach(showReply); })
      .catch(function () {});
  }, 3000);
  add('notice', 'Gõ /start để bắt đầu.');
})();
</script>
</body>
</html>
`;
