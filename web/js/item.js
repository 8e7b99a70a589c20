// Staff item page (/item?code=..., /item?code=...&draft=1, /item?new=1).
// Shows the published version (or the draft: ?draft=1, or when never published). Admins of a
// district-level site edit the draft (PATCH /items/{code}; POST /items for a new one), publish
// and retire it. Server validation errors are shown by the field named in error.field and in the
// alert above the form. Every change sends X-CSRF-Token.

import { apply, t } from './i18n.js';
import { ApiError, api, clearError, showError } from './api.js';
import { $, clearNote, h, isItemCode, param, setI18n, setPlain } from './dom.js';
import { renderItem } from './itemview.js';
import {
  CASE_TYPES, DOMAIN_VALUES, FORMS, ITEM_LEVELS, OBJECTS, RESULT_TYPES, options, statusBadge,
  versionsEl,
} from './labels.js';
import { fetchAll, isCatalogAdmin, signedOut, startStaffPage } from './staff.js';

let csrf = '';
let admin = false;
let departments = []; // [{code, name}]
let code = '';
let item = null; // GET /items/{code}: the published version (the draft when never published)
let draft = null; // GET /items/{code}?draft=true, when asked for and distinct from item
let isNew = false;
let rowSeq = 0;

const deptName = (c) => {
  const d = departments.find((x) => x.code === c);
  return d ? d.name : c;
};

function showNotice(key, args) {
  setI18n($('notice'), key, args);
}

function fail(err) {
  if (signedOut(err)) return;
  showError($('error'), err);
}

// ---------------------------------------------------------------------------------------------
// Viewing

function shown() {
  return draft || item;
}

function showingDraft() {
  return !!draft || (item && (item.version === null || item.version === undefined));
}

function renderView() {
  const cur = shown();
  setPlain($('item-title'), cur.name);
  setI18n($('item-code'), 'item.code_line', { code: cur.code || code });
  document.title = `${cur.name} · ${t('nav.catalog')}`;

  const st = $('item-status');
  st.textContent = '';
  st.append(statusBadge(item.status));
  const ver = $('item-version');
  ver.textContent = '';
  ver.append(versionsEl(item));

  const both = item.version !== null && item.version !== undefined &&
    item.draft_version !== null && item.draft_version !== undefined;
  const tabs = $('tabs');
  tabs.hidden = !both;
  if (both) {
    const pub = $('tab-published');
    const dr = $('tab-draft');
    setI18n(pub, 'item.tab_published', { n: item.version });
    setI18n(dr, 'item.tab_draft', { n: item.draft_version });
    pub.href = `/item?code=${encodeURIComponent(code)}`;
    dr.href = `/item?code=${encodeURIComponent(code)}&draft=1`;
    pub.removeAttribute('aria-current');
    dr.removeAttribute('aria-current');
    if (draft) dr.setAttribute('aria-current', 'page');
    else pub.setAttribute('aria-current', 'page');
  }

  const note = $('view-note');
  if (item.status === 'retired') setI18n(note, 'item.retired_note');
  else if (showingDraft()) setI18n(note, 'item.draft_note', { n: item.draft_version ?? '' });
  else clearNote(note);
  note.hidden = note.textContent === '';

  const canChange = admin && item.status !== 'retired';
  $('actions').hidden = !canChange;
  $('edit').hidden = !canChange;
  $('publish').hidden = !canChange || item.draft_version === null || item.draft_version === undefined;
  $('retire').hidden = !canChange;
  $('retire-confirm').hidden = true;

  renderItem($('view'), cur, { deptName });
  $('summary').hidden = false;
  $('view').hidden = false;
  apply(document);
}

async function load() {
  code = param('code').trim();
  const wantDraft = ['1', 'true'].includes(param('draft'));
  item = await api('GET', `/items/${encodeURIComponent(code)}`);
  draft = null;
  const hasDraft = item.draft_version !== null && item.draft_version !== undefined;
  const published = item.version !== null && item.version !== undefined;
  if (wantDraft && hasDraft && published) {
    draft = await api('GET', `/items/${encodeURIComponent(code)}?draft=true`);
  }
  renderView();
}

