// 投诉工单 (/complaints, docs/api-desk.md): the 办不成事 complaints of the caller's subtree with
// status and time-limit filters; one complaint (?id=) with assign (a staff member of its site or
// the caller's), answer and close; a form to record a complaint made at the window; and the
// 12345 hotline orders tab (?tab=hotline) with answer, link (a case opened for it) and close.
// District admins get a link to the hotline API keys.

import { apply } from './i18n.js';
import { api, clearError, showError } from './api.js';
import { $, clearNote, h, param, replaceQuery, setI18n } from './dom.js';
import { caseLink, fmtTime, stateBadge } from './casekit.js';
import { fetchAll, isCatalogAdmin, signedOut, startStaffPage } from './staff.js';

const STATUSES = ['open', 'assigned', 'answered', 'closed'];
const STATES = ['normal', 'overdue'];
const SOURCES = ['web', 'window', 'hotline'];
const H_STATUSES = ['open', 'answered', 'closed'];
const H_KINDS = ['complaint', 'consultation', 'case'];

let me = null;
let tab = 'complaints';
let current = null;
let order = null;
let seq = 0;
let hseq = 0;

const dash = () => h('span', { cls: 'muted', text: '—' });
const text = (v) => (v === null || v === undefined || v === '' ? dash() : h('span', { text: v }));

function badge(prefix, values, v, cls) {
  return values.includes(v) ? h('span', { cls: `badge ${cls}-${v}`, i18n: `${prefix}.${v}` }) : h('span', { cls: 'badge', text: v || '' });
}

function fact(key, value) {
  return h('div', {}, [h('dt', { i18n: key }), h('dd', {}, [].concat(value))]);
}

function itemText(item) {
  if (!item) return null;
  if (typeof item === 'string') return item;
  return item.name ? `${item.name}（${item.code}）` : item.code;
}

function short(s, n = 40) {
  const t = String(s || '');
  return t.length > n ? `${t.slice(0, n)}…` : t;
}

// ---------------------------------------------------------------------------------------------
// Complaints

function row(c) {
  const a = h('a', { cls: 'code', text: c.code, attrs: { href: `/complaints?id=${encodeURIComponent(c.id)}` } });
  a.addEventListener('click', (ev) => {
    ev.preventDefault();
    openComplaint(c.id, { focus: true });
  });
  return h('tr', { cls: c.state === 'overdue' ? 'is-overdue' : null, attrs: { 'data-id': c.id, 'data-code': c.code } }, [
    h('th', { label: 'complaints.code', attrs: { scope: 'row' } }, [a]),
    h('td', { label: 'complaints.opened_on', cls: 'code', text: c.opened_on || '' }),
    h('td', { label: 'complaints.description', text: short(c.description) }),
    h('td', { label: 'complaints.source' }, [badge(`complaints.src`, SOURCES, c.source, 'src')]),
    h('td', { label: 'complaints.due', cls: 'code', text: c.due || '' }),
    h('td', { label: 'complaints.status', cls: 'status' }, [badge(`complaints.st`, STATUSES, c.status, 'cst')]),
    h('td', { label: 'complaints.state', cls: 'state' }, [stateBadge(c.state)]),
  ]);
}

async function loadList() {
  const mine = ++seq;
  setI18n($('list-status'), 'common.loading');
  const sp = new URLSearchParams();
  if ($('f-status').value) sp.set('status', $('f-status').value);
  if ($('f-state').value) sp.set('state', $('f-state').value);
  const qs = sp.toString();
  try {
    const items = await fetchAll(`/complaints${qs ? `?${qs}` : ''}`);
    if (mine !== seq) return;
    const tbody = $('rows');
    tbody.textContent = '';
    for (const c of items) tbody.append(row(c));
    $('table').hidden = items.length === 0;
    if (items.length) setI18n($('list-status'), 'complaints.count', { n: items.length });
    else setI18n($('list-status'), 'complaints.none');
    apply($('table'));
  } catch (err) {
    if (mine !== seq || signedOut(err)) return;
    showError($('error'), err);
    setI18n($('list-status'), 'list.failed');
  }
}

