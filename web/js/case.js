// One case (/case?receipt=...): its summary (applicant masked), materials and who holds them,
// the entrustment, the handoffs along the relay and the timeline. The actions the server lists in
// allowed_actions get a button each; a button opens a small form for that action's body, sent as
// POST /cases/{receipt}/actions/{action} with If-Match: <version> and an Idempotency-Key. The
// server's refusals (409 wrong_state, 412 version_mismatch, 403, 422 by field) are shown as sent.

import { apply, t } from './i18n.js';
import { ApiError, api, clearError, newIdempotencyKey, showError } from './api.js';
import { $, clearNote, h, param, setI18n, setPlain } from './dom.js';
import { CASE_ACTIONS, label } from './labels.js';
import {
  caseStatusBadge, custodyOf, dateEl, daysLeftEl, fmtTime, pendingHandoff, siteNames, stateBadge,
} from './casekit.js';
import { signedOut, startStaffPage } from './staff.js';

let me = null;
let csrf = '';
let receipt = '';
let kase = null; // the case as last answered
let sites = null; // site names
const users = new Map(); // user id -> name (or null when not visible)
let open = null; // { action, key, body } of the open form

// ---------------------------------------------------------------------------------------------
// Reading

function fact(key, value) {
  const dd = h('dd', {}, [].concat(value));
  return h('div', {}, [h('dt', { i18n: key }), dd]);
}

function materialName(id) {
  const m = (kase.materials || []).find((x) => Number(x.material) === Number(id));
  return m ? m.name : `#${id}`;
}

async function userName(id) {
  if (id === null || id === undefined) return null;
  if (me.user && Number(id) === Number(me.user.id)) return me.user.name;
  if (!users.has(id)) {
    try {
      users.set(id, (await api('GET', `/users/${encodeURIComponent(id)}`)).name);
    } catch {
      users.set(id, null); // another site's staff: not visible to us
    }
  }
  return users.get(id);
}

