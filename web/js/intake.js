// Intake wizard (/intake): a village agent (or a clerk) opens a case in four steps, on a phone.
//   1. the item, from the site's own list (GET /sites/{site}/items), filtered as you type
//   2. the applicant: name, ID number, phone (hints here; the server decides)
//   3. the entrustment: required for agents, prefilled "代办<item>", signed today, 3 months
//   4. the materials checklist of the item (GET /items/{code}): tick what was received
// POST /cases with an Idempotency-Key that stays the same while the same submission is retried.
// The result: the receipt number, the query code and, when required materials are missing, the
// one-time notice (GET /cases/{receipt}/notice), printable.

import { apply } from './i18n.js';
import { ApiError, api, clearError, newIdempotencyKey, showError } from './api.js';
import { $, h, setI18n, setPlain } from './dom.js';
import { CHANNELS, label, options } from './labels.js';
import { addMonths, chinaToday } from './casekit.js';
import { canTakeIntake, isAgent, signedOut, startStaffPage } from './staff.js';

let me = null;
let csrf = '';
let agent = false;
let siteItems = []; // [{code, name, domain, case_type, mode}]
let chosen = null; // the chosen row of siteItems
let item = null; // GET /items/{code} of the chosen one
let defaultScope = '';
let step = 1;
let pending = null; // { body: JSON text, key } of the submission being sent or retried