async function staffFor(siteId) {
  const ids = [...new Set([Number(siteId), Number(me.site.id)])];
  const lists = await Promise.all(ids.map((id) => fetchAll(`/users?site=${encodeURIComponent(id)}`).catch(() => [])));
  const seen = new Set();
  const out = [];
  for (const u of lists.flat()) {
    if (seen.has(u.id) || u.active === false) continue;
    if (!ids.includes(Number(u.site_id))) continue;
    seen.add(u.id);
    out.push(u);
  }
  return out;
}

async function renderComplaint() {
  const c = current;
  setI18n($('detail-h'), 'complaints.detail_h', { code: c.code });
  const b = $('detail-badges');
  b.textContent = '';
  b.append(badge(`complaints.st`, STATUSES, c.status, 'cst'), ' ', stateBadge(c.state), ' ', badge(`complaints.src`, SOURCES, c.source, 'src'));
  const dl = $('facts');
  dl.textContent = '';
  dl.append(
    fact('complaints.site', text(c.site)),
    fact('complaints.item', text(itemText(c.item))),
    fact('complaints.name', h('span', {}, [h('span', { text: c.name || '' }), ' ', h('span', { cls: 'code', text: c.phone || '' })])),
    fact('complaints.description', h('span', { cls: 'prose', text: c.description || '' })),
    fact('complaints.opened_on', text(c.opened_on)),
    fact('complaints.due', text(c.due)),
    fact('complaints.assignee', text(c.assignee ? c.assignee.name : null)),
    fact('complaints.answer', c.answer ? h('span', { cls: 'prose c-answer', text: c.answer }) : dash()),
    fact('complaints.answered_at', text(fmtTime(c.answered_at))),
  );
  if (c.level !== null && c.level !== undefined) {
    const n = Number(c.level);
    dl.append(fact('complaints.level', n >= 1 && n <= 5 ? h('span', { i18n: `rect.lv.${n}` }) : text(c.level)));
  }
  const answerable = c.status === 'open' || c.status === 'assigned';
  $('assign-form').hidden = !answerable;
  $('answer-form').hidden = !answerable;
  $('close-row').hidden = c.status !== 'answered';
  $('no-actions').hidden = answerable || c.status === 'answered';
  if (answerable) {
    const sel = $('assign-user');
    sel.textContent = '';
    const users = await staffFor(c.site_id);
    for (const u of users) {
      const o = h('option', { text: u.name });
      o.value = String(u.id);
      sel.append(o);
    }
    if (c.assignee) sel.value = String(c.assignee.id);
  }
  apply($('detail'));
}

async function openComplaint(id, { focus = false } = {}) {
  clearError($('error'));
  clearNote($('notice'));
  clearError($('action-error'));
  replaceQuery({ id: String(id) });
  try {
    current = await api('GET', `/complaints/${encodeURIComponent(id)}`);
  } catch (err) {
    if (signedOut(err)) return;
    showError($('error'), err);
    $('detail').hidden = true;
    return;
  }
  $('detail').hidden = false;
  $('answer-text').value = '';
  await renderComplaint();
  if (focus) $('detail-h').focus();
}

async function complaintAction(action, body, btn) {
  btn.disabled = true;
  clearError($('action-error'));
  clearNote($('notice'));
  try {
    const id = current.id;
    const res = await api('POST', `/complaints/${encodeURIComponent(id)}/actions/${action}`, { body, csrf: me.csrf });
    current = res && res.code && res.status ? res : await api('GET', `/complaints/${encodeURIComponent(id)}`);
    if (action === 'answer') $('answer-text').value = '';
    await renderComplaint();
    setI18n($('notice'), `complaints.done_${action}`);
    loadList();
  } catch (err) {
    if (signedOut(err)) return;
    showError($('action-error'), err);
  } finally {
    btn.disabled = false;
  }
}

