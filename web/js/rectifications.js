// 差评整改 (/rectifications, docs/api-ratings.md): the rectifications of the caller's subtree,
// filtered by status and time-limit state (overdue ones stand out); ?id= opens one with its rating,
// its history and the action its status allows (verify, rectify, return visit, close; review
// for admins and coordinators above the rated site), sent with If-Match: <version>.

import { apply } from './i18n.js';
import { api, clearError, showError } from './api.js';
import { $, clearNote, h, param, replaceQuery, setI18n } from './dom.js';
import { fmtTime, stateBadge } from './casekit.js';
import { fetchAll, signedOut, startStaffPage } from './staff.js';

const STATUSES = ['open', 'verified', 'rectified', 'visited', 'appealed', 'closed'];
const STATES = ['normal', 'due_soon', 'overdue'];
const NEXT = { open: 'verify', verified: 'rectify', rectified: 'visit', visited: 'close', appealed: 'review' };

let me = null;
let current = null; // the rectification shown
let seq = 0;

function statusBadge(s) {
  return STATUSES.includes(s) ? h('span', { cls: `badge rect-status rs-${s}`, i18n: `rect.st.${s}` }) : h('span', { cls: 'badge', text: s || '' });
}

function levelEl(level) {
  const n = Number(level);
  return n >= 1 && n <= 5 ? h('span', { cls: `badge lv-${n}`, i18n: `rect.lv.${n}` }) : h('span', { text: level ?? '' });
}

function actionKey(a) {
  return ['verify', 'rectify', 'visit', 'close', 'review', 'open', 'appeal'].includes(a) ? `rect.a.${a}` : null;
}

function userName(u) {
  if (!u) return '';
  if (typeof u === 'object') return u.name || u.login || '';
  return String(u);
}

// ---------------------------------------------------------------------------------------------
// The list

function row(r) {
  const rating = r.rating || {};
  const tr = h('tr', { cls: r.state === 'overdue' ? 'is-overdue' : null, attrs: { 'data-id': r.id } }, [
    h('th', { label: 'rect.id', attrs: { scope: 'row' } }, [
      h('a', { cls: 'code', text: `#${r.id}`, attrs: { href: `/rectifications?id=${encodeURIComponent(r.id)}`, 'data-id': r.id } }),
    ]),
    h('td', { label: 'rect.site', text: r.site || '' }),
    h('td', { label: 'rect.level' }, [levelEl(rating.level)]),
    h('td', { label: 'rect.opened_on', cls: 'code', text: r.opened_on || '' }),
    h('td', { label: 'rect.due', cls: 'code', text: r.due || '' }),
    h('td', { label: 'rect.status', cls: 'status' }, [statusBadge(r.status)]),
    h('td', { label: 'rect.state', cls: 'state' }, [stateBadge(r.state)]),
  ]);
  tr.querySelector('a').addEventListener('click', (ev) => {
    ev.preventDefault();
    openOne(r.id, { focus: true });
  });
  return tr;
}

async function loadList() {
  const mine = ++seq;
  setI18n($('list-status'), 'common.loading');
  const sp = new URLSearchParams();
  if ($('f-status').value) sp.set('status', $('f-status').value);
  if ($('f-state').value) sp.set('state', $('f-state').value);
  const qs = sp.toString();
  try {
    const items = await fetchAll(`/rectifications${qs ? `?${qs}` : ''}`);
    if (mine !== seq) return;
    const tbody = $('rows');
    tbody.textContent = '';
    for (const r of items) tbody.append(row(r));
    $('table').hidden = items.length === 0;
    if (items.length) setI18n($('list-status'), 'rect.count', { n: items.length });
    else setI18n($('list-status'), 'rect.none');
    apply($('table'));
  } catch (err) {
    if (mine !== seq || signedOut(err)) return;
    showError($('error'), err);
    setI18n($('list-status'), 'list.failed');
  }
}

// ---------------------------------------------------------------------------------------------
// One rectification

function fact(key, value, cls) {
  return h('div', { cls }, [h('dt', { i18n: key }), h('dd', {}, [].concat(value))]);
}

const text = (v) => (v === null || v === undefined || v === '' ? h('span', { cls: 'muted', text: '—' }) : h('span', { text: v }));