// ---------------------------------------------------------------------------------------------
// The form

function fieldBox(labelKey, control, extra = []) {
  return h('div', { cls: 'field' }, [
    h('label', { i18n: labelKey, attrs: { for: control.id } }),
    control,
    ...extra,
    h('p', { cls: 'field-error', attrs: { id: `${control.id}-err` } }),
  ]);
}

function materialRow(m = {}) {
  const id = `m${++rowSeq}`;
  const ctl = (tag, key, attrs = {}) => h(tag, {
    attrs: { id: `${id}-${key}`, 'data-key': key, 'aria-describedby': `${id}-${key}-err`, ...attrs },
  });
  const name = ctl('input', 'name', { type: 'text', maxlength: 100 });
  name.value = m.name || '';
  const required = ctl('select', 'required');
  required.append(h('option', { i18n: 'material.required_yes', attrs: { value: 'required' } }),
    h('option', { i18n: 'material.required_no', attrs: { value: 'conditional' } }));
  required.value = m.required === false ? 'conditional' : 'required';
  const condition = ctl('input', 'condition', { type: 'text' });
  condition.value = m.condition || '';
  const form = ctl('select', 'form');
  options(form, 'form', FORMS, { selected: m.form || 'original' });
  const copies = ctl('input', 'copies', { type: 'number', min: 0, max: 20, step: 1, inputmode: 'numeric' });
  copies.value = m.copies === undefined || m.copies === null ? '1' : String(m.copies);
  const source = ctl('input', 'source', { type: 'text' });
  source.value = m.source || '';
  const note = ctl('input', 'note', { type: 'text' });
  note.value = m.note || '';

  const condBox = fieldBox('material.condition', condition);
  const syncCond = () => { condBox.hidden = required.value === 'required'; };
  required.addEventListener('change', syncCond);
  syncCond();

  const nameBox = fieldBox('material.name', name);
  nameBox.classList.add('span-all');
  const noteBox = fieldBox('material.note', note);
  noteBox.classList.add('span-all');
  const remove = h('button', { cls: 'btn btn-outline remove-material', attrs: { type: 'button' } }, [
    h('span', { i18n: 'item.remove_material' }),
    h('span', { cls: 'visually-hidden row-name', i18n: 'item.material_n', args: { n: 0 } }),
  ]);
  const row = h('fieldset', { cls: 'material', attrs: { id, 'aria-describedby': `${id}-err` } }, [
    h('legend', { i18n: 'item.material_n', args: { n: 0 } }),
    h('div', { cls: 'material-row' }, [
      nameBox,
      fieldBox('material.required', required),
      condBox,
      fieldBox('material.form', form),
      fieldBox('material.copies', copies),
      fieldBox('material.source', source),
      noteBox,
    ]),
    h('p', { cls: 'field-error', attrs: { id: `${id}-err` } }),
    h('p', { cls: 'toolbar' }, [remove]),
  ]);
  remove.addEventListener('click', () => {
    const rows = [...$('materials').children];
    const i = rows.indexOf(row);
    row.remove();
    renumber();
    const left = [...$('materials').children];
    const focus = left[Math.min(i, left.length - 1)];
    (focus ? focus.querySelector('[data-key="name"]') : $('add-material')).focus();
  });
  return row;
}

/** Legends "材料 n" and data-field="materials[i].key" follow the order on screen. */
function renumber() {
  [...$('materials').children].forEach((row, i) => {
    for (const el of row.querySelectorAll('legend, .row-name')) {
      el.setAttribute('data-i18n-args', JSON.stringify({ n: i + 1 }));
    }
    row.setAttribute('data-field', `materials[${i}]`);
    for (const el of row.querySelectorAll('[data-key]')) {
      el.setAttribute('data-field', `materials[${i}].${el.getAttribute('data-key')}`);
    }
  });
  apply($('materials'));
}