async function render() {
  const c = kase;
  setPlain($('case-title'), c.item ? c.item.name : c.receipt);
  setI18n($('case-receipt'), 'case.receipt_line', { receipt: c.receipt });
  document.title = `${c.receipt} · ${t('nav.cases')}`;
  const badges = $('case-badges');
  badges.textContent = '';
  badges.append(caseStatusBadge(c.status));
  if (c.state) badges.append(stateBadge(c.state));

  // Summary
  const holderUser = await userName(c.holder_user_id);
  const holder = h('span', {}, [sites.el(c.holder_site_id)]);
  if (c.holder_user_id) {
    holder.append(' · ', holderUser ? h('span', { text: holderUser })
      : h('span', { i18n: 'case.user_n', args: { id: c.holder_user_id } }));
  } else {
    holder.append(' · ', h('span', { cls: 'muted', i18n: 'case.unclaimed' }));
  }
  const a = c.applicant || {};
  const applicant = h('span', { cls: 'applicant' }, [
    h('span', { text: a.name || '' }), ' · ',
    h('span', { cls: 'code', text: a.id_number || '' }), ' · ',
    h('span', { cls: 'code', text: a.phone || '' }),
  ]);
  const item = c.item || {};
  const itemEl = h('span', {}, [
    h('a', { text: item.name || item.code, attrs: { href: `/item?code=${encodeURIComponent(item.code || '')}` } }),
    ' ', h('span', { cls: 'code muted', text: item.code || '' }),
  ]);
  if (item.case_type) itemEl.append(' ', label('span', 'case_type', item.case_type, 'badge'));
  const deadline = h('span', {}, [dateEl(c.deadline)]);
  if (Number(c.extension_days) > 0) {
    deadline.append(' ', h('span', { cls: 'muted', i18n: 'case.extended_n', args: { n: c.extension_days } }));
  }
  const noticeDue = h('span', {}, [dateEl(c.notice_due)]);
  if (c.notice_given_on) {
    noticeDue.append(' ', h('span', { cls: 'muted', i18n: 'case.notice_given', args: { date: c.notice_given_on } }));
  }
  const state = h('span', {}, [stateBadge(c.state)]);
  if (c.paused) state.append(' ', h('span', { i18n: 'case.paused_note' }));
  if (c.provisional) state.append(' ', h('span', { cls: 'muted', i18n: 'case.provisional' }));
  const rows = [
    fact('case.item', itemEl),
    fact('case.applicant', applicant),
    c.query_code ? fact('case.query_code', h('span', { cls: 'code', text: c.query_code })) : null,
    c.channel ? fact('intake.channel', label('span', 'channel', c.channel)) : null,
    fact('case.site', sites.el(c.site_id)),
    fact('case.status', caseStatusBadge(c.status)),
    fact('case.holder', holder),
    fact('case.received_on', dateEl(c.received_on)),
    fact('case.notice_due', noticeDue),
    fact('case.accepted_on', dateEl(c.accepted_on)),
    fact('case.deadline', deadline),
    fact('case.days_left', daysLeftEl(c.days_left, { paused: !!c.paused })),
    fact('case.state', state),
  ].filter(Boolean);
  const dl = $('summary');
  dl.textContent = '';
  dl.append(...rows);

  // Materials
  const pend = pendingHandoff(c);
  const inTransit = new Set(pend ? (pend.materials || []).map(Number) : []);
  const tbody = $('materials');
  tbody.textContent = '';
  for (const m of c.materials || []) {
    const where = custodyOf(m);
    let custody;
    if (where !== null && where !== undefined) custody = sites.el(where);
    else if (m.received && inTransit.has(Number(m.material))) custody = h('span', { i18n: 'case.in_transit' });
    else custody = h('span', { cls: 'muted', text: '—' });
    tbody.append(h('tr', { attrs: { 'data-material': m.material } }, [
      h('th', { label: 'material.name', text: m.name, attrs: { scope: 'row' } }),
      h('td', { label: 'material.required' }, [h('span', { i18n: m.required ? 'material.required_yes' : 'material.required_no' })]),
      h('td', { label: 'case.received', cls: 'received' }, [
        h('span', { cls: m.received ? 'badge status-published' : 'badge status-draft', i18n: m.received ? 'case.yes' : 'case.no' }),
      ]),
      h('td', { label: 'case.custody' }, [custody]),
    ]));
  }

  // Entrustment
  const ent = $('entrustment');
  ent.textContent = '';
  const e = c.entrustment;
  if (!e) {
    ent.append(h('p', { cls: 'muted', i18n: 'case.no_entrustment' }));
  } else {
    const revoked = e.revoked === true || (e.revoked_at !== undefined && e.revoked_at !== null);
    ent.append(h('dl', { cls: 'facts' }, [
      fact('case.principal', h('span', { text: e.principal || a.name || '' })),
      fact('intake.ent_scope', h('span', { text: e.scope || '' })),
      fact('intake.ent_signed', dateEl(e.signed_on)),
      fact('intake.ent_until', dateEl(e.valid_until)),
      fact('case.ent_state', h('span', { i18n: revoked ? 'case.ent_revoked' : 'case.ent_valid' })),
    ]));
  }

  // Handoffs
  const hos = Array.isArray(c.handoffs) ? c.handoffs : [];
  $('no-handoffs').hidden = hos.length > 0;
  $('handoffs-table').hidden = hos.length === 0;
  const hb = $('handoffs');
  hb.textContent = '';
  for (const ho of hos) {
    const names = (ho.materials || []).map(materialName).join('、');
    const got = Array.isArray(ho.received_materials) ? ho.received_materials.map(materialName).join('、') : null;
    const mats = h('span', {}, [h('span', { text: names || '—' })]);
    if (got !== null && got !== names) {
      mats.append(h('br'), h('span', { cls: 'muted', i18n: 'handoff.arrived', args: { names: got || '—' } }));
    }
    hb.append(h('tr', { attrs: { 'data-handoff': ho.id } }, [
      h('td', { label: 'handoff.from' }, [sites.el(ho.from_site_id)]),
      h('td', { label: 'handoff.to' }, [sites.el(ho.to_site_id)]),
      h('td', { label: 'handoff.sent_at', cls: 'code', text: fmtTime(ho.sent_at) }),
      h('td', { label: 'handoff.due' }, [dateEl(ho.due)]),
      h('td', { label: 'handoff.received_at', cls: 'received-at' }, [ho.received_at
        ? h('span', { cls: 'code', text: fmtTime(ho.received_at) })
        : h('span', { cls: 'badge status-draft', i18n: 'handoff.pending' })]),
      h('td', { label: 'handoff.materials' }, [mats]),
      h('td', { label: 'handoff.discrepancy' }, [ho.discrepancy ? h('span', { text: ho.discrepancy }) : h('span', { cls: 'muted', text: '—' })]),
    ]));
  }

  // Timeline
  const ol = $('timeline');
  ol.textContent = '';
  for (const ev of c.timeline || []) {
    const li = h('li', {}, [
      h('p', { cls: 'tl-head' }, [
        h('span', { cls: 'code tl-time', text: fmtTime(ev.at) }), ' ',
        label('strong', 'case_action', ev.action, 'tl-action'), ' ',
        caseStatusBadge(ev.status),
      ]),
      h('p', { cls: 'meta' }, [ev.site_id ? sites.el(ev.site_id) : null, ev.note ? h('span', { cls: 'tl-note', text: ev.note }) : null]),
    ]);
    ol.append(li);
  }

  renderActions();
  apply($('main'));
}

