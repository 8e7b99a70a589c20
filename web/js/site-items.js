// Per-site lists (/site-items?site=<id>): pick one of the sites you can see and show what it
// offers (GET /sites/{id}/items). Admins and coordinators edit it: add published items (search
// GET /items?q=&status=published), set each one's mode, remove, and save the whole list
// (PUT /sites/{id}/items). Below, the integrated list of the caller's subtree (GET /site-items).

import { apply } from './i18n.js';
import { ApiError, api, clearError, showError } from './api.js';
import { $, clearNote, h, param, replaceQuery, setI18n } from './dom.js';
import { MODES, label, options } from './labels.js';
import { pagedList } from './list.js';
import { canEditSiteLists, fetchAll, signedOut, startStaffPage } from './staff.js';

const SEARCH_LIMIT = 20;
const ALL_PAGE = 50;

let csrf = '';
let canEdit = false;
let sites = []; // every visible site
let siteId = null;
let list = []; // the chosen site's list as loaded: [{code, name, domain, case_type, mode}]
let working = null; // the list being edited, or null

const siteById = (id) => sites.find((s) => String(s.id) === String(id));

function defaultMode(site) {
  return site && site.level === 'village' ? 'collect' : 'accept';
}

/** Sites as <option>s, indented under their parents (tree order). */
function siteOptions(select, { allKey, selected } = {}) {
  select.textContent = '';
  if (allKey) select.append(h('option', { i18n: allKey, attrs: { value: '' } }));
  const ids = new Set(sites.map((s) => s.id));
  const kids = new Map();
  const roots = [];
  for (const s of sites) {
    if (s.parent_id === null || s.parent_id === undefined || !ids.has(s.parent_id)) roots.push(s);
    else {
      if (!kids.has(s.parent_id)) kids.set(s.parent_id, []);
      kids.get(s.parent_id).push(s);
    }
  }
  const seen = new Set();
  const walk = (s, depth) => {
    if (seen.has(s.id)) return;
    seen.add(s.id);
    const opt = h('option', { text: `${'\u3000'.repeat(depth)}${s.name}`, attrs: { value: s.id } });
    if (String(selected) === String(s.id)) opt.selected = true;
    select.append(opt);
    for (const k of (kids.get(s.id) || []).sort((a, b) => a.id - b.id)) walk(k, depth + 1);
  };
  for (const r of roots.sort((a, b) => a.id - b.id)) walk(r, 0);
}

// ---------------------------------------------------------------------------------------------
// One site's list

function viewRow(it) {
  return h('tr', { attrs: { 'data-code': it.code } }, [
    h('td', { label: 'item.code' }, [h('span', { cls: 'code', text: it.code })]),
    h('th', { label: 'item.name', attrs: { scope: 'row' } }, [
      h('a', { text: it.name, attrs: { href: `/item?code=${encodeURIComponent(it.code)}` } }),
    ]),
    h('td', { label: 'item.domain' }, [label('span', 'domain', it.domain)]),
    h('td', { label: 'item.case_type' }, [label('span', 'case_type', it.case_type)]),
    h('td', { label: 'site_items.mode', cls: 'mode' }, [label('span', 'mode', it.mode)]),
  ]);
}

function editRow(it, i) {
  const sel = h('select', { attrs: { id: `mode-${i}`, 'data-field': `items[${i}].mode` } });
  options(sel, 'mode', MODES, { selected: it.mode });
  sel.addEventListener('change', () => { working[i].mode = sel.value; });
  const remove = h('button', { cls: 'btn btn-outline btn-small', attrs: { type: 'button' } }, [
    h('span', { i18n: 'site_items.remove' }),
    h('span', { cls: 'visually-hidden', text: ` ${it.name}` }),
  ]);
  remove.addEventListener('click', () => {
    working.splice(i, 1);
    renderList();
    const rows = $('list-rows').querySelectorAll('button');
    (rows[Math.min(i, rows.length - 1)] || $('add-q')).focus();
    renderSearchState();
  });
  return h('tr', { attrs: { 'data-code': it.code, 'data-field': `items[${i}].code` } }, [
    h('td', { label: 'item.code' }, [h('span', { cls: 'code', text: it.code })]),
    h('th', { label: 'item.name', attrs: { scope: 'row' } }, [h('div', {}, [
      h('span', { text: it.name }),
      h('p', { cls: 'field-error', attrs: { id: `row-err-${i}` } }),
    ])]),
    h('td', { label: 'item.domain' }, [label('span', 'domain', it.domain)]),
    h('td', { label: 'item.case_type' }, [label('span', 'case_type', it.case_type)]),
    h('td', { label: 'site_items.mode', cls: 'mode' }, [h('div', { cls: 'field' }, [
      h('label', {
        cls: 'visually-hidden', i18n: 'site_items.mode_for', args: { name: it.name }, attrs: { for: sel.id },
      }),
      sel,
    ])]),
    h('td', { label: 'site_items.actions' }, [remove]),
  ]);
}

