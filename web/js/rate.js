// 好差评 (/rate?receipt=&code= for a case, ?ticket=&code= for a visit; no sign-in;
// docs/api-ratings.md): GET /public/rateable says what is rated and whether it can be; five big
// level buttons, tag chips and a comment -> POST /public/ratings. Rated before: the rating, and
// the rectification a bad one opened, with the 申诉 form once it may be appealed
// (POST /public/appeals). Without a query the resident types the receipt and query code.

import { apply, initI18n } from './i18n.js';
import { api, clearError, showError } from './api.js';
import { $, h, param, replaceQuery, setI18n, setPlain } from './dom.js';
import { clearFields, dayTime, fact, levelChooser, levelKey, markField, showApiError } from './public.js';

// Tags are stored as the Chinese words (the data); the page shows their translation.
const TAGS = [
  ['态度热情', 'rate.tag_warm'], ['办事高效', 'rate.tag_fast'], ['一次办成', 'rate.tag_once'],
  ['指引清楚', 'rate.tag_clear'], ['态度冷漠', 'rate.tag_cold'], ['等候太久', 'rate.tag_slow'],
  ['多次跑腿', 'rate.tag_runaround'], ['材料要求不清', 'rate.tag_unclear'],
];
const RECT_STATUSES = ['open', 'verified', 'rectified', 'visited', 'appealed', 'closed'];

let target = null; // { receipt } or { ticket } plus { code }
let chosenLevel = () => null;

function targetBody() {
  return target.ticket ? { ticket: Number(target.ticket) || target.ticket, code: target.code }
    : { receipt: target.receipt, code: target.code };
}

function renderTags() {
  const box = $('tags');
  box.textContent = '';
  TAGS.forEach(([zh, key], i) => {
    const id = `r-tag-${i}`;
    box.append(h('label', { cls: 'pub-chip', attrs: { for: id } }, [
      h('input', { attrs: { type: 'checkbox', id, value: zh } }),
      h('span', { i18n: key }),
    ]));
  });
}

function levelEl(level) {
  const key = levelKey(level);
  return key ? h('span', { cls: `badge pub-lv pub-lv-${level}`, i18n: key }) : h('span', { text: String(level) });
}

function rectStatusEl(status) {
  return RECT_STATUSES.includes(status) ? h('span', { cls: 'badge', i18n: `rate.rs_${status}` }) : h('span', { text: status });
}

function showTarget(r) {
  const dl = $('t-facts');
  dl.textContent = '';
  dl.append(fact('rate.kind', h('span', { i18n: r.target === 'visit' ? 'rate.kind_visit' : 'rate.kind_case' })));
  if (r.site) dl.append(fact('pub.site', r.site.name || ''));
  if (r.item) dl.append(fact('rate.item', r.item.name || r.item.code || ''));
  if (target.receipt) dl.append(fact('rate.receipt', target.receipt, { cls: 'code' }));
  if (r.number) dl.append(fact('rate.number', r.number, { cls: 'code', id: 't-number' }));
  if (r.window) dl.append(fact('rate.window', typeof r.window === 'object' ? r.window.name : r.window));
  apply(dl);
  $('target').hidden = false;
}

function showRated(r, justNow) {
  const rating = r.rating || {};
  const dl = $('rated-facts');
  dl.textContent = '';
  dl.append(fact('rate.level', levelEl(rating.level), { id: 'rated-level' }));
  if (Array.isArray(rating.tags) && rating.tags.length) dl.append(fact('rate.tags', rating.tags.join('、')));
  if (rating.comment) dl.append(fact('rate.comment', rating.comment));
  if (rating.created_at) dl.append(fact('rate.at', dayTime(rating.created_at)));
  apply(dl);
  if (justNow) setI18n($('rated-thanks'), 'rate.thanks');
  else setPlain($('rated-thanks'), '');
  const rc = r.rectification;
  $('rect').hidden = !rc;
  $('appeal-form').hidden = true;
  if (rc) {
    const rd = $('rect-facts');
    rd.textContent = '';
    rd.append(fact('rate.rect_status', rectStatusEl(rc.status), { id: 'rect-status' }));
    if (rc.due) rd.append(fact('rate.rect_due', rc.due, { cls: 'code' }));
    if (rc.rectification) rd.append(fact('rate.rect_text', rc.rectification));
    if (rc.visit_note) rd.append(fact('rate.rect_visit', rc.visit_note));
    apply(rd);
    $('appeal-form').hidden = !rc.appealable;
  }
  $('rate-form').hidden = true;
  $('not-rateable').hidden = true;
  $('rated').hidden = false;
}