// ---------------------------------------------------------------------------------------------
// Actions

// Which of the allowed actions moves the case on, for the caller's role (the filled button).
const MAIN_ORDER = {
  desk: ['receive', 'accept', 'submit', 'forward', 'decide', 'issue', 'return_materials', 'visit', 'archive'],
  agent: ['receive', 'submit', 'return_materials', 'visit', 'archive'],
  approver: ['decide'],
};

function mainAction(allowed) {
  const role = me.user ? me.user.role : '';
  const order = role === 'approver' ? MAIN_ORDER.approver
    : role === 'agent' || role === 'web_agent' ? MAIN_ORDER.agent : MAIN_ORDER.desk;
  return order.find((x) => allowed.includes(x)) || null;
}

function renderActions() {
  const box = $('actions');
  box.textContent = '';
  const allowed = (Array.isArray(kase.allowed_actions) ? kase.allowed_actions : [])
    .filter((x) => CASE_ACTIONS.includes(x));
  // The step that moves the case on is the filled button; the rest are outlined.
  const main = mainAction(allowed);
  for (const action of allowed) {
    const btn = h('button', {
      cls: `btn ${action === main ? 'btn-primary' : 'btn-outline'}`,
      i18n: `case_action.${action}`,
      attrs: { type: 'button', 'data-action': action, 'aria-expanded': 'false', 'aria-controls': 'action-form' },
    });
    btn.addEventListener('click', () => openForm(action));
    box.append(btn);
  }
  $('no-actions').hidden = allowed.length > 0;
  if (open && !allowed.includes(open.action)) closeForm(false);
}

let fieldSeq = 0;

function control(tag, field, attrs = {}) {
  const id = `f-${field}-${++fieldSeq}`;
  return h(tag, { attrs: { id, 'data-field': field, 'aria-describedby': `${id}-err`, ...attrs } });
}

function fieldBox(key, ctl, hintKey) {
  const hint = hintKey ? h('p', { cls: 'hint', i18n: hintKey, attrs: { id: `${ctl.id}-hint` } }) : null;
  if (hint) ctl.setAttribute('aria-describedby', `${hint.id} ${ctl.id}-err`);
  return h('div', { cls: 'field' }, [
    h('label', { i18n: key, attrs: { for: ctl.id } }),
    hint,
    ctl,
    h('p', { cls: 'field-error', attrs: { id: `${ctl.id}-err` } }),
  ]);
}

function textArea(key, field, { required = false } = {}) {
  const ta = control('textarea', field, { rows: 3, maxlength: 500 });
  if (required) ta.setAttribute('aria-required', 'true');
  return fieldBox(key, ta);
}