function render() {
  const r = current;
  const rating = r.rating || {};
  setI18n($('detail-h'), 'rect.detail_h', { id: `#${r.id}` });
  const badges = $('detail-badges');
  badges.textContent = '';
  badges.append(statusBadge(r.status), ' ', stateBadge(r.state));
  let target;
  if (rating.target === 'visit' || rating.number) target = h('span', { i18n: 'rect.target_visit', args: { number: rating.number || '' } });
  else target = h('span', { i18n: 'rect.target_case', args: { receipt: rating.receipt || '' } });
  const tags = Array.isArray(rating.tags) && rating.tags.length ? rating.tags.join('、') : null;
  const rows = [
    fact('rect.site', text(r.site)),
    fact('rect.target', target),
    fact('rect.level', levelEl(rating.level)),
    fact('rect.comment', text(rating.comment)),
    tags ? fact('rect.tags', text(tags)) : null,
    fact('rect.assignee', text(userName(r.assignee))),
    fact('rect.opened_on', text(r.opened_on)),
    fact('rect.due', text(r.due)),
    fact('rect.verification', text(r.verification)),
    r.verdict ? fact('rect.verdict', h('span', { i18n: r.verdict === 'founded' ? 'rect.verdict_founded' : 'rect.verdict_unfounded' })) : null,
    fact('rect.rectification', text(r.rectification)),
    fact('rect.visit_note', text(r.visit_note)),
    r.visit_satisfied === true || r.visit_satisfied === false
      ? fact('rect.visit_satisfied', h('span', { i18n: r.visit_satisfied ? 'rect.satisfied_yes' : 'rect.satisfied_no' })) : null,
    r.appeal ? fact('rect.appeal', text(r.appeal)) : null,
    r.review ? fact('rect.review', text(r.review)) : null,
    r.review_outcome ? fact('rect.review_outcome', h('span', { i18n: r.review_outcome === 'redo' ? 'rect.outcome_redo' : 'rect.outcome_upheld' })) : null,
  ].filter(Boolean);
  const dl = $('facts');
  dl.textContent = '';
  dl.append(...rows);

  const ol = $('events');
  ol.textContent = '';
  for (const ev of r.events || []) {
    const key = actionKey(ev.action);
    ol.append(h('li', {}, [
      h('p', { cls: 'tl-head' }, [
        h('span', { cls: 'code', text: fmtTime(ev.at) }), ' ',
        key ? h('strong', { cls: 'ev-action', i18n: key }) : h('strong', { cls: 'ev-action', text: ev.action }),
        ' ', h('span', { text: userName(ev.user) }),
      ]),
      ev.note ? h('p', { cls: 'muted', text: ev.note }) : null,
    ]));
  }
  renderAction();
  apply($('detail'));
}

function canReview() {
  return ['admin', 'coordinator'].includes(me.user.role) && me.site && Number(me.site.id) !== Number(current.site_id);
}

function radios(name, values) {
  const fs = h('fieldset', {}, [h('legend', { i18n: name === 'verdict' ? 'rect.verdict' : (name === 'satisfied' ? 'rect.visit_satisfied' : 'rect.review_outcome') })]);
  const wrap = h('div', { cls: 'radio-row' });
  values.forEach(([value, key], i) => {
    const id = `act-${name}-${value}`;
    const input = h('input', { attrs: { type: 'radio', name, id, value, checked: i === 0 } });
    wrap.append(h('label', { cls: 'check', attrs: { for: id } }, [input, h('span', { i18n: key })]));
  });
  fs.append(wrap);
  return fs;
}

function noteField() {
  return h('div', { cls: 'field' }, [
    h('label', { i18n: 'rect.note', attrs: { for: 'act-note' } }),
    h('textarea', { attrs: { id: 'act-note', rows: 3 } }),
  ]);
}

