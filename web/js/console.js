// The window's calling console (/console, docs/api-queue.md): pick one of the own site's windows
// (remembered on this device), see its current ticket and the waiting list (refreshed every few
// seconds), call the next, call again, start, skip, finish (optionally linking the case it
// produced) or transfer to another window kind; take a ticket for a resident; today's figures.

import { apply } from './i18n.js';
import { ApiError, api, clearError, showError } from './api.js';
import { $, clearNote, h, setI18n, setPlain } from './dom.js';
import { fmtTime } from './casekit.js';
import { fetchAll, signedOut, startStaffPage } from './staff.js';

const KINDS = ['general', 'assisted', 'specialised', 'complaint', 'cross_region', 'issuance', 'self_service'];
const PRIORITIES = ['none', 'elderly', 'disabled', 'pregnant'];
const STORE_KEY = 'bangban.console.window';
const REFRESH_MS = 4000;
const STATS_MS = 30000;

let me = null;
let siteId = null;
let windows = [];
let windowId = null;
let queue = null; // the last GET /windows/{id}/queue
let busy = false;
let seq = 0;

const kindKey = (k) => `console.kind.${k}`;
const kindOk = (k) => KINDS.includes(k);

function kindEl(tag, k, cls) {
  return kindOk(k) ? h(tag, { cls, i18n: kindKey(k) }) : h(tag, { cls, text: k || '' });
}

function statusBadge(s) {
  const known = ['waiting', 'called', 'serving', 'done', 'no_show'].includes(s);
  return known ? h('span', { cls: `badge ts-${s}`, i18n: `console.ts.${s}` }) : h('span', { cls: 'badge', text: s || '' });
}

function prioBadge(p) {
  if (!p || p === 'none') return null;
  const known = [...PRIORITIES, 'appointment'].includes(p);
  return known ? h('span', { cls: 'badge badge-prio', i18n: `console.prio.${p}` }) : h('span', { cls: 'badge badge-prio', text: p });
}

function remember(id) {
  try {
    window.localStorage.setItem(STORE_KEY, String(id));
  } catch {
    // not remembered; still chosen
  }
}

function remembered() {
  try {
    return window.localStorage.getItem(STORE_KEY);
  } catch {
    return null;
  }
}

function fillKinds(select, kinds, withNone) {
  const keep = select.value;
  select.textContent = '';
  for (const k of kinds) {
    const o = kindOk(k) ? h('option', { i18n: kindKey(k) }) : h('option', { text: k });
    o.value = k;
    select.append(o);
  }
  if (withNone && !kinds.length) select.append(h('option', { i18n: 'common.none', attrs: { value: '' } }));
  if (kinds.includes(keep)) select.value = keep;
}

/** The kinds with an active window at the site, in the API's order. */
function siteKinds() {
  const set = new Set(windows.map((w) => w.kind));
  return KINDS.filter((k) => set.has(k)).concat([...set].filter((k) => !kindOk(k)));
}

function currentWindow() {
  return windows.find((w) => String(w.id) === String(windowId)) || null;
}

// ---------------------------------------------------------------------------------------------
// Rendering

function renderQueue() {
  const q = queue;
  const cur = q ? q.current : null;
  const num = $('current-number');
  const meta = $('current-meta');
  $('current').hidden = !cur;
  $('no-current').hidden = !!cur;
  meta.textContent = '';
  if (cur) {
    setPlain(num, cur.number);
    num.setAttribute('data-ticket', cur.id);
    meta.append(statusBadge(cur.status), ' ', kindEl('span', cur.kind, 'badge'));
    const p = prioBadge(cur.priority);
    if (p) meta.append(' ', p);
    if (cur.called_at) {
      meta.append(h('span', {}, [h('span', { i18n: 'console.called_at' }), ' ', h('span', { cls: 'code', text: fmtTime(cur.called_at) })]));
    }
    if (Number(cur.call_count) > 1) meta.append(h('span', { i18n: 'console.call_count', args: { n: cur.call_count } }));
  } else {
    setPlain(num, '');
    num.removeAttribute('data-ticket');
  }
  const st = cur ? cur.status : null;
  const noWin = !windowId;
  $('call').disabled = busy || noWin || !!cur;
  $('recall').disabled = busy || st !== 'called';
  $('start').disabled = busy || st !== 'called';
  $('skip').disabled = busy || st !== 'called';
  $('finish').disabled = busy || st !== 'serving';
  $('finish-case').disabled = st !== 'serving';
  const others = siteKinds().filter((k) => !cur || k !== cur.kind);
  fillKinds($('transfer-kind'), others, true);
  $('transfer').disabled = busy || !(st === 'called' || st === 'serving') || !others.length;
  $('transfer-kind').disabled = !(st === 'called' || st === 'serving') || !others.length;

  const list = $('waiting');
  list.textContent = '';
  const waiting = q && Array.isArray(q.waiting) ? q.waiting : [];
  for (const t of waiting) {
    const li = h('li', { attrs: { 'data-ticket': t.id } }, [
      h('span', { cls: 'desk-wnum code', text: t.number }), ' ',
      kindEl('span', t.kind, 'badge'),
    ]);
    const p = prioBadge(t.priority);
    if (p) li.append(' ', p);
    if (t.taken_at) li.append(' ', h('span', { cls: 'muted code', text: fmtTime(t.taken_at).slice(11) }));
    list.append(li);
  }
  const n = q ? Number(q.waiting_count ?? waiting.length) : 0;
  if (!q) clearNote($('waiting-count'));
  else if (n === 0) setI18n($('waiting-count'), 'console.waiting_none');
  else setI18n($('waiting-count'), 'console.waiting_count', { n });
  apply($('main'));
}