/** A fieldset of checkboxes for material ids; checked: the ones ticked at first. */
function materialBoxes(legendKey, ids, checked, hintKey) {
  const id = `f-materials-${++fieldSeq}`;
  const list = h('ul', { cls: 'choice-list' });
  for (const mid of ids) {
    const box = h('input', { attrs: { type: 'checkbox', value: mid, id: `${id}-${mid}` } });
    box.checked = checked.includes(mid);
    list.append(h('li', {}, [h('label', { cls: 'choice', attrs: { for: box.id } }, [
      box, h('span', { cls: 'choice-text' }, [h('span', { cls: 'choice-name', text: materialName(mid) })]),
    ])]));
  }
  if (!ids.length) list.append(h('li', { cls: 'muted', i18n: 'case.no_materials_here' }));
  const fs = h('fieldset', { attrs: { id, 'data-field': 'materials', 'data-kind': 'materials', 'aria-describedby': `${id}-err` } }, [
    h('legend', { i18n: legendKey }),
    hintKey ? h('p', { cls: 'hint', i18n: hintKey }) : null,
    list,
    h('p', { cls: 'field-error', attrs: { id: `${id}-err` } }),
  ]);
  return fs;
}

/** A yes/no radio pair (decide: approved, visit: satisfied); nothing chosen at first. */
function yesNo(field, legendKey, yesKey, noKey) {
  const id = `f-${field}-${++fieldSeq}`;
  const radio = (value, key) => {
    const r = h('input', { attrs: { type: 'radio', name: id, value, id: `${id}-${value}` } });
    return h('label', { cls: 'check', attrs: { for: r.id } }, [r, h('span', { i18n: key })]);
  };
  return h('fieldset', { attrs: { id, 'data-field': field, 'data-kind': 'bool', 'aria-describedby': `${id}-err` } }, [
    h('legend', { i18n: legendKey }),
    h('div', { cls: 'radio-row' }, [radio('true', yesKey), radio('false', noKey)]),
    h('p', { cls: 'field-error', attrs: { id: `${id}-err` } }),
  ]);
}

/** Sites to send the case to: up (the holder's ancestors, nearest first) or down. */
function siteSelect(field, choices, selected, { noneKey } = {}) {
  const sel = control('select', field);
  if (noneKey) sel.append(h('option', { i18n: noneKey, attrs: { value: '' } }));
  for (const id of choices) {
    const s = sites.get(id);
    const opt = s ? h('option', { text: s.name }) : h('option', { i18n: 'case.site_n', args: { id } });
    opt.value = String(id);
    sel.append(opt);
  }
  sel.value = selected === null || selected === undefined ? '' : String(selected);
  return sel;
}

function upChoices() {
  // The holder is the caller's own site (the server checks it): its ancestors are /me's path.
  const path = (me.path || []).map((p) => p.id);
  const at = path.indexOf(Number(kase.holder_site_id));
  return at > 0 ? path.slice(0, at).reverse() : [];
}

function downChoices() {
  const out = [];
  const add = (id) => {
    if (id !== null && id !== undefined && Number(id) !== Number(kase.holder_site_id) && !out.includes(Number(id))) out.push(Number(id));
  };
  add(kase.site_id);
  for (const ho of kase.handoffs || []) add(ho.from_site_id);
  return out;
}

