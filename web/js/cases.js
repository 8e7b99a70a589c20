// Case lists (/cases?tab=...): 我的办件 (holder=me), 本站办件 (site=my site), 待接收 (a handoff to
// my site not yet received: submitted or issued cases held by my site whose last handoff has no
// received_at), 即将超时 (state=due_soon) and 已超时 (state=overdue). Each row links to /case.

import { apply } from './i18n.js';
import { api, clearError, showError } from './api.js';
import { $, h, param, replaceQuery, setI18n } from './dom.js';
import {
  caseLink, caseStatusBadge, dateEl, daysLeftEl, itemNames, pendingHandoff, stateBadge,
} from './casekit.js';
import { fetchAll, signedOut, startStaffPage } from './staff.js';

const PAGE = 50;
const TABS = ['mine', 'site', 'incoming', 'due_soon', 'overdue'];

let siteId = null;
let tab = 'mine';
let seq = 0;
let next = null;
let shown = 0;

function query(cursor) {
  const sp = new URLSearchParams({ limit: String(PAGE) });
  if (tab === 'mine') sp.set('holder', 'me');
  if (tab === 'site') sp.set('site', String(siteId));
  if (tab === 'due_soon' || tab === 'overdue') sp.set('state', tab);
  if (cursor) sp.set('cursor', cursor);
  return `/cases?${sp}`;
}

function row(c, nameOf) {
  const code = typeof c.item === 'object' && c.item ? c.item.code : c.item;
  const name = typeof c.item === 'object' && c.item && c.item.name ? c.item.name : nameOf(code);
  return h('tr', { attrs: { 'data-receipt': c.receipt } }, [
    h('th', { label: 'case.receipt', attrs: { scope: 'row' } }, [caseLink(c.receipt)]),
    h('td', { label: 'case.item', cls: 'item-name', text: name }),
    h('td', { label: 'case.status', cls: 'status' }, [caseStatusBadge(c.status)]),
    h('td', { label: 'case.deadline' }, [dateEl(c.deadline)]),
    h('td', { label: 'case.days_left' }, [daysLeftEl(c.days_left, { paused: !!c.paused })]),
    h('td', { label: 'case.state', cls: 'state' }, [stateBadge(c.state)]),
  ]);
}

function setCount() {
  const key = tab === 'incoming' ? 'cases.none_incoming' : 'cases.none';
  if (shown === 0) setI18n($('status'), key);
  else setI18n($('status'), next ? 'cases.count_more' : 'cases.count', { n: shown });
}

async function render(items, mine, first) {
  const nameOf = await itemNames(items.map((c) => (typeof c.item === 'object' && c.item ? c.item.code : c.item)), siteId);
  if (mine !== seq) return;
  const tbody = $('rows');
  if (first) {
    tbody.textContent = '';
    shown = 0;
  }
  for (const c of items) tbody.append(row(c, nameOf));
  shown += items.length;
  $('table').hidden = shown === 0;
  $('table').removeAttribute('aria-busy');
  $('more').hidden = !next;
  $('more').disabled = false;
  setCount();
  apply($('table'));
}

function failed(err, mine) {
  if (mine !== seq) return;
  $('table').removeAttribute('aria-busy');
  $('more').disabled = false;
  if (signedOut(err)) return;
  showError($('error'), err);
  setI18n($('status'), 'list.failed');
}

/** Cases on their way to my site: held by it (submitted up, or issued down), last leg open. */
async function incoming(mine) {
  const lists = await Promise.all(['submitted', 'issued'].map((s) =>
    fetchAll(`/cases?status=${s}&site=${encodeURIComponent(siteId)}`)));
  const candidates = lists.flat();
  const full = await Promise.all(candidates.map((c) =>
    api('GET', `/cases/${encodeURIComponent(c.receipt)}`).catch(() => null)));
  if (mine !== seq) return [];
  return candidates.filter((c, i) => {
    const ho = full[i] && pendingHandoff(full[i]);
    if (full[i] && full[i].paused !== undefined) c.paused = full[i].paused;
    return ho && Number(ho.to_site_id) === Number(siteId);
  });
}

async function load(first) {
  const mine = ++seq;
  clearError($('error'));
  $('more').disabled = true;
  if (first) {
    setI18n($('status'), 'common.loading');
    $('table').setAttribute('aria-busy', 'true');
    next = null;
  }
  try {
    if (tab === 'incoming') {
      const items = await incoming(mine);
      next = null;
      await render(items, mine, true);
      return;
    }
    const res = await api('GET', query(first ? null : next));
    if (mine !== seq) return;
    next = res.next === undefined || res.next === '' ? null : res.next;
    await render(Array.isArray(res.items) ? res.items : [], mine, first);
  } catch (err) {
    failed(err, mine);
  }
}

function showTab(t, { push = true } = {}) {
  tab = TABS.includes(t) ? t : 'mine';
  for (const a of $('tabs').querySelectorAll('a')) {
    if (a.getAttribute('data-tab') === tab) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  setI18n($('list-h'), `cases.tab_${tab}`);
  setI18n($('intro'), `cases.intro_${tab}`);
  if (push) replaceQuery({ tab });
  load(true);
}

async function main() {
  const me = await startStaffPage();
  if (!me) {
    setI18n($('status'), 'list.failed');
    return;
  }
  siteId = me.site ? me.site.id : me.user.site_id;
  for (const a of $('tabs').querySelectorAll('a')) {
    a.addEventListener('click', (ev) => {
      ev.preventDefault();
      showTab(a.getAttribute('data-tab'));
      $('list-h').focus();
    });
  }
  $('list-h').setAttribute('tabindex', '-1');
  $('more').addEventListener('click', () => load(false));
  showTab(param('tab') || 'mine', { push: false });
}

main().catch((e) => console.error(e));