async function fileComplaint(ev) {
  ev.preventDefault();
  const btn = $('file-form').querySelector('button[type="submit"]');
  clearError($('file-error'));
  clearNote($('file-result'));
  const body = {
    name: $('c-name').value.trim(), phone: $('c-phone').value.trim(), description: $('c-description').value.trim(),
  };
  const item = $('c-item').value.trim();
  if (item) body.item = item;
  for (const id of ['c-name', 'c-phone', 'c-item', 'c-description']) $(id).removeAttribute('aria-invalid');
  btn.disabled = true;
  try {
    const c = await api('POST', '/complaints', { body, csrf: me.csrf });
    setI18n($('file-result'), 'complaints.filed', { code: c.code });
    for (const id of ['c-name', 'c-phone', 'c-item', 'c-description']) $(id).value = '';
    loadList();
  } catch (err) {
    if (signedOut(err)) return;
    showError($('file-error'), err);
    const map = { name: 'c-name', phone: 'c-phone', item: 'c-item', description: 'c-description' };
    if (err.field && map[err.field]) $(map[err.field]).setAttribute('aria-invalid', 'true');
  } finally {
    btn.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------
// 12345 hotline orders

function hRow(o) {
  const a = h('a', { cls: 'code', text: o.order_no, attrs: { href: `/complaints?tab=hotline&order=${encodeURIComponent(o.id)}` } });
  a.addEventListener('click', (ev) => {
    ev.preventDefault();
    openOrder(o.id, { focus: true });
  });
  return h('tr', { attrs: { 'data-id': o.id, 'data-order': o.order_no } }, [
    h('th', { label: 'hotline.order_no', attrs: { scope: 'row' } }, [a]),
    h('td', { label: 'hotline.kind' }, [badge(`hotline.k`, H_KINDS, o.kind, 'hk')]),
    h('td', { label: 'hotline.description', text: short(o.description) }),
    h('td', { label: 'hotline.created_at', cls: 'code', text: fmtTime(o.created_at) }),
    h('td', { label: 'hotline.status', cls: 'status' }, [badge(`hotline.st`, H_STATUSES, o.status, 'hst')]),
  ]);
}

async function loadOrders() {
  const mine = ++hseq;
  setI18n($('h-list-status'), 'common.loading');
  const sp = new URLSearchParams();
  if ($('h-status').value) sp.set('status', $('h-status').value);
  const qs = sp.toString();
  try {
    const items = await fetchAll(`/hotline-orders${qs ? `?${qs}` : ''}`);
    if (mine !== hseq) return;
    const tbody = $('h-rows');
    tbody.textContent = '';
    for (const o of items) tbody.append(hRow(o));
    $('h-table').hidden = items.length === 0;
    if (items.length) setI18n($('h-list-status'), 'hotline.count', { n: items.length });
    else setI18n($('h-list-status'), 'hotline.none');
    apply($('h-table'));
  } catch (err) {
    if (mine !== hseq || signedOut(err)) return;
    showError($('error'), err);
    setI18n($('h-list-status'), 'list.failed');
  }
}

function renderOrder() {
  const o = order;
  setI18n($('h-detail-h'), 'hotline.detail_h', { no: o.order_no });
  const b = $('h-badges');
  b.textContent = '';
  b.append(badge(`hotline.k`, H_KINDS, o.kind, 'hk'), ' ', badge(`hotline.st`, H_STATUSES, o.status, 'hst'));
  const dl = $('h-facts');
  dl.textContent = '';
  const site = o.site && typeof o.site === 'object' ? o.site.name : o.site;
  dl.append(
    fact('complaints.site', text(site)),
    fact('hotline.item', text(itemText(o.item))),
    fact('hotline.name', h('span', {}, [h('span', { text: o.name || '' }), ' ', h('span', { cls: 'code', text: o.phone || '' })])),
    fact('hotline.description', h('span', { cls: 'prose', text: o.description || '' })),
    fact('hotline.created_at', text(fmtTime(o.created_at))),
    fact('hotline.answer', o.answer ? h('span', { cls: 'prose h-answer', text: o.answer }) : dash()),
  );
  if (o.case) dl.append(fact('hotline.case', caseLink(typeof o.case === 'object' ? o.case.receipt : o.case)));
  if (o.complaint) dl.append(fact('hotline.complaint', text(typeof o.complaint === 'object' ? o.complaint.code : o.complaint)));
  const open = o.status === 'open' && o.kind !== 'complaint';
  $('h-answer-form').hidden = !open;
  $('h-link-form').hidden = !(open && o.kind === 'case');
  $('h-close-row').hidden = o.status === 'closed';
  apply($('h-detail'));
}

async function openOrder(id, { focus = false } = {}) {
  clearError($('error'));
  clearNote($('h-notice'));
  clearError($('h-action-error'));
  replaceQuery({ tab: 'hotline', order: String(id) });
  try {
    order = await api('GET', `/hotline-orders/${encodeURIComponent(id)}`);
  } catch (err) {
    if (signedOut(err)) return;
    showError($('error'), err);
    $('h-detail').hidden = true;
    return;
  }
  $('h-detail').hidden = false;
  renderOrder();
  if (focus) $('h-detail-h').focus();
}

async function orderAction(action, body, btn) {
  btn.disabled = true;
  clearError($('h-action-error'));
  clearNote($('h-notice'));
  try {
    const id = order.id;
    const res = await api('POST', `/hotline-orders/${encodeURIComponent(id)}/actions/${action}`, { body, csrf: me.csrf });
    order = res && res.order_no && res.status ? res : await api('GET', `/hotline-orders/${encodeURIComponent(id)}`);
    if (action === 'answer') $('h-answer-text').value = '';
    if (action === 'link') $('h-receipt').value = '';
    renderOrder();
    setI18n($('h-notice'), `hotline.done_${action}`);
    loadOrders();
  } catch (err) {
    if (signedOut(err)) return;
    showError($('h-action-error'), err);
  } finally {
    btn.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------

function showTab(t, { push = true } = {}) {
  tab = t === 'hotline' ? 'hotline' : 'complaints';
  for (const a of $('tabs').querySelectorAll('a')) {
    if (a.getAttribute('data-tab') === tab) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  $('pane-complaints').hidden = tab !== 'complaints';
  $('pane-hotline').hidden = tab !== 'hotline';
  if (push) replaceQuery({ tab: tab === 'hotline' ? 'hotline' : '' });
  if (tab === 'hotline') loadOrders();
  else loadList();
}

function options(select, prefix, values, allKey) {
  select.append(h('option', { i18n: allKey, attrs: { value: '' } }));
  for (const v of values) {
    const o = h('option', { i18n: `${prefix}.${v}` });
    o.value = v;
    select.append(o);
  }
}

async function main() {
  me = await startStaffPage();
  if (!me) {
    setI18n($('status'), 'list.failed');
    return;
  }
  $('apikeys-link').hidden = !isCatalogAdmin(me);
  options($('f-status'), `complaints.st`, STATUSES, 'complaints.all');
  options($('f-state'), 'case_state', STATES, 'complaints.all');
  options($('h-status'), `hotline.st`, H_STATUSES, 'complaints.all');
  clearNote($('status'));
  $('content').hidden = false;
  for (const a of $('tabs').querySelectorAll('a')) {
    a.addEventListener('click', (ev) => {
      ev.preventDefault();
      showTab(a.getAttribute('data-tab'));
    });
  }
  $('filters').addEventListener('submit', (ev) => {
    ev.preventDefault();
    loadList();
  });
  $('h-filters').addEventListener('submit', (ev) => {
    ev.preventDefault();
    loadOrders();
  });
  $('assign-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const user = Number($('assign-user').value);
    complaintAction('assign', { user }, $('assign-form').querySelector('button'));
  });
  $('answer-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    complaintAction('answer', { answer: $('answer-text').value.trim() }, $('answer-form').querySelector('button'));
  });
  $('close').addEventListener('click', () => complaintAction('close', {}, $('close')));
  $('back').addEventListener('click', (ev) => {
    ev.preventDefault();
    $('detail').hidden = true;
    current = null;
    replaceQuery({});
    $('list-h').setAttribute('tabindex', '-1');
    $('list-h').focus();
  });
  $('file-form').addEventListener('submit', fileComplaint);
  $('h-answer-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    orderAction('answer', { answer: $('h-answer-text').value.trim() }, $('h-answer-form').querySelector('button'));
  });
  $('h-link-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    orderAction('link', { receipt: $('h-receipt').value.trim() }, $('h-link-form').querySelector('button'));
  });
  $('h-close').addEventListener('click', () => orderAction('close', {}, $('h-close')));
  apply($('main'));
  showTab(param('tab'), { push: false });
  if (tab === 'complaints' && param('id')) openComplaint(param('id'));
  if (tab === 'hotline' && param('order')) openOrder(param('order'));
}

main().catch((e) => console.error(e));