// ---------------------------------------------------------------------------------------------
// Client-side hints (the server has the last word)

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/** GB 11643: 17 digits, a valid birth date, and the check character. */
function idLooksValid(s) {
  if (!/^\d{17}[\dX]$/.test(s)) return false;
  const y = Number(s.slice(6, 10));
  const m = Number(s.slice(10, 12));
  const d = Number(s.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(s[i]) * ID_WEIGHTS[i];
  return '10X98765432'[sum % 11] === s[17];
}

function checkId() {
  const v = $('a-id').value.trim().toUpperCase();
  const el = $('a-id-check');
  if (!v) setPlain(el, '');
  else if (v.length !== 18) setI18n(el, 'intake.id_length', { n: v.length });
  else if (!idLooksValid(v)) setI18n(el, 'intake.id_check');
  else setPlain(el, '');
}

function checkPhone() {
  const v = $('a-phone').value.trim();
  const el = $('a-phone-check');
  if (!v || /^1[3-9]\d{9}$/.test(v)) setPlain(el, '');
  else setI18n(el, 'intake.phone_check');
}

/** A code prefix, or a name holding the query's characters in order (as the server's q). */
function matches(it, q) {
  if (!q) return true;
  if (/^\d+$/.test(q) && it.code.startsWith(q)) return true;
  const want = [...q];
  let i = 0;
  for (const ch of it.name) if (i < want.length && ch === want[i]) i++;
  return i === want.length;
}

// ---------------------------------------------------------------------------------------------
// Steps

function showStep(n, { focus = true } = {}) {
  step = n;
  for (let i = 1; i <= 4; i++) $(`step-${i}`).hidden = i !== n;
  for (const li of document.querySelectorAll('.stepper li')) {
    const k = Number(li.getAttribute('data-step'));
    if (k === n) li.setAttribute('aria-current', 'step');
    else li.removeAttribute('aria-current');
    li.classList.toggle('done', k < n);
  }
  if (focus) $(`step-${n}-h`).focus();
}

function renderItems() {
  const q = $('item-q').value.trim();
  const ul = $('item-list');
  ul.textContent = '';
  const shown = siteItems.filter((it) => matches(it, q));
  for (const it of shown) {
    const id = `it-${it.code}`;
    const radio = h('input', { attrs: { type: 'radio', name: 'item', value: it.code, id } });
    radio.checked = !!chosen && chosen.code === it.code;
    radio.addEventListener('change', () => {
      chosen = it;
      clearFieldError($('item-field'));
    });
    ul.append(h('li', { attrs: { 'data-code': it.code } }, [
      h('label', { cls: 'choice', attrs: { for: id } }, [
        radio,
        h('span', { cls: 'choice-text' }, [
          h('span', { cls: 'choice-name', text: it.name }),
          h('span', { cls: 'meta' }, [
            h('span', { cls: 'code', text: it.code }),
            label('span', 'mode', it.mode, `badge mode-${it.mode}`),
            label('span', 'case_type', it.case_type),
          ]),
        ]),
      ]),
    ]));
  }
  if (!siteItems.length) setI18n($('item-count'), 'intake.no_items');
  else if (!shown.length) setI18n($('item-count'), 'common.no_results');
  else setI18n($('item-count'), 'list.count_all', { n: shown.length });
}

function chosenLine(el) {
  el.textContent = '';
  el.append(h('span', { i18n: 'intake.chosen' }), h('strong', { text: chosen ? chosen.name : '' }));
}

async function leaveStep1() {
  clearError($('form-error'));
  if (!chosen) {
    markField($('item-field'), null, 'intake.choose_item');
    return;
  }
  const btn = $('next-1');
  btn.disabled = true;
  try {
    if (!item || item.code !== chosen.code) {
      item = await api('GET', `/items/${encodeURIComponent(chosen.code)}`);
      renderMaterials();
      const scope = $('e-scope');
      if (!scope.value.trim() || scope.value === defaultScope) scope.value = `代办${item.name}`;
      defaultScope = `代办${item.name}`;
    }
  } catch (err) {
    if (signedOut(err)) return;
    showError($('form-error'), err);
    return;
  } finally {
    btn.disabled = false;
  }
  chosenLine($('chosen-item-2'));
  chosenLine($('chosen-item-4'));
  apply($('intake'));
  showStep(2);
}

function syncEntrustment() {
  $('ent-required').hidden = !agent;
  $('ent-toggle').hidden = agent;
  $('ent-fields').hidden = !agent && !$('ent-on').checked;
}

function renderMaterials() {
  const ul = $('mat-list');
  ul.textContent = '';
  const mats = Array.isArray(item.materials) ? item.materials : [];
  mats.forEach((m, i) => {
    const id = `mat-${m.id}`;
    const box = h('input', {
      attrs: { type: 'checkbox', id, value: m.id, 'data-required': m.required ? '1' : '0', 'data-field': `materials[${i}]` },
    });
    box.addEventListener('change', summarise);
    const need = m.required
      ? h('span', { cls: 'badge badge-required', i18n: 'material.required_yes' })
      : h('span', { cls: 'muted', i18n: 'material.conditional', args: { condition: m.condition || '' } });
    const extra = [label('span', 'form', m.form)];
    if (Number(m.copies) > 0) extra.push(h('span', { i18n: 'material.copies_n', args: { n: m.copies } }));
    ul.append(h('li', {}, [
      h('label', { cls: 'choice', attrs: { for: id } }, [
        box,
        h('span', { cls: 'choice-text' }, [
          h('span', { cls: 'choice-name', text: m.name }),
          h('span', { cls: 'meta' }, [need, ...extra]),
        ]),
      ]),
    ]));
  });
  if (!mats.length) ul.append(h('li', { i18n: 'item.no_materials' }));
  summarise();
}

function summarise() {
  const boxes = [...$('mat-list').querySelectorAll('input[type="checkbox"]')];
  const ticked = boxes.filter((b) => b.checked).length;
  const missing = boxes.filter((b) => !b.checked && b.getAttribute('data-required') === '1').length;
  setI18n($('mat-summary'), missing ? 'intake.mat_missing' : 'intake.mat_complete', { n: ticked, m: missing });
}

// ---------------------------------------------------------------------------------------------
// Errors by their field

function clearFieldError(el) {
  el.removeAttribute('aria-invalid');
  const msg = errorBoxOf(el);
  if (msg) setPlain(msg, '');
}

function clearFieldErrors() {
  for (const el of $('intake').querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const el of $('intake').querySelectorAll('.field-error')) {
    el.removeAttribute('data-msg-zh');
    el.removeAttribute('data-msg-en');
    setPlain(el, '');
  }
  clearError($('form-error'));
}

/** The field-error paragraph of a control: <id>-err, or its fieldset's. */
function errorBoxOf(el) {
  if (el.id === 'item-field') return $('item-err');
  if (el.id === 'mat-field' || el.closest('#mat-field')) return $('materials-err');
  if (el.id === 'ent-fields') return $('entrustment-err');
  return document.getElementById(`${el.id}-err`);
}

/** The control for an API field name: exact, else the nearest enclosing one (materials[2] ...). */
function findField(field) {
  let f = String(field);
  while (f) {
    const el = [...$('intake').querySelectorAll('[data-field]')].find((e) => e.getAttribute('data-field') === f);
    if (el) return el;
    const cut = Math.max(f.lastIndexOf('.'), f.lastIndexOf('['));
    if (cut <= 0) break;
    f = f.slice(0, cut);
  }
  return null;
}

/** Marks el invalid with the server's message (err) or our own (key), and focuses it. */
function markField(el, err, key) {
  el.setAttribute('aria-invalid', 'true');
  const msg = errorBoxOf(el);
  if (msg) {
    if (err) {
      msg.setAttribute('data-msg-zh', err.messageZh);
      msg.setAttribute('data-msg-en', err.messageEn);
      apply(msg.parentNode);
    } else {
      setI18n(msg, key);
    }
  }
  const target = el.matches('fieldset') ? el.querySelector('input, select, textarea') : el;
  if (target) target.focus();
}

const STEP_OF = (field) => {
  if (field === 'item') return 1;
  if (field.startsWith('applicant') || field === 'channel') return 2;
  if (field.startsWith('entrustment')) return 3;
  return 4;
};

/** The translated name of a control (its label, or its fieldset's legend) as a new span. */
function fieldName(el) {
  const src = el.matches('fieldset') ? el.querySelector('legend')
    : document.querySelector(`label[for="${el.id}"][data-i18n], label[for="${el.id}"] [data-i18n]`);
  if (!src) return null;
  return h('span', { i18n: src.getAttribute('data-i18n') });
}

function showSubmitError(err) {
  const box = $('form-error');
  showError(box, err);
  const el = err instanceof ApiError && err.field ? findField(err.field) : null;
  if (!el || !(err.messageZh || err.messageEn)) {
    box.focus();
    return;
  }
  // The server's message, then which field it is about: "字段取值无效 — 居民身份证号码".
  const name = fieldName(el);
  if (name) {
    clearError(box);
    const msg = h('span');
    msg.setAttribute('data-msg-zh', err.messageZh);
    msg.setAttribute('data-msg-en', err.messageEn);
    box.append(msg, h('span', { text: ' — ' }), name);
    apply(box);
  }
  const n = STEP_OF(err.field);
  if (n === 3 && !agent) $('ent-on').checked = true;
  syncEntrustment();
  showStep(n, { focus: false });
  markField(el, err);
}

// ---------------------------------------------------------------------------------------------
// Submit and the result

function collect() {
  const body = {
    item: chosen.code,
    applicant: {
      name: $('a-name').value.trim(),
      id_number: $('a-id').value.trim().toUpperCase(),
      phone: $('a-phone').value.trim(),
    },
    channel: $('a-channel').value,
  };
  if (agent || $('ent-on').checked) {
    body.entrustment = {
      scope: $('e-scope').value.trim(),
      signed_on: $('e-signed').value,
      valid_until: $('e-until').value,
    };
  }
  body.materials = [...$('mat-list').querySelectorAll('input[type="checkbox"]:checked')]
    .map((b) => ({ material: Number(b.value), received: true }));
  return body;
}

async function onSubmit(ev) {
  ev.preventDefault();
  if (step !== 4) { // Enter in a field of an earlier step: go on, do not send
    if (step === 1) leaveStep1();
    else showStep(step + 1);
    return;
  }
  clearFieldErrors();
  const body = collect();
  const text = JSON.stringify(body);
  // The same submission (a retry after a lost answer) keeps its key; a changed one gets a new key.
  if (!pending || pending.body !== text) pending = { body: text, key: newIdempotencyKey() };
  const btn = $('submit');
  btn.disabled = true;
  $('intake').setAttribute('aria-busy', 'true');
  let c;
  try {
    c = await api('POST', '/cases', { body, csrf, headers: { 'Idempotency-Key': pending.key } });
  } catch (err) {
    btn.disabled = false;
    $('intake').removeAttribute('aria-busy');
    if (signedOut(err)) return;
    showSubmitError(err);
    return;
  }
  pending = null;
  $('intake').removeAttribute('aria-busy');
  await showResult(c);
}

async function showResult(c) {
  $('intake').hidden = true;
  $('result').hidden = false;
  setI18n($('result-status'), 'intake.done', { receipt: c.receipt });
  setPlain($('r-receipt'), c.receipt);
  $('r-code').classList.toggle('big-code', !!c.query_code);
  if (c.query_code) setPlain($('r-code'), c.query_code);
  else setI18n($('r-code'), 'intake.no_query_code');
  setPlain($('r-item'), (c.item && c.item.name) || (item && item.name) || '');
  setPlain($('r-applicant'), c.applicant ? c.applicant.name : '');
  setPlain($('r-received'), c.received_on || '');
  setPlain($('r-site'), me.site ? me.site.name : '');
  $('open-case').href = `/case?receipt=${encodeURIComponent(c.receipt)}`;
  const mats = Array.isArray(c.materials) ? c.materials : [];
  const missingRequired = mats.some((m) => m.required && !m.received);
  if (missingRequired || c.notice_given_on) {
    setI18n($('print'), 'intake.print_notice');
    try {
      const notice = await api('GET', `/cases/${encodeURIComponent(c.receipt)}/notice`);
      renderNotice(c, notice);
    } catch (err) {
      if (signedOut(err)) return;
      showError($('notice-error'), err);
    }
  }
  apply($('result'));
  $('result-h').focus();
}

function renderNotice(c, notice) {
  const name = (c.item && c.item.name) || (item && item.name) || '';
  setI18n($('notice-intro'), 'notice.intro', { item: name, receipt: c.receipt, due: notice.due || '' });
  const ol = $('notice-list');
  ol.textContent = '';
  const byId = new Map(((item && item.materials) || []).map((m) => [m.id, m]));
  const missing = Array.isArray(notice.missing) ? notice.missing : [];
  const sorted = [...missing].sort((a, b) => Number(!!b.required) - Number(!!a.required));
  for (const m of sorted) {
    const known = byId.get(m.material);
    const required = m.required !== undefined ? m.required : (known ? known.required : m.condition === null);
    const condition = m.condition || (known && known.condition) || '';
    ol.append(h('li', { attrs: { 'data-material': m.material } }, [
      h('span', { cls: 'notice-name', text: m.name }),
      ' ',
      required
        ? h('span', { cls: 'badge badge-required', i18n: 'material.required_yes' })
        : h('span', { cls: 'muted', i18n: 'notice.if_applicable', args: { condition } }),
    ]));
  }
  setPlain($('notice-given'), notice.given_on || c.received_on || '');
  setPlain($('notice-due'), notice.due || '');
  setPlain($('notice-site'), me.site ? [me.site.name, me.site.phone].filter(Boolean).join(' · ') : '');
  $('notice').hidden = false;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  me = await startStaffPage();
  if (!me) return;
  csrf = me.csrf || '';
  agent = isAgent(me);
  const status = $('status');
  if (!canTakeIntake(me)) { // approvers and auditors do not open cases (POST /cases answers 403)
    setPlain(status, '');
    setI18n($('error'), 'intake.not_allowed');
    return;
  }
  const siteId = me.site ? me.site.id : me.user.site_id;
  try {
    const res = await api('GET', `/sites/${encodeURIComponent(siteId)}/items`);
    siteItems = Array.isArray(res.items) ? res.items : [];
  } catch (err) {
    if (signedOut(err)) return;
    setPlain(status, '');
    showError($('error'), err);
    return;
  }
  setPlain(status, '');

  const today = chinaToday();
  $('e-signed').value = today;
  $('e-signed').max = today;
  $('e-until').value = addMonths(today, 3);
  $('e-until').min = today;
  const channel = me.site && me.site.level === 'village' ? 'station'
    : me.user.role === 'web_agent' ? 'online' : 'window';
  options($('a-channel'), 'channel', CHANNELS, { selected: channel });
  syncEntrustment();

  $('item-q').addEventListener('input', renderItems);
  $('item-q').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') ev.preventDefault(); // filtering is live; Enter must not submit
  });
  $('next-1').addEventListener('click', leaveStep1);
  $('back-2').addEventListener('click', () => showStep(1));
  $('next-2').addEventListener('click', () => { checkId(); checkPhone(); showStep(3); });
  $('back-3').addEventListener('click', () => showStep(2));
  $('next-3').addEventListener('click', () => showStep(4));
  $('back-4').addEventListener('click', () => showStep(3));
  $('ent-on').addEventListener('change', syncEntrustment);
  // Hints follow the typing (not blur: text appearing under a field as it loses focus moves the
  // button being tapped away from under the finger).
  $('a-id').addEventListener('input', () => {
    if ($('a-id').value.trim().length >= 18) checkId();
    else setPlain($('a-id-check'), '');
  });
  $('a-phone').addEventListener('input', () => {
    const v = $('a-phone').value.trim();
    if (v.length >= 11 || /\D/.test(v)) checkPhone();
    else setPlain($('a-phone-check'), '');
  });
  for (const id of ['a-name', 'a-id', 'a-phone', 'e-scope', 'e-signed', 'e-until']) {
    $(id).addEventListener('input', () => clearFieldError($(id)));
  }
  $('intake').addEventListener('submit', onSubmit);
  $('print').addEventListener('click', () => window.print());

  renderItems();
  $('intake').hidden = false;
  showStep(1, { focus: false });
  apply(document);
}

main().catch((e) => console.error(e));
