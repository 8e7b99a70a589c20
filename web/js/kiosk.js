// The hall's number machine (/kiosk?site=<id>, no sign-in; docs/api-queue.md): one big button per
// window kind the site has (the `waiting` list of its display snapshot), the 绿色通道 choice, and
// "I have a booking" (code + phone -> check-in). The ticket comes out as a printable slip: the
// number, the kind, how many are ahead, the time and the link that rates this visit.

import { apply, initI18n } from './i18n.js';
import { api, clearError, showError } from './api.js';
import { $, h, param, setI18n, setPlain } from './dom.js';
import {
  PRIORITIES, clearFields, dayTime, kindEl, kindKey, loadSites, markField, priorityKey, showApiError,
  siteOptions,
} from './public.js';

let site = '';
let siteName = '';
let busy = false;
let backTimer = null;
const BACK_AFTER_MS = 60000; // the slip goes away by itself for the next resident

function priority() {
  const on = document.querySelector('input[name="k-priority"]:checked');
  return on ? on.value : 'none';
}

function renderPriorities() {
  const box = $('priorities');
  box.textContent = '';
  for (const p of PRIORITIES) {
    const id = `k-priority-${p}`;
    const input = h('input', { attrs: { type: 'radio', name: 'k-priority', id, value: p, checked: p === 'none' } });
    box.append(h('label', { cls: 'pub-chip', attrs: { for: id } }, [input, h('span', { i18n: priorityKey(p) })]));
  }
}

function renderKinds(snapshot) {
  const list = $('kinds');
  list.textContent = '';
  for (const w of Array.isArray(snapshot.waiting) ? snapshot.waiting : []) {
    const btn = h('button', { cls: 'pub-kind-btn', attrs: { type: 'button', 'data-kind': w.kind } }, [
      kindEl('span', w.kind, 'pub-kind-name'),
      h('span', { cls: 'pub-kind-wait', i18n: 'kiosk.waiting_n', args: { n: w.count ?? 0 } }),
    ]);
    btn.addEventListener('click', () => take(w.kind, btn));
    list.append(h('li', {}, [btn]));
  }
  if (!list.children.length) setI18n($('status'), 'kiosk.no_windows');
}

async function refresh() {
  const snap = await api('GET', `/public/sites/${encodeURIComponent(site)}/queue`);
  siteName = snap.site || '';
  setPlain($('k-title'), siteName);
  document.title = `${siteName} · ${document.title.split(' · ').pop()}`;
  renderKinds(snap);
  return snap;
}

function showSlip(tk) {
  setPlain($('s-site'), siteName);
  setPlain($('s-number'), tk.number);
  const kind = $('s-kind');
  const key = kindKey(tk.kind);
  if (key) setI18n(kind, key);
  else setPlain(kind, tk.kind);
  const pri = $('s-priority');
  pri.hidden = !tk.priority || tk.priority === 'none';
  if (!pri.hidden) {
    pri.textContent = '';
    pri.removeAttribute('data-i18n');
    pri.append(h('span', { i18n: 'kiosk.green' }), ' · ', h('span', { i18n: priorityKey(tk.priority) || 'kiosk.green' }));
  }
  const n = tk.waiting_before;
  if (n === null || n === undefined) setPlain($('s-ahead'), '');
  else if (Number(n) === 0) setI18n($('s-ahead'), 'kiosk.ahead_none');
  else setI18n($('s-ahead'), 'kiosk.ahead_n', { n });
  setI18n($('s-time'), 'kiosk.taken_at', { t: dayTime(tk.taken_at) });
  const link = tk.rate_code
    ? `${window.location.origin}/rate?ticket=${encodeURIComponent(tk.id)}&code=${encodeURIComponent(tk.rate_code)}`
    : '';
  setPlain($('s-rate'), link);
  $('s-rate').previousElementSibling.hidden = !link;
  $('s-rate').hidden = !link;
  $('slip').setAttribute('data-ticket', String(tk.id));
  apply($('slip-box'));
  $('take').hidden = true;
  $('slip-box').hidden = false;
  $('slip-h').focus();
  if (backTimer) window.clearTimeout(backTimer);
  backTimer = window.setTimeout(onDone, BACK_AFTER_MS);
}

async function take(kind, btn) {
  if (busy) return;
  busy = true;
  clearError($('error'));
  btn.disabled = true;
  try {
    const body = { site_id: Number(site), kind };
    const p = priority();
    if (p !== 'none') body.priority = p;
    const tk = await api('POST', '/public/tickets', { body });
    showSlip(tk);
  } catch (err) {
    showApiError($('error'), err);
  }
  btn.disabled = false;
  busy = false;
}

async function onCheckIn(ev) {
  ev.preventDefault();
  clearFields($('appt-form'), $('a-error'));
  const code = $('a-code').value.trim().toUpperCase();
  const phone = $('a-phone').value.trim();
  if (!code) return markField('a-code', 'book.need_code');
  if (!phone) return markField('a-phone', 'pub.need_phone');
  const btn = $('a-go');
  btn.disabled = true;
  try {
    const tk = await api('POST', `/public/appointments/${encodeURIComponent(code)}/check-in`, { body: { phone } });
    $('a-code').value = '';
    $('a-phone').value = '';
    showSlip(tk);
  } catch (err) {
    showApiError($('a-error'), err, { phone: 'a-phone', code: 'a-code' });
  }
  btn.disabled = false;
  return null;
}

async function onDone() {
  if (backTimer) window.clearTimeout(backTimer);
  backTimer = null;
  if ($('slip-box').hidden) return;
  $('slip-box').hidden = true;
  $('take').hidden = false;
  const none = $('k-priority-none');
  if (none) none.checked = true;
  try {
    await refresh();
  } catch (err) {
    showError($('error'), err);
  }
  const first = $('kinds').querySelector('button');
  if (first) first.focus();
}

async function chooseSite() {
  $('site-form').hidden = false;
  try {
    siteOptions($('k-site'), await loadSites(), '');
  } catch (err) {
    showError($('error'), err);
  }
  $('site-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    if ($('k-site').value) window.location.search = `?site=${encodeURIComponent($('k-site').value)}`;
  });
}

async function main() {
  await initI18n();
  site = param('site');
  if (!/^[0-9]+$/.test(site)) {
    await chooseSite();
    document.body.setAttribute('data-ready', 'true');
    return;
  }
  renderPriorities();
  $('appt-form').addEventListener('submit', onCheckIn);
  $('s-print').addEventListener('click', () => window.print());
  $('s-done').addEventListener('click', onDone);
  setI18n($('status'), 'common.loading');
  try {
    await refresh();
    setPlain($('status'), '');
    $('take').hidden = false;
  } catch (err) {
    setPlain($('status'), '');
    showError($('error'), err);
    await chooseSite();
  }
  document.body.setAttribute('data-ready', 'true');
}

main().catch((e) => console.error(e));
