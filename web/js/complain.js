// 办不成事反映 (/complain, no sign-in; docs/api-desk.md): the site, optionally the item, name,
// phone and what went wrong -> POST /public/complaints, the code shown big. The follow-up: code +
// phone -> GET /public/complaints/{code}?phone=; once answered the resident rates the answer
// (POST /public/complaints/{code}/rate).

import { apply, initI18n } from './i18n.js';
import { api, clearError, showError } from './api.js';
import { $, h, param, setI18n, setPlain } from './dom.js';
import {
  clearFields, fact, itemPicker, levelChooser, levelKey, loadSites, looksLikeMobile, markField,
  showApiError, siteOptions, dayTime,
} from './public.js';

const STATUSES = ['open', 'assigned', 'answered', 'closed'];
let picker = null;
let followed = null; // { code, phone }
let frLevel = () => null;

function statusEl(status) {
  return STATUSES.includes(status)
    ? h('span', { cls: `badge pub-cs-${status}`, i18n: `complain.st_${status}` })
    : h('span', { text: status });
}

async function onSubmit(ev) {
  ev.preventDefault();
  const form = $('c-form');
  clearFields(form, $('error'));
  const site = $('c-site').value;
  const name = $('c-name').value.trim();
  const phone = $('c-phone').value.trim();
  const description = $('c-desc').value.trim();
  if (!site) return markField('c-site', 'pub.need_site');
  if (!name) return markField('c-name', 'pub.need_name');
  if (!looksLikeMobile(phone)) return markField('c-phone', 'pub.need_phone');
  if (!description) return markField('c-desc', 'complain.need_desc');
  const body = { site_id: Number(site), name, phone, description };
  const item = picker.chosen();
  if (item) body.item = item.code;
  const btn = $('c-submit');
  btn.disabled = true;
  let c;
  try {
    c = await api('POST', '/public/complaints', { body });
  } catch (err) {
    btn.disabled = false;
    showApiError($('error'), err, {
      site_id: 'c-site', name: 'c-name', phone: 'c-phone', description: 'c-desc', item: 'c-q',
    });
    return null;
  }
  btn.disabled = false;
  setPlain($('r-code'), c.code);
  const dl = $('r-facts');
  dl.textContent = '';
  dl.append(fact('pub.site', c.site || $('c-site').selectedOptions[0].textContent));
  if (c.item) dl.append(fact('complain.item_short', c.item.name || c.item.code));
  if (c.due) dl.append(fact('complain.due', c.due, { cls: 'code' }));
  apply(dl);
  form.hidden = true;
  $('result').hidden = false;
  $('f-code').value = c.code;
  $('f-phone').value = phone;
  $('result-h').focus();
  return null;
}

function onAgain() {
  $('result').hidden = true;
  $('c-form').hidden = false;
  $('c-desc').value = '';
  $('c-desc').focus();
}

function showFollow(c) {
  const dl = $('f-facts');
  dl.textContent = '';
  dl.append(fact('complain.status', statusEl(c.status), { id: 'f-status' }));
  if (c.site) dl.append(fact('pub.site', typeof c.site === 'object' ? c.site.name : c.site));
  if (c.item) dl.append(fact('complain.item_short', typeof c.item === 'object' ? c.item.name || c.item.code : c.item));
  if (c.opened_on) dl.append(fact('complain.opened', c.opened_on, { cls: 'code' }));
  if (c.due) dl.append(fact('complain.due', c.due, { cls: 'code' }));
  if (c.answer) dl.append(fact('complain.answer', c.answer, { id: 'f-answer' }));
  if (c.answered_at) dl.append(fact('complain.answered_at', dayTime(c.answered_at)));
  if (c.level) {
    const key = levelKey(c.level);
    dl.append(fact('complain.your_level', key ? h('span', { i18n: key }) : String(c.level), { id: 'f-level' }));
  }
  apply(dl);
  $('fr-form').hidden = c.status !== 'answered';
  if (c.status === 'open' || c.status === 'assigned') setI18n($('f-note'), 'complain.waiting');
  else setPlain($('f-note'), '');
  $('f-result').hidden = false;
}

async function onFollow(ev) {
  ev.preventDefault();
  clearFields($('f-form'), $('f-error'));
  const code = $('f-code').value.trim().toUpperCase();
  const phone = $('f-phone').value.trim();
  if (!code) return markField('f-code', 'complain.need_code');
  if (!phone) return markField('f-phone', 'pub.need_phone');
  const btn = $('f-go');
  btn.disabled = true;
  try {
    const c = await api('GET', `/public/complaints/${encodeURIComponent(code)}?phone=${encodeURIComponent(phone)}`);
    followed = { code: c.code || code, phone };
    showFollow(c);
  } catch (err) {
    $('f-result').hidden = true;
    showApiError($('f-error'), err, { phone: 'f-phone', code: 'f-code' });
  }
  btn.disabled = false;
  return null;
}

async function onRate(ev) {
  ev.preventDefault();
  clearFields($('fr-form'), $('fr-error'));
  const level = frLevel();
  if (!level) {
    setI18n($('fr-level-err'), 'rate.need_level');
    $('fr-levels').querySelector('input').focus();
    return;
  }
  const btn = $('fr-submit');
  btn.disabled = true;
  try {
    await api('POST', `/public/complaints/${encodeURIComponent(followed.code)}/rate`,
      { body: { phone: followed.phone, level } });
    const c = await api('GET', `/public/complaints/${encodeURIComponent(followed.code)}?phone=${encodeURIComponent(followed.phone)}`);
    showFollow(c);
    setI18n($('f-note'), 'complain.rated');
    $('f-note').setAttribute('tabindex', '-1');
    $('f-note').focus();
  } catch (err) {
    showApiError($('fr-error'), err);
  }
  btn.disabled = false;
}

async function main() {
  const sitesPromise = loadSites();
  sitesPromise.catch(() => {});
  await initI18n();
  picker = itemPicker({
    input: $('c-q'), button: $('c-q-go'), listEl: $('c-items'), statusEl: $('c-items-status'),
    errorEl: $('error'), name: 'c-item', site: () => $('c-site').value, allowNone: true,
  });
  let sites = [];
  try {
    sites = await sitesPromise;
  } catch (err) {
    showError($('error'), err);
  }
  siteOptions($('c-site'), sites, param('site'));
  $('c-site').addEventListener('change', () => {
    clearError($('error'));
    picker.clear();
  });
  frLevel = levelChooser($('fr-levels'), 'fr-level');
  $('c-form').addEventListener('submit', onSubmit);
  $('r-again').addEventListener('click', onAgain);
  $('f-form').addEventListener('submit', onFollow);
  $('fr-form').addEventListener('submit', onRate);
  if (param('code')) $('f-code').value = param('code');
  document.body.setAttribute('data-ready', 'true');
}

main().catch((e) => console.error(e));