function renderList() {
  const rows = $('list-rows');
  rows.textContent = '';
  const items = working || list;
  items.forEach((it, i) => rows.append(working ? editRow(it, i) : viewRow(it)));
  $('list-table').hidden = items.length === 0;
  $('actions-col').hidden = !working;
  const site = siteById(siteId);
  const st = $('list-status');
  if (items.length === 0) setI18n(st, 'site_items.empty', { site: site ? site.name : '' });
  else setI18n(st, 'site_items.count', { site: site ? site.name : '', n: items.length });
  $('edit-list').hidden = !canEdit || !!working;
  $('editor').hidden = !working;
  apply($('list-table'));
}

async function loadList() {
  clearError($('list-error'));
  setI18n($('list-status'), 'common.loading');
  $('list-table').hidden = true;
  working = null;
  try {
    const res = await api('GET', `/sites/${encodeURIComponent(siteId)}/items`);
    list = Array.isArray(res.items) ? res.items : [];
  } catch (err) {
    if (signedOut(err)) return;
    list = [];
    clearNote($('list-status'));
    showError($('list-error'), err);
    return;
  }
  renderList();
}

function startEditing() {
  clearNote($('list-notice'));
  working = list.map((it) => ({ ...it }));
  $('add-results').textContent = '';
  clearNote($('add-status'));
  renderList();
  $('add-q').focus();
}

function stopEditing() {
  working = null;
  renderList();
  $('edit-list').focus();
}

async function save() {
  const btn = $('save-list');
  btn.disabled = true;
  clearError($('list-error'));
  clearNote($('list-notice'));
  const body = { items: working.map((it) => ({ code: it.code, mode: it.mode })) };
  try {
    await api('PUT', `/sites/${encodeURIComponent(siteId)}/items`, { body, csrf });
  } catch (err) {
    btn.disabled = false;
    if (signedOut(err)) return;
    showError($('list-error'), err);
    markRow(err);
    return;
  }
  btn.disabled = false;
  await loadList();
  setI18n($('list-notice'), 'site_items.saved', { n: list.length });
  $('edit-list').focus();
}

/** An error naming items[i].code or items[i].mode: mark that row and repeat the message there. */
function markRow(err) {
  const m = err instanceof ApiError && err.field ? /^items\[(\d+)\]/.exec(err.field) : null;
  if (!m) {
    $('list-error').focus();
    return;
  }
  const i = Number(m[1]);
  const row = $('list-rows').children[i];
  if (!row) return;
  row.classList.add('is-invalid');
  const msg = document.getElementById(`row-err-${i}`);
  msg.setAttribute('data-msg-zh', err.messageZh);
  msg.setAttribute('data-msg-en', err.messageEn);
  apply(row);
  const sel = row.querySelector('select');
  if (sel) {
    sel.setAttribute('aria-invalid', 'true');
    sel.setAttribute('aria-describedby', msg.id);
    sel.focus();
  }
}

// ---------------------------------------------------------------------------------------------
// Adding items

let lastResults = [];

function renderSearchState() {
  const listed = new Set((working || []).map((it) => it.code));
  for (const li of $('add-results').children) {
    const btn = li.querySelector('button');
    const inList = listed.has(li.getAttribute('data-code'));
    btn.disabled = inList;
    setI18n(btn.querySelector('.btn-text'), inList ? 'site_items.added' : 'site_items.add');
  }
}