function renderJoint(selected) {
  const lead = $('f-department').value;
  const box = $('joint-list');
  const keep = new Set(selected || [...box.querySelectorAll('input:checked')].map((i) => i.value));
  box.textContent = '';
  for (const d of departments) {
    const input = h('input', { attrs: { type: 'checkbox', value: d.code, id: `joint-${d.code}` } });
    input.checked = keep.has(d.code) || d.code === lead;
    input.disabled = d.code === lead;
    box.append(h('label', { cls: 'check', attrs: { for: input.id } }, [input, h('span', { text: d.name })]));
  }
  $('f-joint_departments').hidden = $('f-case_type').value !== 'joint';
}

function fillForm(src) {
  $('code-field').hidden = !isNew;
  $('f-code').value = src.code || '';
  $('f-name').value = src.name || '';
  const domain = $('f-domain');
  const domains = DOMAIN_VALUES.includes(src.domain) || !src.domain ? DOMAIN_VALUES : [...DOMAIN_VALUES, src.domain];
  options(domain, 'domain', domains, { allKey: 'common.choose', selected: src.domain || '' });
  const dept = $('f-department');
  dept.textContent = '';
  dept.append(h('option', { i18n: 'common.choose', attrs: { value: '' } }));
  for (const d of departments) dept.append(h('option', { text: d.name, attrs: { value: d.code } }));
  if (src.department && !departments.some((d) => d.code === src.department)) {
    dept.append(h('option', { text: src.department, attrs: { value: src.department } }));
  }
  dept.value = src.department || '';
  options($('f-level'), 'item_level', ITEM_LEVELS, { selected: src.level || 'township' });
  options($('f-object'), 'object', OBJECTS, { selected: src.object || 'individual' });
  options($('f-case_type'), 'case_type', CASE_TYPES, { selected: src.case_type || 'immediate' });
  options($('f-result_type'), 'result_type', RESULT_TYPES, { selected: src.result_type || 'none' });
  $('f-statutory_days').value = src.statutory_days ?? '';
  $('f-promised_days').value = src.promised_days ?? (isNew ? '0' : '');
  $('f-fee').value = src.fee || '';
  $('f-result').value = src.result || '';
  $('f-online').checked = !!src.online;
  $('f-conditions').value = src.conditions || '';
  $('f-process').value = String(src.process || '').split(/\s*>\s*/).filter(Boolean).join('\n');
  $('f-legal_basis').value = src.legal_basis || '';
  renderJoint(Array.isArray(src.joint_departments) ? src.joint_departments : []);
  const list = $('materials');
  list.textContent = '';
  const mats = Array.isArray(src.materials) ? src.materials : [];
  for (const m of (mats.length || !isNew ? mats : [{}])) list.append(materialRow(m));
  renumber();
  clearFieldErrors();
  apply($('item-form'));
}

function intOrRaw(v) {
  const s = String(v).trim();
  if (s === '') return null;
  const n = Number(s);
  return Number.isInteger(n) ? n : s;
}

function textOrNull(v) {
  const s = String(v).trim();
  return s === '' ? null : s;
}

function collect() {
  const caseType = $('f-case_type').value;
  const lead = $('f-department').value;
  const others = [...$('joint-list').querySelectorAll('input:checked')].map((i) => i.value)
    .filter((c) => c !== lead);
  const body = {
    name: $('f-name').value.trim(),
    domain: $('f-domain').value,
    department: lead,
    level: $('f-level').value,
    object: $('f-object').value,
    case_type: caseType,
    statutory_days: intOrRaw($('f-statutory_days').value),
    promised_days: intOrRaw($('f-promised_days').value),
    fee: $('f-fee').value.trim(),
    result_type: $('f-result_type').value,
    result: $('f-result').value.trim(),
    online: $('f-online').checked,
    legal_basis: $('f-legal_basis').value.trim(),
    conditions: $('f-conditions').value.trim(),
    process: $('f-process').value.split('\n').map((s) => s.trim()).filter(Boolean).join(' > '),
    joint_departments: caseType === 'joint' ? [lead, ...others] : [],
    materials: [...$('materials').children].map((row) => {
      const v = (k) => row.querySelector(`[data-key="${k}"]`).value;
      const required = v('required') === 'required';
      return {
        name: v('name').trim(),
        required,
        condition: required ? null : textOrNull(v('condition')),
        form: v('form'),
        copies: intOrRaw(v('copies')),
        source: v('source').trim(),
        note: textOrNull(v('note')),
      };
    }),
  };
  if (isNew) body.code = $('f-code').value.trim();
  return body;
}