async function loadQueue() {
  if (!windowId) {
    queue = null;
    renderQueue();
    return;
  }
  const mine = ++seq;
  try {
    const q = await api('GET', `/windows/${encodeURIComponent(windowId)}/queue`);
    if (mine !== seq) return;
    queue = q;
    clearError($('error'));
    renderQueue();
  } catch (err) {
    if (mine !== seq || signedOut(err)) return;
    showError($('error'), err);
  }
}

function minutes(s) {
  if (s === null || s === undefined) return h('span', { cls: 'muted', text: '—' });
  return h('span', { i18n: 'console.minutes', args: { n: Math.round(Number(s) / 60) } });
}

async function loadStats() {
  try {
    const s = await api('GET', `/queue/stats?site=${encodeURIComponent(siteId)}`);
    clearError($('stats-error'));
    const tot = s.total || {};
    const dl = $('stats');
    dl.textContent = '';
    const fact = (key, val, id) => h('div', { attrs: { 'data-stat': id } }, [h('dt', { i18n: key }), h('dd', {}, [val])]);
    dl.append(
      fact('console.stats_tickets', h('span', { text: tot.tickets ?? 0 }), 'tickets'),
      fact('console.stats_served', h('span', { text: tot.served ?? 0 }), 'served'),
      fact('console.stats_no_show', h('span', { text: tot.no_show ?? 0 }), 'no_show'),
      fact('console.stats_avg_wait', minutes(tot.avg_wait_s), 'avg_wait'),
      fact('console.stats_max_wait', minutes(tot.max_wait_s), 'max_wait'),
      fact('console.stats_avg_serve', minutes(tot.avg_serve_s), 'avg_serve'),
    );
    const rows = $('stats-rows');
    rows.textContent = '';
    const byKind = Array.isArray(s.by_kind) ? s.by_kind.filter((r) => Number(r.tickets) > 0) : [];
    for (const r of byKind) {
      rows.append(h('tr', { attrs: { 'data-kind': r.kind } }, [
        h('th', { label: 'console.kind_col', attrs: { scope: 'row' } }, [kindEl('span', r.kind)]),
        h('td', { label: 'console.stats_tickets', text: r.tickets ?? 0 }),
        h('td', { label: 'console.stats_served', text: r.served ?? 0 }),
        h('td', { label: 'console.stats_no_show', text: r.no_show ?? 0 }),
        h('td', { label: 'console.stats_avg_wait' }, [minutes(r.avg_wait_s)]),
        h('td', { label: 'console.stats_avg_serve' }, [minutes(r.avg_serve_s)]),
      ]));
    }
    $('stats-table').hidden = byKind.length === 0;
    apply($('stats-h').parentNode);
  } catch (err) {
    if (signedOut(err)) return;
    showError($('stats-error'), err);
  }
}

// ---------------------------------------------------------------------------------------------
// Actions