function resultRow(it) {
  const btn = h('button', { cls: 'btn btn-outline btn-small', attrs: { type: 'button' } }, [
    h('span', { cls: 'btn-text', i18n: 'site_items.add' }),
    h('span', { cls: 'visually-hidden', text: ` ${it.name}` }),
  ]);
  btn.addEventListener('click', () => {
    if (!working || working.some((w) => w.code === it.code)) return;
    working.push({
      code: it.code, name: it.name, domain: it.domain, case_type: it.case_type,
      mode: defaultMode(siteById(siteId)),
    });
    renderList();
    renderSearchState();
    const sel = $('list-rows').lastElementChild.querySelector('select');
    if (sel) sel.focus();
  });
  return h('li', { attrs: { 'data-code': it.code } }, [
    h('p', { cls: 'meta' }, [h('strong', { text: it.name }), h('span', { cls: 'code', text: it.code })]),
    btn,
  ]);
}

async function searchToAdd(ev) {
  ev.preventDefault();
  const q = $('add-q').value.trim();
  const sp = new URLSearchParams({ status: 'published', limit: String(SEARCH_LIMIT) });
  if (q) sp.set('q', q);
  setI18n($('add-status'), 'common.loading');
  try {
    const res = await api('GET', `/items?${sp}`);
    lastResults = Array.isArray(res.items) ? res.items : [];
  } catch (err) {
    if (signedOut(err)) return;
    clearNote($('add-status'));
    showError($('list-error'), err);
    return;
  }
  const ul = $('add-results');
  ul.textContent = '';
  for (const it of lastResults) ul.append(resultRow(it));
  renderSearchState();
  if (!lastResults.length) setI18n($('add-status'), 'common.no_results');
  else setI18n($('add-status'), 'site_items.found', { n: lastResults.length });
}

// ---------------------------------------------------------------------------------------------
// Integrated list

function allRow(it) {
  return h('tr', { attrs: { 'data-site': it.site_id, 'data-code': it.code } }, [
    h('td', { label: 'site_items.site', cls: 'site-name', text: it.site_name }),
    h('td', { label: 'site.level' }, [label('span', 'site_level', it.site_level)]),
    h('td', { label: 'item.code' }, [h('span', { cls: 'code', text: it.code })]),
    h('th', { label: 'item.name', attrs: { scope: 'row' } }, [
      h('a', { text: it.name, attrs: { href: `/item?code=${encodeURIComponent(it.code)}` } }),
    ]),
    h('td', { label: 'site_items.mode', cls: 'mode' }, [label('span', 'mode', it.mode)]),
  ]);
}

async function main() {
  const me = await startStaffPage();
  if (!me) return;
  csrf = me.csrf || '';
  canEdit = canEditSiteLists(me);
  try {
    sites = await fetchAll('/sites');
  } catch (err) {
    if (signedOut(err)) return;
    clearNote($('status'));
    showError($('error'), err);
    return;
  }
  const own = me.site ? me.site.id : me.user.site_id;
  const wanted = param('site');
  siteId = wanted && siteById(wanted) ? siteById(wanted).id : own;
  siteOptions($('site'), { selected: siteId });
  siteOptions($('all-site'), { allKey: 'site_items.all_sites' });
  clearNote($('status'));
  $('content').hidden = false;

  $('site').addEventListener('change', () => {
    siteId = $('site').value;
    clearNote($('list-notice'));
    replaceQuery({ site: siteId });
    loadList();
  });
  $('edit-list').addEventListener('click', startEditing);
  $('cancel-list').addEventListener('click', stopEditing);
  $('save-list').addEventListener('click', save);
  $('add-form').addEventListener('submit', searchToAdd);

  const all = pagedList({
    listEl: $('all-rows'),
    moreBtn: $('all-more'),
    statusEl: $('all-status'),
    errorEl: $('all-error'),
    render: allRow,
    onError: signedOut,
    onPage: () => { $('all-table').hidden = $('all-rows').children.length === 0; },
    path: (cursor) => {
      const sp = new URLSearchParams({ limit: String(ALL_PAGE) });
      if ($('all-site').value) sp.set('site', $('all-site').value);
      if ($('all-item').value.trim()) sp.set('item', $('all-item').value.trim());
      if (cursor) sp.set('cursor', cursor);
      return `/site-items?${sp}`;
    },
  });
  $('all-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    all.reload();
  });
  $('all-site').addEventListener('change', () => all.reload());

  await Promise.all([loadList(), all.reload()]);
}

main().catch((e) => console.error(e));