async function load(justNow) {
  clearError($('error'));
  setI18n($('status'), 'common.loading');
  const sp = new URLSearchParams(target.ticket ? { ticket: target.ticket } : { receipt: target.receipt });
  sp.set('code', target.code);
  let r;
  try {
    r = await api('GET', `/public/rateable?${sp}`);
  } catch (err) {
    setPlain($('status'), '');
    showApiError($('error'), err);
    $('find-form').hidden = false;
    return;
  }
  setPlain($('status'), '');
  $('find-form').hidden = true;
  showTarget(r);
  if (r.rating) {
    showRated(r, justNow);
    $('rated-h').focus();
  } else if (r.rateable) {
    $('rated').hidden = true;
    $('not-rateable').hidden = true;
    $('rate-form').hidden = false;
  } else {
    $('rated').hidden = true;
    $('rate-form').hidden = true;
    $('not-rateable').hidden = false;
  }
  document.body.setAttribute('data-loaded', 'true');
}

async function onRate(ev) {
  ev.preventDefault();
  clearFields($('rate-form'), $('r-error'));
  const level = chosenLevel();
  if (!level) {
    setI18n($('r-level-err'), 'rate.need_level');
    $('levels').querySelector('input').focus();
    return;
  }
  const tags = [...$('tags').querySelectorAll('input:checked')].map((i) => i.value);
  const comment = $('r-comment').value.trim();
  const body = { ...targetBody(), level };
  if (tags.length) body.tags = tags;
  if (comment) body.comment = comment;
  // Where the rating came from (好差评 channels): the progress page or a window's tablet say so;
  // a slip's printed link is the visit's QR channel.
  const channel = param('channel');
  if (['qr', 'progress', 'window'].includes(channel)) body.channel = channel;
  else if (body.ticket) body.channel = 'qr';
  const btn = $('r-submit');
  btn.disabled = true;
  try {
    await api('POST', '/public/ratings', { body });
  } catch (err) {
    btn.disabled = false;
    showApiError($('r-error'), err);
    if (err.code === 'already_rated') await load(false);
    return;
  }
  btn.disabled = false;
  await load(true);
}

async function onAppeal(ev) {
  ev.preventDefault();
  clearFields($('appeal-form'), $('ap-error'));
  const reason = $('ap-reason').value.trim();
  if (!reason) {
    markField('ap-reason', 'rate.need_reason');
    return;
  }
  const btn = $('ap-submit');
  btn.disabled = true;
  try {
    await api('POST', '/public/appeals', { body: { ...targetBody(), reason } });
  } catch (err) {
    btn.disabled = false;
    showApiError($('ap-error'), err, { reason: 'ap-reason' });
    return;
  }
  btn.disabled = false;
  $('ap-reason').value = '';
  await load(false);
  setI18n($('rated-thanks'), 'rate.appealed');
}

function onFind(ev) {
  ev.preventDefault();
  clearFields($('find-form'), $('error'));
  const receipt = $('f-receipt').value.trim().toUpperCase();
  const code = $('f-code').value.trim();
  if (!receipt) return markField('f-receipt', 'rate.need_receipt');
  if (!code) return markField('f-code', 'rate.need_code');
  target = { receipt, code };
  replaceQuery({ receipt, code });
  load(false);
  return null;
}

async function main() {
  await initI18n();
  chosenLevel = levelChooser($('levels'), 'r-level');
  renderTags();
  $('rate-form').addEventListener('submit', onRate);
  $('appeal-form').addEventListener('submit', onAppeal);
  $('find-form').addEventListener('submit', onFind);
  const code = param('code').trim();
  const ticket = param('ticket').trim();
  const receipt = param('receipt').trim();
  $('f-receipt').value = receipt;
  $('f-code').value = code;
  if (code && (ticket || receipt)) {
    target = ticket ? { ticket, code } : { receipt, code };
    await load(false);
  } else {
    $('find-form').hidden = false;
    document.body.setAttribute('data-loaded', 'true');
  }
}

main().catch((e) => console.error(e));