async function act(what, call) {
  if (busy) return;
  busy = true;
  clearError($('action-error'));
  clearNote($('notice'));
  renderQueue();
  try {
    const t = await call();
    if (t && t.number) setI18n($('notice'), `console.done_${what}`, { number: t.number });
    if (what === 'finish') {
      $('finish-case').value = '';
      // 一次一评 at the window: the resident rates this visit on the window's tablet or phone.
      if (t && t.rate_code) {
        $('rate-now-link').href = `/rate?${new URLSearchParams({ ticket: t.id, code: t.rate_code, channel: 'window' })}`;
        $('rate-now').hidden = false;
      }
    } else if (what === 'call') {
      $('rate-now').hidden = true;
    }
  } catch (err) {
    if (signedOut(err)) return;
    if (err instanceof ApiError && err.code === 'queue_empty') setI18n($('notice'), 'console.queue_empty');
    else if (err instanceof ApiError && err.code === 'window_busy') setI18n($('action-error'), 'console.window_busy');
    else showError($('action-error'), err);
  } finally {
    busy = false;
  }
  await loadQueue();
  loadStats();
}

function ticketAction(action, body) {
  const cur = queue && queue.current;
  if (!cur) return null;
  return api('POST', `/tickets/${encodeURIComponent(cur.id)}/actions/${action}`, { body: body || {}, csrf: me.csrf });
}

function wireActions() {
  $('call').addEventListener('click', () => act('call', () =>
    api('POST', `/windows/${encodeURIComponent(windowId)}/call-next`, { body: {}, csrf: me.csrf })));
  for (const a of ['recall', 'start', 'skip']) {
    $(a).addEventListener('click', () => act(a, () => ticketAction(a)));
  }
  $('finish').addEventListener('click', () => {
    const receipt = $('finish-case').value.trim();
    act('finish', () => ticketAction('finish', receipt ? { case: receipt } : {}));
  });
  $('transfer').addEventListener('click', () => {
    const kind = $('transfer-kind').value;
    if (kind) act('transfer', () => ticketAction('transfer', { kind }));
  });
}

function wireTake() {
  const sel = $('t-priority');
  for (const p of PRIORITIES) {
    const o = h('option', { i18n: `console.prio.${p}` });
    o.value = p;
    sel.append(o);
  }
  $('take-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const btn = $('take-form').querySelector('button[type="submit"]');
    clearError($('take-error'));
    clearNote($('take-result'));
    const body = { site_id: siteId, kind: $('t-kind').value, priority: $('t-priority').value };
    const item = $('t-item').value.trim();
    if (item) body.item = item;
    btn.disabled = true;
    try {
      const t = await api('POST', '/tickets', { body, csrf: me.csrf });
      setI18n($('take-result'), 'console.taken', { number: t.number, n: t.waiting_before ?? 0 });
      $('t-item').value = '';
      await loadQueue();
      loadStats();
    } catch (err) {
      if (signedOut(err)) return;
      showError($('take-error'), err);
    } finally {
      btn.disabled = false;
    }
  });
}

function chooseWindow(id) {
  windowId = id;
  if (id) remember(id);
  queue = null;
  clearNote($('notice'));
  clearError($('action-error'));
  const w = currentWindow();
  if (w && siteKinds().includes(w.kind)) $('t-kind').value = w.kind;
  loadQueue();
}

async function main() {
  me = await startStaffPage();
  if (!me) {
    setI18n($('status'), 'list.failed');
    return;
  }
  siteId = me.site ? me.site.id : me.user.site_id;
  try {
    const all = await fetchAll(`/windows?site=${encodeURIComponent(siteId)}`);
    windows = all.filter((w) => Number(w.site_id) === Number(siteId) && w.active !== false);
  } catch (err) {
    if (signedOut(err)) return;
    showError($('error'), err);
    setI18n($('status'), 'list.failed');
    return;
  }
  clearNote($('status'));
  $('content').hidden = false;
  const sel = $('window');
  for (const w of windows) {
    const o = h('option', { text: w.name });
    o.value = String(w.id);
    o.setAttribute('data-kind', w.kind);
    sel.append(o);
  }
  $('no-windows').hidden = windows.length > 0;
  sel.disabled = windows.length === 0;
  fillKinds($('t-kind'), siteKinds(), true);
  wireActions();
  wireTake();
  const saved = remembered();
  const start = windows.find((w) => String(w.id) === saved) || windows[0] || null;
  if (start) sel.value = String(start.id);
  sel.addEventListener('change', () => chooseWindow(sel.value));
  chooseWindow(start ? String(start.id) : null);
  loadStats();
  apply($('main'));
  setInterval(() => {
    if (!busy && !document.hidden) loadQueue();
  }, REFRESH_MS);
  setInterval(() => {
    if (!document.hidden) loadStats();
  }, STATS_MS);
}

main().catch((e) => console.error(e));
