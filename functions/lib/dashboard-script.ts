/**
 * The dashboard's browser script, plain JavaScript sent inline and allowed by its hash in the
 * page's Content-Security-Policy. Every piece of data (addresses, folder names, server messages)
 * reaches the page as text (createTextNode / textContent), never as markup; attributes are set
 * only from our own words. The function key travels in a header, read from the page's own URL.
 */
export const DASHBOARD_SCRIPT = String.raw`'use strict';
(function () {
  var params = new URLSearchParams(location.search);
  var key = params.get('code');
  var every = Math.max(1, Number(params.get('refresh')) || 5) * 1000;
  var dataUrl = location.pathname.replace(/\/+$/, '') + '/data';
  var root = document.getElementById('batches');
  var status = document.getElementById('status');
  var last = {};
  var LABELS = { pending: 'Pending', running: 'Running', completed: 'Completed', 'completed-with-issues': 'Completed with issues', failed: 'Failed', interrupted: 'Interrupted' };

  function el(tag, cls) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) continue;
      e.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return e;
  }
  function cell(label, cls) {
    var td = el.apply(null, ['td', cls].concat([].slice.call(arguments, 2)));
    td.setAttribute('data-label', label);
    return td;
  }
  function size(n) {
    if (n < 1024) return n + ' B';
    if (n < 1048576) return (n / 1024).toFixed(1) + ' KB';
    if (n < 1073741824) return (n / 1048576).toFixed(1) + ' MB';
    return (n / 1073741824).toFixed(2) + ' GB';
  }
  function selected() {
    var m = /^#(b-[0-9a-f]{32}):(\d+)$/.exec(location.hash);
    return m ? { batch: m[1], offset: Number(m[2]) } : null;
  }
  function rate(b, m, now) {
    var k = b.id + ':' + m.line;
    var prev = last[k];
    last[k] = { at: now, messages: m.messages, bytes: m.bytes };
    if (m.messagesPerSecond !== null) return m.messagesPerSecond + ' msg/s (average)';
    if (m.state !== 'running' || !prev || now <= prev.at) return '';
    var secs = (now - prev.at) / 1000;
    return ((m.messages - prev.messages) / secs).toFixed(1) + ' msg/s, ' + size(Math.max(0, (m.bytes - prev.bytes) / secs)) + '/s';
  }
  function budget(m) {
    if (!m.budget) return null;
    var text = 'byte budget: ' + size(m.budget.usedBytes) + ' of ' + size(m.budget.limitBytes) + ' read';
    if (m.budget.resetsAt) text += ', next window ' + new Date(m.budget.resetsAt).toLocaleString();
    return el('span', 'budget', text);
  }
  function errors(m) {
    if (m.errors.length === 0) return '';
    var ul = el('ul', 'errors');
    m.errors.forEach(function (e) {
      ul.append(el('li', null, el('strong', null, e.code), e.folder ? ' in folder ' : '', e.folder ? el('q', null, e.folder) : null, ': ', e.message, el('br'), el('span', 'fix', 'Fix: ' + e.fix)));
    });
    return ul;
  }
  function pager(b) {
    var nav = el('nav', 'pager');
    nav.setAttribute('aria-label', 'Pages of mailboxes of ' + b.id);
    var from = b.offset + 1, to = b.offset + b.mailboxes.length;
    nav.append(el('span', null, 'Mailboxes ' + (b.mailboxes.length ? from + '–' + to : '0') + ' of ' + b.total + ' '));
    var step = Math.max(b.mailboxes.length, 50);
    if (b.offset > 0) { var p = el('a', null, 'Previous'); p.href = '#' + b.id + ':' + Math.max(0, b.offset - step); nav.append(p, ' '); }
    if (to < b.total) { var n = el('a', null, 'Next'); n.href = '#' + b.id + ':' + to; nav.append(n, ' '); }
    if (selected()) { var all = el('a', null, 'All batches'); all.href = '#'; nav.append(all); }
    return nav;
  }
  function batch(b, now) {
    var s = el('section', 'batch');
    var h = el('h2', null, 'Batch ', el('code', null, b.id));
    h.id = 'h-' + b.id;
    s.setAttribute('aria-labelledby', h.id);
    s.setAttribute('data-batch', b.id);
    var c = b.counts;
    var facts = [b.status, b.phase ? 'phase ' + b.phase : null, b.pass ? 'pass ' + b.pass + (b.mode === 'final' ? ' (cut-over)' : '') : null].filter(Boolean).join(', ');
    var summary = el('p', 'summary', facts + '. ' + b.total + ' mailboxes: ' + c.completed + ' completed, ' + c.withIssues + ' with issues, ' + c.failed + ' failed, ' + c.running + ' running, ' + c.pending + ' waiting; ' + c.messages + ' messages (' + size(c.bytes) + ') copied so far.');
    summary.setAttribute('data-summary', '');
    s.append(h, summary);
    if (b.reportUrl) {
      var a = el('a', null, 'Report of the last pass');
      a.href = b.reportUrl + (key ? '&code=' + encodeURIComponent(key) : '');
      s.append(el('p', null, a));
    }
    var t = el('table');
    t.append(el('caption', 'visually-hidden', 'Mailboxes of batch ' + b.id));
    var head = el('tr');
    ['Mailbox', 'State', 'Folders', 'Messages', 'Size', 'Rate', 'Verification', 'Errors and fixes'].forEach(function (l) { var th = el('th', null, l); th.scope = 'col'; head.append(th); });
    t.append(el('thead', null, head));
    var body = el('tbody');
    b.mailboxes.forEach(function (m) {
      var tr = el('tr', 'state-' + (LABELS[m.state] ? m.state : 'pending'));
      tr.setAttribute('data-line', String(m.line));
      var who = el('th', null, m.sourceEmail, m.sourceEmail === m.destinationEmail ? null : el('span', 'to', ' → ' + m.destinationEmail));
      who.scope = 'row';
      who.setAttribute('data-label', 'Mailbox');
      var v = m.verification ? m.verification.result + (m.verification.identity ? ' (' + m.verification.identity + ')' : '') : '';
      tr.append(
        who,
        cell('State', 'state', LABELS[m.state] || m.state, budget(m)),
        cell('Folders', 'num folders', m.folders.total === null || m.folders.total === m.folders.done ? String(m.folders.done) : m.folders.done + ' of ' + m.folders.total, m.currentFolder === null ? null : el('span', 'current', 'latest: ', el('q', null, m.currentFolder))),
        cell('Messages', 'num messages', String(m.messages)),
        cell('Size', 'num bytes', size(m.bytes)),
        cell('Rate', 'num rate', rate(b, m, now)),
        cell('Verification', 'verification', v),
        cell('Errors and fixes', 'errs', errors(m))
      );
      body.append(tr);
    });
    t.append(body);
    var wrap = el('div', 'table-wrap', t);
    s.append(wrap, pager(b));
    return s;
  }
  function show(text, bad) {
    status.textContent = text;
    status.className = bad ? 'bad' : '';
    // Announced only when something is wrong: a refresh every few seconds must not chatter.
    if (bad) status.setAttribute('role', 'alert');
    else status.removeAttribute('role');
  }
  function load() {
    var sel = selected();
    var url = dataUrl + (sel ? '?batch=' + sel.batch + '&offset=' + sel.offset : '');
    var headers = key ? { 'x-functions-key': key } : {};
    return fetch(url, { headers: headers, cache: 'no-store', credentials: 'omit' })
      .then(function (r) {
        if (r.status === 401 || r.status === 403) throw new Error('Not authorised: open this page with ?code=<the function key>.');
        if (!r.ok) throw new Error('The dashboard data answered HTTP ' + r.status + '.');
        return r.json();
      })
      .then(function (view) {
        var now = Date.now();
        var frag = document.createDocumentFragment();
        if (view.batches.length === 0) frag.append(el('p', null, 'No batches yet.'));
        view.batches.forEach(function (b) { frag.append(batch(b, now)); });
        root.replaceChildren(frag);
        show('Updated ' + new Date(view.generatedAt).toLocaleTimeString() + '; refreshing every ' + every / 1000 + ' s.', false);
        document.body.setAttribute('data-loaded', String(Number(document.body.getAttribute('data-loaded') || 0) + 1));
      })
      .catch(function (e) { show(e.message, true); });
  }
  function loop() {
    var again = function () { setTimeout(loop, every); };
    if (document.hidden) return again();
    load().then(again, again);
  }
  window.addEventListener('hashchange', function () { load(); });
  loop();
})();
`;