function clearFieldErrors() {
  const form = $('item-form');
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) {
    el.removeAttribute('data-msg-zh');
    el.removeAttribute('data-msg-en');
    el.textContent = '';
  }
  clearError($('form-error'));
}

/** The control (or group) for an API field name: exact, else the nearest enclosing one. */
function findField(field) {
  const form = $('item-form');
  let f = String(field);
  while (f) {
    const el = [...form.querySelectorAll('[data-field]')].find((e) => e.getAttribute('data-field') === f);
    if (el) return el;
    const cut = Math.max(f.lastIndexOf('.'), f.lastIndexOf('['));
    if (cut <= 0) break;
    f = f.slice(0, cut);
  }
  return null;
}

/** The names of a control as translated spans: its row ("材料 2") if any, then its label. */
function fieldNames(el) {
  const out = [];
  const row = el.closest('fieldset.material');
  const legend = row && row !== el ? row.querySelector('legend') : null;
  let own = null;
  if (el.matches('fieldset')) own = el.querySelector('legend');
  else if (el.id) own = document.querySelector(`label[for="${el.id}"] [data-i18n], label[for="${el.id}"][data-i18n]`);
  for (const src of [legend, own]) {
    if (!src || !src.getAttribute('data-i18n')) continue;
    const span = h('span');
    span.setAttribute('data-i18n', src.getAttribute('data-i18n'));
    if (src.getAttribute('data-i18n-args')) span.setAttribute('data-i18n-args', src.getAttribute('data-i18n-args'));
    out.push(span);
  }
  return out;
}

/** The alert above the form: the server's message, then which field it is about. */
function showSummary(err, el) {
  const box = $('form-error');
  showError(box, err);
  const names = el ? fieldNames(el) : [];
  if (!names.length || !(err.messageZh || err.messageEn)) return;
  clearError(box);
  const msg = h('span', { cls: 'msg' });
  msg.setAttribute('data-msg-zh', err.messageZh);
  msg.setAttribute('data-msg-en', err.messageEn);
  box.append(msg, h('span', { text: ' — ' }));
  names.forEach((n, i) => box.append(...(i ? [h('span', { text: ' · ' }), n] : [n])));
  apply(box);
}

function showFieldError(err) {
  const el = err instanceof ApiError && err.field ? findField(err.field) : null;
  showSummary(err, el);
  if (!el) {
    $('form-error').focus();
    return;
  }
  const box = el.closest('[hidden]');
  if (box && box !== document.body && $('item-form').contains(box)) box.hidden = false;
  el.setAttribute('aria-invalid', 'true');
  const msg = document.getElementById(`${el.id}-err`);
  if (msg) {
    msg.setAttribute('data-msg-zh', err.messageZh);
    msg.setAttribute('data-msg-en', err.messageEn);
    apply(msg.parentNode);
  }
  const target = el.matches('fieldset') ? el.querySelector('input, select, textarea, button') : el;
  if (target) target.focus();
}

function openForm(src) {
  clearNote($('notice'));
  clearError($('error'));
  setI18n($('form-h'), isNew ? 'item.form_heading' : 'item.edit_heading');
  fillForm(src);
  $('summary').hidden = true;
  $('view').hidden = true;
  $('actions').hidden = true;
  $('retire-confirm').hidden = true;
  $('item-form').hidden = false;
  (isNew ? $('f-code') : $('f-name')).focus();
}

function closeForm() {
  $('item-form').hidden = true;
  renderView();
}

async function onEdit() {
  clearError($('error'));
  try {
    let src = item;
    if (item.draft_version !== null && item.draft_version !== undefined &&
        item.version !== null && item.version !== undefined) {
      src = draft || await api('GET', `/items/${encodeURIComponent(code)}?draft=true`);
    }
    openForm(src);
  } catch (err) {
    fail(err);
  }
}

