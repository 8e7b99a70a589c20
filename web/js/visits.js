// 上门服务 (/visits, docs/api-desk.md): the signed-in agent's visits of a day (mine=true; untick
// to see everyone's in the caller's scope), each scheduled one with 已上门 (the outcome) and
// 取消 (a reason); and a form to schedule a visit for a case by its receipt.

import { apply } from './i18n.js';
import { api, clearError, showError } from './api.js';
import { $, clearNote, h, param, replaceQuery, setI18n } from './dom.js';
import { caseLink, chinaToday } from './casekit.js';
import { fetchAll, signedOut, startStaffPage } from './staff.js';

const GROUPS = ['elderly_alone', 'disabled', 'seriously_ill', 'other'];
const STATUSES = ['scheduled', 'done', 'cancelled'];

let me = null;
let seq = 0;
let acting = null; // { visit, action }

function badge(v) {
  return STATUSES.includes(v) ? h('span', { cls: `badge vs-${v}`, i18n: `visits.st.${v}` }) : h('span', { cls: 'badge', text: v || '' });
}

function groupEl(g) {
  return GROUPS.includes(g) ? h('span', { i18n: `visits.g.${g}` }) : h('span', { text: g || '' });
}

function item(v) {
  const c = v.case || {};
  if (!c.item) return '';
  return typeof c.item === 'object' ? (c.item.name || c.item.code || '') : String(c.item);
}

function card(v) {
  const receipt = v.case ? v.case.receipt : '';
  const li = h('li', { cls: 'visit', attrs: { 'data-id': v.id, 'data-receipt': receipt } }, [
    h('h3', { cls: 'visit-head' }, [
      h('span', { cls: 'code', text: `${v.day || ''} ${v.time || ''}`.trim() }), ' ',
      caseLink(receipt),
    ]),
    h('p', { cls: 'meta' }, [
      badge(v.status), groupEl(v.group), item(v) ? h('span', { text: item(v) }) : null,
      v.agent ? h('span', { text: v.agent.name || '' }) : null,
    ]),
    h('p', { cls: 'visit-address', text: v.address || '' }),
    v.outcome ? h('p', { cls: 'visit-outcome' }, [h('strong', { i18n: 'visits.outcome' }), '：', h('span', { text: v.outcome })]) : null,
  ]);
  if (v.status === 'scheduled') {
    const done = h('button', { cls: 'btn btn-primary btn-small', i18n: 'visits.done', attrs: { type: 'button', 'data-action': 'done' } });
    const cancel = h('button', { cls: 'btn btn-outline btn-small', i18n: 'visits.cancel', attrs: { type: 'button', 'data-action': 'cancel' } });
    done.addEventListener('click', () => openAction(v, 'done', li));
    cancel.addEventListener('click', () => openAction(v, 'cancel', li));
    li.append(h('div', { cls: 'toolbar' }, [done, cancel]));
  }
  return li;
}

async function loadList() {
  const mine = ++seq;
  setI18n($('list-status'), 'common.loading');
  const sp = new URLSearchParams({ date: $('date').value || chinaToday() });
  if ($('mine').checked) sp.set('mine', 'true');
  if ($('f-status').value) sp.set('status', $('f-status').value);
  try {
    const items = await fetchAll(`/home-visits?${sp}`);
    if (mine !== seq) return;
    if (acting) closeAction();
    const ul = $('visits');
    ul.textContent = '';
    for (const v of items) ul.append(card(v));
    if (items.length) setI18n($('list-status'), 'visits.count', { n: items.length });
    else setI18n($('list-status'), 'visits.none');
    apply(ul);
  } catch (err) {
    if (mine !== seq || signedOut(err)) return;
    showError($('error'), err);
    setI18n($('list-status'), 'list.failed');
  }
}

