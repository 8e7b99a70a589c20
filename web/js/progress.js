// Public progress query (/progress), no sign-in: the receipt number and the query code (or the
// last 4 digits of the applicant's phone) -> GET /api/v1/public/progress. Shows the status, the
// deadline, the days left and the timeline; the answer never carries the applicant's name, ID
// number or phone, and this page shows nothing else about them.

import { apply, initI18n } from './i18n.js';
import { ApiError, api, clearError, showError } from './api.js';
import { $, h, param, setI18n, setPlain } from './dom.js';
import { label } from './labels.js';
import { caseStatusBadge, dateEl, daysLeftEl, fmtTime, stateBadge } from './casekit.js';

let seq = 0;

function by() {
  return $('by-phone').checked ? 'phone4' : 'code';
}

function syncBy() {
  $('code-box').hidden = by() !== 'code';
  $('phone-box').hidden = by() !== 'phone4';
}

function clearFields() {
  for (const el of $('progress-form').querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const el of $('progress-form').querySelectorAll('.field-error')) {
    el.removeAttribute('data-msg-zh');
    el.removeAttribute('data-msg-en');
    el.removeAttribute('data-i18n');
    el.textContent = '';
  }
  clearError($('error'));
}

function mark(id, key) {
  const el = $(id);
  el.setAttribute('aria-invalid', 'true');
  setI18n($(`${id}-err`), key);
  el.focus();
}

async function itemName(code) {
  try {
    return (await api('GET', `/public/items/${encodeURIComponent(code)}`)).name;
  } catch {
    return null;
  }
}

async function onQuery(ev) {
  ev.preventDefault();
  clearFields();
  const receipt = $('p-receipt').value.trim().toUpperCase();
  const way = by();
  const secret = (way === 'code' ? $('p-code') : $('p-phone4')).value.trim();
  if (!receipt) return mark('p-receipt', 'progress.need_receipt');
  if (!secret) return mark(way === 'code' ? 'p-code' : 'p-phone4', way === 'code' ? 'progress.need_code' : 'progress.need_phone4');
  const mine = ++seq;
  const btn = $('query');
  btn.disabled = true;
  setI18n($('status'), 'common.loading');
  const sp = new URLSearchParams({ receipt });
  sp.set(way, secret);
  let p;
  try {
    p = await api('GET', `/public/progress?${sp}`);
  } catch (err) {
    if (mine !== seq) return;
    btn.disabled = false;
    setPlain($('status'), '');
    $('result').hidden = true;
    showError($('error'), err);
    const field = err instanceof ApiError && err.field;
    if (field === 'receipt') $('p-receipt').setAttribute('aria-invalid', 'true');
    $('error').focus();
    return;
  }
  const code = typeof p.item === 'object' && p.item ? p.item.code : p.item;
  const name = typeof p.item === 'object' && p.item && p.item.name ? p.item.name : await itemName(code);
  if (mine !== seq) return;
  btn.disabled = false;
  setPlain($('status'), '');
  render(p, name || code || '');
  // 一事一评: a finished case can be rated with the same receipt and query code.
  const done = ['issued', 'archived', 'refused'].includes(p.status);
  $('r-rate').hidden = !(done && way === 'code');
  if (done && way === 'code') {
    $('r-rate-link').href = `/rate?${new URLSearchParams({ receipt, code: secret, channel: 'progress' })}`;
  }
}

function render(p, name) {
  setPlain($('r-receipt'), p.receipt);
  setPlain($('r-item'), name);
  const put = (id, el) => {
    const dd = $(id);
    dd.textContent = '';
    dd.append(el);
  };
  put('r-status', caseStatusBadge(p.status));
  const before = !p.deadline && ['intake', 'submitted'].includes(p.status);
  put('r-deadline', before ? h('span', { i18n: 'progress.not_accepted' }) : dateEl(p.deadline));
  put('r-days', daysLeftEl(p.days_left, { paused: !!p.paused }));
  put('r-state', stateBadge(p.state));
  const ol = $('timeline');
  ol.textContent = '';
  for (const ev of Array.isArray(p.timeline) ? p.timeline : []) {
    ol.append(h('li', {}, [
      h('p', { cls: 'tl-head' }, [
        h('span', { cls: 'code tl-time', text: fmtTime(ev.at) }), ' ',
        label('strong', 'case_action', ev.action, 'tl-action'), ' ',
        caseStatusBadge(ev.status),
      ]),
      ev.site ? h('p', { cls: 'meta', text: ev.site }) : null,
    ]));
  }
  $('result').hidden = false;
  apply($('result'));
  $('result-h').focus();
}

async function main() {
  await initI18n();
  $('p-receipt').value = param('receipt');
  for (const r of document.querySelectorAll('input[name="by"]')) r.addEventListener('change', syncBy);
  syncBy();
  $('progress-form').addEventListener('submit', onQuery);
}

main().catch((e) => console.error(e));