function renderAction() {
  const action = NEXT[current.status];
  const show = action && (action !== 'review' || canReview());
  const form = $('act-form');
  form.hidden = !show;
  $('no-actions').hidden = !!show;
  clearError($('action-error'));
  if (!show) return;
  form.setAttribute('data-action', action);
  setI18n($('act-h'), actionKey(action));
  const f = $('act-fields');
  f.textContent = '';
  if (action !== 'close') f.append(noteField());
  if (action === 'verify') f.append(radios('verdict', [['founded', 'rect.verdict_founded'], ['unfounded', 'rect.verdict_unfounded']]));
  if (action === 'visit') f.append(radios('satisfied', [['true', 'rect.satisfied_yes'], ['false', 'rect.satisfied_no']]));
  if (action === 'review') f.append(radios('outcome', [['upheld', 'rect.outcome_upheld'], ['redo', 'rect.outcome_redo']]));
  setI18n($('act-submit'), actionKey(action));
}

async function submitAction(ev) {
  ev.preventDefault();
  const action = $('act-form').getAttribute('data-action');
  const body = {};
  const note = $('act-note');
  if (note) body.note = note.value.trim();
  const pick = (name) => {
    const el = $('act-form').querySelector(`input[name="${name}"]:checked`);
    return el ? el.value : null;
  };
  if (action === 'verify') body.verdict = pick('verdict');
  if (action === 'visit') body.satisfied = pick('satisfied') === 'true';
  if (action === 'review') body.outcome = pick('outcome');
  const btn = $('act-submit');
  btn.disabled = true;
  clearError($('action-error'));
  clearNote($('notice'));
  try {
    const id = current.id;
    const res = await api('POST', `/rectifications/${encodeURIComponent(id)}/actions/${action}`, {
      body, csrf: me.csrf, headers: { 'If-Match': String(current.version) },
    });
    current = res && res.id !== undefined && res.status ? res : await api('GET', `/rectifications/${encodeURIComponent(id)}`);
    render();
    setI18n($('notice'), 'rect.done', { action: actionLabel(action) });
    loadList();
  } catch (err) {
    if (signedOut(err)) return;
    showError($('action-error'), err);
    if (err.status === 412 || err.code === 'wrong_state') {
      // Someone else acted meanwhile: show the rectification as it is now, keeping the message.
      try {
        current = await api('GET', `/rectifications/${encodeURIComponent(current.id)}`);
        render();
        showError($('action-error'), err);
      } catch {
        // the message already says enough
      }
    }
  } finally {
    btn.disabled = false;
  }
}

function actionLabel(action) {
  const el = h('span', { i18n: actionKey(action) });
  return el.textContent;
}

async function openOne(id, { focus = false } = {}) {
  clearError($('error'));
  clearNote($('notice'));
  replaceQuery({ id: String(id) });
  try {
    current = await api('GET', `/rectifications/${encodeURIComponent(id)}`);
  } catch (err) {
    if (signedOut(err)) return;
    showError($('error'), err);
    $('detail').hidden = true;
    return;
  }
  $('detail').hidden = false;
  render();
  if (focus) $('detail-h').focus();
}

async function main() {
  me = await startStaffPage();
  if (!me) {
    setI18n($('status'), 'list.failed');
    return;
  }
  const fs = $('f-status');
  fs.append(h('option', { i18n: 'rect.all', attrs: { value: '' } }));
  for (const s of STATUSES) {
    const o = h('option', { i18n: `rect.st.${s}` });
    o.value = s;
    fs.append(o);
  }
  const ft = $('f-state');
  ft.append(h('option', { i18n: 'rect.all', attrs: { value: '' } }));
  for (const s of STATES) {
    const o = h('option', { i18n: `case_state.${s}` });
    o.value = s;
    ft.append(o);
  }
  if (STATUSES.includes(param('status'))) fs.value = param('status');
  if (STATES.includes(param('state'))) ft.value = param('state');
  clearNote($('status'));
  $('content').hidden = false;
  $('filters').addEventListener('submit', (ev) => {
    ev.preventDefault();
    loadList();
  });
  $('act-form').addEventListener('submit', submitAction);
  $('back').addEventListener('click', (ev) => {
    ev.preventDefault();
    $('detail').hidden = true;
    current = null;
    replaceQuery({});
    $('list-h').setAttribute('tabindex', '-1');
    $('list-h').focus();
  });
  apply($('main'));
  loadList();
  if (param('id')) openOne(param('id'));
}

main().catch((e) => console.error(e));