function openAction(v, action, li) {
  acting = { visit: v, action };
  const f = $('act-form');
  clearError($('act-error'));
  $('act-text').value = '';
  $('act-text').removeAttribute('aria-invalid');
  const receipt = v.case ? v.case.receipt : '';
  setI18n($('act-h'), action === 'done' ? 'visits.done_h' : 'visits.cancel_h', { receipt });
  setI18n($('act-label'), action === 'done' ? 'visits.outcome_label' : 'visits.reason_label');
  li.append(f);
  f.hidden = false;
  $('act-text').focus();
}

function closeAction() {
  $('act-form').hidden = true;
  $('visits').after($('act-form'));
  acting = null;
}

async function submitAction(ev) {
  ev.preventDefault();
  if (!acting) return;
  const { visit, action } = acting;
  const btn = $('act-submit');
  const body = action === 'done' ? { outcome: $('act-text').value.trim() } : { reason: $('act-text').value.trim() };
  btn.disabled = true;
  clearError($('act-error'));
  try {
    await api('POST', `/home-visits/${encodeURIComponent(visit.id)}/actions/${action}`, { body, csrf: me.csrf });
    closeAction(); // parks the form outside the list before it is redrawn
    setI18n($('notice'), action === 'done' ? 'visits.marked_done' : 'visits.marked_cancelled');
    await loadList();
  } catch (err) {
    if (signedOut(err)) return;
    showError($('act-error'), err);
    if (err.field) $('act-text').setAttribute('aria-invalid', 'true');
  } finally {
    btn.disabled = false;
  }
}

const FIELDS = { case: 's-receipt', day: 's-day', time: 's-time', address: 's-address', group: 's-group' };

async function schedule(ev) {
  ev.preventDefault();
  const btn = $('schedule-form').querySelector('button[type="submit"]');
  clearError($('schedule-error'));
  clearNote($('schedule-result'));
  for (const id of Object.values(FIELDS)) $(id).removeAttribute('aria-invalid');
  const body = {
    case: $('s-receipt').value.trim(), day: $('s-day').value, address: $('s-address').value.trim(),
    group: $('s-group').value,
  };
  if ($('s-time').value) body.time = $('s-time').value;
  btn.disabled = true;
  try {
    const v = await api('POST', '/home-visits', { body, csrf: me.csrf });
    setI18n($('schedule-result'), 'visits.scheduled', { day: v.day || body.day, receipt: v.case ? v.case.receipt : body.case });
    $('s-receipt').value = '';
    $('s-address').value = '';
    $('s-time').value = '';
    if ((v.day || body.day) === $('date').value) loadList();
  } catch (err) {
    if (signedOut(err)) return;
    showError($('schedule-error'), err);
    const id = err.field && FIELDS[err.field];
    if (id) $(id).setAttribute('aria-invalid', 'true');
  } finally {
    btn.disabled = false;
  }
}

async function main() {
  me = await startStaffPage();
  if (!me) {
    setI18n($('status'), 'list.failed');
    return;
  }
  const today = chinaToday();
  $('date').value = /^\d{4}-\d{2}-\d{2}$/.test(param('date')) ? param('date') : today;
  $('s-day').value = today;
  $('s-day').min = today;
  if (param('all') === '1') $('mine').checked = false;
  const fs = $('f-status');
  fs.append(h('option', { i18n: 'visits.all', attrs: { value: '' } }));
  for (const s of STATUSES) {
    const o = h('option', { i18n: `visits.st.${s}` });
    o.value = s;
    fs.append(o);
  }
  const g = $('s-group');
  for (const x of GROUPS) {
    const o = h('option', { i18n: `visits.g.${x}` });
    o.value = x;
    g.append(o);
  }
  if (param('receipt')) $('s-receipt').value = param('receipt');
  clearNote($('status'));
  $('content').hidden = false;
  $('filters').addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearNote($('notice'));
    replaceQuery({ date: $('date').value === today ? '' : $('date').value, all: $('mine').checked ? '' : '1' });
    loadList();
  });
  $('act-form').addEventListener('submit', submitAction);
  $('act-cancel').addEventListener('click', closeAction);
  $('schedule-form').addEventListener('submit', schedule);
  apply($('main'));
  loadList();
}

main().catch((e) => console.error(e));