async function onSave(ev) {
  ev.preventDefault();
  clearFieldErrors();
  const save = $('save');
  save.disabled = true;
  const body = collect();
  try {
    if (isNew) {
      const res = await api('POST', '/items', { body, csrf });
      code = (res && res.code) || body.code;
      isNew = false;
      window.history.replaceState(null, '', `/item?code=${encodeURIComponent(code)}`);
    } else {
      await api('PATCH', `/items/${encodeURIComponent(code)}`, { body, csrf });
      window.history.replaceState(null, '', `/item?code=${encodeURIComponent(code)}&draft=1`);
    }
    $('item-form').hidden = true;
    await load();
    showNotice('item.saved', { n: item.draft_version ?? '' });
  } catch (err) {
    if (signedOut(err)) return;
    showFieldError(err);
  } finally {
    save.disabled = false;
  }
}

async function mutate(btn, action, noticeKey) {
  clearNote($('notice'));
  clearError($('error'));
  btn.disabled = true;
  try {
    await api('POST', `/items/${encodeURIComponent(code)}/${action}`, { csrf });
    window.history.replaceState(null, '', `/item?code=${encodeURIComponent(code)}`);
    await load();
    showNotice(noticeKey, { n: item.version ?? '' });
    $('item-title').focus();
  } catch (err) {
    if (action === 'publish' && err instanceof ApiError && err.status === 422 && err.field) {
      // The draft is not complete enough to publish: open it with the problem shown by its field.
      await onEdit();
      if (!$('item-form').hidden) showFieldError(err);
      else fail(err);
    } else {
      fail(err);
    }
  } finally {
    btn.disabled = false;
  }
}

async function main() {
  const me = await startStaffPage();
  if (!me) return;
  csrf = me.csrf || '';
  admin = isCatalogAdmin(me);
  const status = $('status');
  $('item-title').setAttribute('tabindex', '-1');

  $('edit').addEventListener('click', onEdit);
  $('publish').addEventListener('click', () => mutate($('publish'), 'publish', 'item.published_msg'));
  $('retire').addEventListener('click', () => {
    $('retire-confirm').hidden = false;
    $('retire-no').focus();
  });
  $('retire-no').addEventListener('click', () => {
    $('retire-confirm').hidden = true;
    $('retire').focus();
  });
  $('retire-yes').addEventListener('click', () => mutate($('retire-yes'), 'retire', 'item.retired_msg'));
  $('item-form').addEventListener('submit', onSave);
  $('cancel').addEventListener('click', () => {
    if (isNew) window.location.assign('/catalog');
    else closeForm();
  });
  $('add-material').addEventListener('click', () => {
    const row = materialRow();
    $('materials').append(row);
    renumber();
    row.querySelector('[data-key="name"]').focus();
  });
  $('f-case_type').addEventListener('change', () => renderJoint());
  $('f-department').addEventListener('change', () => renderJoint());

  try {
    departments = (await fetchAll('/departments')).map((d) => ({ code: d.code, name: d.name }));
  } catch (err) {
    if (signedOut(err)) return;
    departments = []; // names fall back to the codes
  }

  isNew = param('new') === '1';
  if (isNew) {
    clearNote(status);
    if (!admin) {
      setI18n($('error'), 'item.admin_only');
      return;
    }
    setI18n($('item-title'), 'item.new_heading');
    document.title = `${t('item.new_heading')} · ${t('nav.catalog')}`;
    openForm({});
    return;
  }
  const c = param('code').trim();
  if (!isItemCode(c)) {
    clearNote(status);
    setI18n($('error'), c ? 'item.not_found' : 'item.no_code', { code: c });
    return;
  }
  try {
    await load();
  } catch (err) {
    if (signedOut(err)) return;
    if (err instanceof ApiError && err.status === 404) setI18n($('error'), 'item.not_found', { code: c });
    else showError($('error'), err);
  }
  clearNote(status);
}

main().catch((e) => console.error(e));
