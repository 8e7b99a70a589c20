// Staff home (/home): who is signed in, their site and its place in the tree, the sites they
// can see, and sign-out. Not signed in (401 from /api/v1/me): back to the sign-in page.

import { apply, initI18n, t } from './i18n.js';
import { ApiError, api, showError } from './api.js';
import { renderSiteTree } from './sitetree.js';
import { h } from './dom.js';
import { label } from './labels.js';
import { caseLink, daysLeftEl } from './casekit.js';
import { showStaffNav } from './staff.js';

const MAX_SITE_PAGES = 500; // 500 pages of 200: far past any real county; stops a looping cursor

let csrf = '';

function $(id) {
  return document.getElementById(id);
}

function goToSignIn() {
  window.location.replace('/');
}

/** Fills el with text, or the translated "not set" when the value is empty. */
function setText(el, value) {
  if (value === null || value === undefined || value === '') {
    el.setAttribute('data-i18n', 'common.none');
    el.classList.add('muted');
  } else {
    el.removeAttribute('data-i18n');
    el.classList.remove('muted');
    el.textContent = String(value);
  }
}

/** Fills el with the translation of key (a role or level), or the raw value if unknown. */
function setLabel(el, prefix, value) {
  const key = `${prefix}.${value}`;
  if (value && t(key) !== key) {
    el.setAttribute('data-i18n', key);
  } else {
    setText(el, value);
  }
}

function renderMe(me) {
  const user = me.user || {};
  const site = me.site || {};
  const welcome = $('welcome');
  welcome.setAttribute('data-i18n', 'home.welcome');
  welcome.setAttribute('data-i18n-args', JSON.stringify({ name: user.name || user.login || '' }));
  welcome.hidden = false;

  setText($('me-name'), user.name);
  setText($('me-login'), user.login);
  setLabel($('me-role'), 'role', user.role);

  setText($('site-name'), site.name);
  setLabel($('site-level'), 'level', site.level);
  setText($('site-code'), site.code);
  setText($('site-address'), site.address);
  setText($('site-hours'), site.hours);
  const phone = $('site-phone');
  phone.textContent = '';
  if (site.phone) {
    const a = document.createElement('a');
    a.href = `tel:${String(site.phone).replace(/[^0-9+]/g, '')}`;
    a.textContent = site.phone;
    phone.append(a);
  } else {
    setText(phone, site.phone);
  }

  const ol = $('site-path');
  ol.textContent = '';
  const path = Array.isArray(me.path) && me.path.length ? me.path : [site];
  path.forEach((p, i) => {
    const li = document.createElement('li');
    li.textContent = p.name;
    if (p.level) li.setAttribute('data-level', p.level);
    if (i === path.length - 1) li.setAttribute('aria-current', 'location');
    ol.append(li);
  });
}

/** Every site in the caller's subtree, following the `next` cursor. */
async function fetchAllSites() {
  const sites = [];
  let cursor = null;
  for (let page = 0; page < MAX_SITE_PAGES; page++) {
    const q = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const res = await api('GET', `/sites?limit=200${q}`);
    if (Array.isArray(res.items)) sites.push(...res.items);
    if (res.next === null || res.next === undefined || res.next === '') return sites;
    cursor = res.next;
  }
  return sites;
}

async function loadSites(ownSiteId) {
  const count = $('sites-count');
  try {
    const sites = await fetchAllSites();
    renderSiteTree($('site-tree'), sites, ownSiteId);
    count.setAttribute('data-i18n', sites.length ? 'sites.count' : 'sites.empty');
    count.setAttribute('data-i18n-args', JSON.stringify({ n: sites.length }));
    apply($('content'));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return goToSignIn();
    showError($('sites-error'), err);
  }
}

/** What an alert is about: a case, or a front-desk record (a bad rating's rectification, a complaint). */
function alertLink(a) {
  if (a.kind.startsWith('rectification_')) {
    return h('a', { text: a.site || String(a.id), attrs: { href: `/rectifications?id=${a.id}` } });
  }
  if (a.kind === 'complaint_overdue') {
    return h('a', { text: a.code, cls: 'code', attrs: { href: `/complaints?id=${a.id}` } });
  }
  return caseLink(a.receipt);
}

function alertRow(a) {
  const meta = [];
  if (a.due) meta.push(h('span', { i18n: 'alerts.due', args: { date: a.due } }));
  if (a.kind !== 'handoff_late' && a.days_left !== null && a.days_left !== undefined) {
    meta.push(daysLeftEl(a.days_left));
  }
  const attrs = { 'data-kind': a.kind };
  if (a.receipt) attrs['data-receipt'] = a.receipt;
  else attrs['data-id'] = String(a.id);
  return h('li', { attrs }, [
    h('p', { cls: 'meta alert-head' }, [
      label('span', 'alert_kind', a.kind, `badge kind-${a.kind}`),
      alertLink(a),
    ]),
    meta.length ? h('p', { cls: 'meta' }, meta) : null,
  ]);
}

/** GET /alerts: what the caller's site holds that is due soon, overdue, or late in a handoff. */
async function loadAlerts() {
  const st = $('alerts-status');
  st.setAttribute('data-i18n', 'common.loading');
  apply(st.parentNode);
  try {
    const res = await api('GET', '/alerts');
    const items = Array.isArray(res.items) ? res.items : [];
    const ul = $('alerts');
    ul.textContent = '';
    for (const a of items) ul.append(alertRow(a));
    st.setAttribute('data-i18n', items.length ? 'alerts.count' : 'alerts.none');
    st.setAttribute('data-i18n-args', JSON.stringify({ n: items.length }));
    apply(st.parentNode);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return goToSignIn();
    st.removeAttribute('data-i18n');
    st.textContent = '';
    showError($('alerts-error'), err);
  }
}

async function signOut() {
  const btn = $('sign-out');
  btn.disabled = true;
  try {
    await api('DELETE', '/session', { csrf });
    goToSignIn();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return goToSignIn(); // already gone
    btn.disabled = false;
    showError($('error'), err);
  }
}

async function main() {
  $('sign-out').addEventListener('click', signOut);
  const mePromise = api('GET', '/me');
  mePromise.catch(() => {}); // handled below, once the texts are loaded
  await initI18n();
  let me;
  try {
    me = await mePromise;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return goToSignIn();
    $('status').removeAttribute('data-i18n');
    $('status').textContent = '';
    showError($('error'), err);
    return;
  }
  csrf = me.csrf || '';
  showStaffNav(me);
  renderMe(me);
  $('content').hidden = false;
  apply(document);
  await Promise.all([loadAlerts(), loadSites(me.site ? me.site.id : me.user && me.user.site_id)]);
  const status = $('status');
  status.removeAttribute('data-i18n');
  status.textContent = '';
  status.hidden = true;
}

main().catch((e) => console.error(e));