function buildFields(action) {
  const c = kase;
  const mats = c.materials || [];
  const ids = (pred) => mats.filter(pred).map((m) => Number(m.material));
  const fields = [];
  switch (action) {
    case 'submit': {
      const up = upChoices();
      fields.push(fieldBox('case.to_site_up', siteSelect('to_site', up, up[0], { noneKey: up.length ? null : 'case.parent_default' })));
      const here = ids((m) => m.received && Number(custodyOf(m)) === Number(c.holder_site_id));
      fields.push(materialBoxes('case.materials_handover', here, here, 'case.materials_handover_hint'));
      fields.push(textArea('case.note', 'note'));
      break;
    }
    case 'receive': {
      const pend = pendingHandoff(c);
      const listed = pend ? (pend.materials || []).map(Number) : [];
      fields.push(materialBoxes('case.materials_arrived', listed, listed, 'case.materials_arrived_hint'));
      fields.push(textArea('case.discrepancy', 'discrepancy'));
      break;
    }
    case 'request_supplement': {
      const all = ids(() => true);
      fields.push(materialBoxes('case.materials_missing', all, ids((m) => m.required && !m.received)));
      fields.push(textArea('case.note', 'note'));
      break;
    }
    case 'supplement':
      fields.push(materialBoxes('case.materials_supplied', ids((m) => !m.received), []));
      break;
    case 'decide':
      fields.push(yesNo('approved', 'case.approved', 'case.approve_yes', 'case.approve_no'));
      fields.push(textArea('case.reason', 'reason'));
      break;
    case 'refuse':
      fields.push(textArea('case.reason_required', 'reason', { required: true }));
      fields.push(textArea('case.legal_basis_required', 'legal_basis', { required: true }));
      break;
    case 'issue': {
      const down = downChoices();
      fields.push(fieldBox('case.to_site_down', siteSelect('to_site', down, down.length ? down[0] : null, { noneKey: 'case.issue_here' })));
      break;
    }
    case 'visit':
      fields.push(yesNo('satisfied', 'case.satisfied', 'case.satisfied_yes', 'case.satisfied_no'));
      fields.push(textArea('case.note', 'note'));
      break;
    case 'withdraw':
      fields.push(textArea('case.reason_required', 'reason', { required: true }));
      break;
    case 'revoke_entrustment':
      fields.push(textArea('case.note', 'reason'));
      break;
    case 'extend': {
      const days = control('input', 'days', { type: 'number', min: 1, max: 60, step: 1, inputmode: 'numeric' });
      fields.push(fieldBox('case.extend_days', days, 'case.extend_days_hint'));
      fields.push(textArea('case.reason_required', 'reason', { required: true }));
      break;
    }
    case 'accept':
    case 'forward':
    case 'return_materials':
      fields.push(textArea('case.note', 'note'));
      break;
    default: // archive: nothing to fill in
      break;
  }
  return fields;
}

function collect() {
  const body = {};
  for (const el of $('action-fields').querySelectorAll('[data-field]')) {
    const f = el.getAttribute('data-field');
    const kind = el.getAttribute('data-kind');
    if (kind === 'materials') {
      body.materials = [...el.querySelectorAll('input:checked')].map((b) => Number(b.value));
    } else if (kind === 'bool') {
      const r = el.querySelector('input:checked');
      if (r) body[f] = r.value === 'true';
    } else if (f === 'to_site' || f === 'days') {
      const v = el.value.trim();
      if (v !== '') body[f] = /^-?\d+$/.test(v) ? Number(v) : v;
    } else {
      const v = el.value.trim();
      if (v !== '') body[f] = v;
    }
  }
  return body;
}

function openForm(action) {
  clearError($('action-error'));
  clearNote($('notice'));
  open = { action, key: null, body: null };
  setI18n($('action-form-h'), `case_action.${action}`);
  setI18n($('action-form-intro'), `case_help.${action}`);
  const box = $('action-fields');
  box.textContent = '';
  box.append(...buildFields(action));
  for (const b of $('actions').querySelectorAll('button')) {
    b.setAttribute('aria-expanded', String(b.getAttribute('data-action') === action));
  }
  $('action-form').hidden = false;
  apply($('action-form'));
  const first = box.querySelector('input, select, textarea');
  (first || $('action-go')).focus();
}

function closeForm(focusBack = true) {
  const action = open && open.action;
  open = null;
  $('action-form').hidden = true;
  $('action-fields').textContent = '';
  for (const b of $('actions').querySelectorAll('button')) b.setAttribute('aria-expanded', 'false');
  if (focusBack && action) {
    const btn = $('actions').querySelector(`button[data-action="${action}"]`);
    if (btn) btn.focus();
  }
}

function clearFieldErrors() {
  for (const el of $('action-form').querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const el of $('action-form').querySelectorAll('.field-error')) {
    el.removeAttribute('data-msg-zh');
    el.removeAttribute('data-msg-en');
    setPlain(el, '');
  }
}

function markField(err) {
  const el = err.field ? $('action-fields').querySelector(`[data-field="${err.field}"]`) : null;
  if (!el || !(err.messageZh || err.messageEn)) return false;
  el.setAttribute('aria-invalid', 'true');
  const msg = document.getElementById(`${el.id}-err`);
  if (msg) {
    msg.setAttribute('data-msg-zh', err.messageZh);
    msg.setAttribute('data-msg-en', err.messageEn);
    apply(msg.parentNode);
  }
  // The alert above repeats the message and says which field: "缺少必填字段 — 理由（必填）".
  const src = el.matches('fieldset') ? el.querySelector('legend')
    : document.querySelector(`label[for="${el.id}"]`);
  if (src && src.getAttribute('data-i18n')) {
    const box = $('action-error');
    clearError(box);
    const m = h('span');
    m.setAttribute('data-msg-zh', err.messageZh);
    m.setAttribute('data-msg-en', err.messageEn);
    box.append(m, h('span', { text: ' — ' }), h('span', { i18n: src.getAttribute('data-i18n') }));
    apply(box);
  }
  const target = el.matches('fieldset') ? el.querySelector('input') : el;
  if (target) target.focus();
  return true;
}

async function onAct(ev) {
  ev.preventDefault();
  if (!open) return;
  clearError($('action-error'));
  clearFieldErrors();
  const { action } = open;
  const body = collect();
  const text = JSON.stringify([kase.version, body]);
  if (open.body !== text) {
    open.body = text;
    open.key = newIdempotencyKey();
  }
  const go = $('action-go');
  go.disabled = true;
  $('action-form').setAttribute('aria-busy', 'true');
  try {
    kase = await api('POST', `/cases/${encodeURIComponent(receipt)}/actions/${action}`, {
      body, csrf, headers: { 'If-Match': String(kase.version), 'Idempotency-Key': open.key },
    });
  } catch (err) {
    go.disabled = false;
    $('action-form').removeAttribute('aria-busy');
    if (signedOut(err)) return;
    showError($('action-error'), err);
    if (err instanceof ApiError && (err.status === 409 || err.status === 412)) {
      // The case is not what this page shows any more: show it as it is now, keep the message.
      closeForm(false);
      await reload({ keepMessages: true });
      $('action-error').focus();
    } else if (!(err instanceof ApiError && markField(err))) {
      $('action-error').focus();
    }
    return;
  }
  go.disabled = false;
  $('action-form').removeAttribute('aria-busy');
  closeForm(false);
  await render();
  const notice = $('notice');
  clearNote(notice);
  notice.append(h('span', { i18n: 'case.done' }), label('span', 'case_action', action));
  notice.focus();
}

// ---------------------------------------------------------------------------------------------

async function reload({ keepMessages = false } = {}) {
  if (!keepMessages) {
    clearError($('action-error'));
    clearNote($('notice'));
  }
  try {
    kase = await api('GET', `/cases/${encodeURIComponent(receipt)}`);
  } catch (err) {
    if (signedOut(err)) return;
    showError($('error'), err);
    return;
  }
  await render();
}

async function main() {
  me = await startStaffPage();
  if (!me) {
    clearNote($('status'));
    return;
  }
  csrf = me.csrf || '';
  receipt = param('receipt').trim();
  if (!/^[A-Za-z0-9]{1,32}$/.test(receipt)) {
    clearNote($('status'));
    setI18n($('error'), 'case.no_receipt');
    return;
  }
  const [loaded, names] = await Promise.all([
    api('GET', `/cases/${encodeURIComponent(receipt)}`).then((c) => ({ c }), (err) => ({ err })),
    siteNames(me),
  ]);
  sites = names;
  clearNote($('status'));
  if (loaded.err) {
    if (signedOut(loaded.err)) return;
    showError($('error'), loaded.err);
    return;
  }
  kase = loaded.c;
  $('action-form').addEventListener('submit', onAct);
  $('action-cancel').addEventListener('click', () => {
    clearError($('action-error'));
    closeForm(true);
  });
  $('reload').addEventListener('click', () => reload());
  $('reload').hidden = false;
  await render();
  $('content').hidden = false;
}

main().catch((e) => console.error(e));
