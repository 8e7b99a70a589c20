// Today's bookings at a site (/bookings, docs/api-booking.md): the appointments of a day with
// check-in (which gives the resident a ticket with priority `appointment`) and no-show; below, the
// site's bookable services, which admins and coordinators create and edit.

import { apply } from './i18n.js';
import { api, clearError, showError } from './api.js';
import { $, clearNote, h, param, replaceQuery, setI18n } from './dom.js';
import { chinaToday } from './casekit.js';
import { canEditSiteLists, fetchAll, signedOut, startStaffPage } from './staff.js';

const KINDS = ['general', 'assisted', 'specialised', 'complaint', 'cross_region', 'issuance', 'self_service'];
const STATUSES = ['booked', 'checked_in', 'no_show', 'cancelled'];

let me = null;
let siteId = null;
let services = [];
let editing = null; // the service being edited, or null for a new one
let seq = 0;

function kindEl(k) {
  return KINDS.includes(k) ? h('span', { i18n: `console.kind.${k}` }) : h('span', { text: k || '' });
}

function hhmm(iso) {
  const m = /T(\d{2}:\d{2})/.exec(String(iso || ''));
  return m ? m[1] : String(iso || '');
}

function statusBadge(s) {
  return STATUSES.includes(s) ? h('span', { cls: `badge bk-${s}`, i18n: `bookings.st.${s}` }) : h('span', { cls: 'badge', text: s || '' });
}

// ---------------------------------------------------------------------------------------------
// Appointments

function row(a) {
  const actions = h('td', { label: 'bookings.actions', cls: 'row-actions' });
  if (a.status === 'booked') {
    const ci = h('button', { cls: 'btn btn-primary btn-small', i18n: 'bookings.check_in', attrs: { type: 'button', 'data-action': 'check-in' } });
    ci.addEventListener('click', () => checkIn(a, ci));
    actions.append(ci);
    if (a.start && Date.parse(a.start) <= Date.now()) {
      const ns = h('button', { cls: 'btn btn-outline btn-small', i18n: 'bookings.no_show', attrs: { type: 'button', 'data-action': 'no-show' } });
      ns.addEventListener('click', () => noShow(a, ns));
      actions.append(' ', ns);
    }
  } else {
    actions.append(h('span', { cls: 'muted', text: '—' }));
  }
  const item = a.item && (a.item.name || a.item.code);
  return h('tr', { attrs: { 'data-code': a.code, 'data-id': a.id } }, [
    h('th', { label: 'bookings.time', cls: 'code', text: `${hhmm(a.start)}–${hhmm(a.end)}`, attrs: { scope: 'row' } }),
    h('td', { label: 'bookings.code', cls: 'code bk-code', text: a.code }),
    h('td', { label: 'bookings.service' }, [h('span', { text: a.service || '' }), item ? h('span', { cls: 'muted', text: ` · ${item}` }) : null]),
    h('td', { label: 'bookings.name' }, [h('span', { text: a.name || '' }), ' ', h('span', { cls: 'code muted', text: a.phone || '' })]),
    h('td', { label: 'bookings.status', cls: 'bk-status' }, [statusBadge(a.status)]),
    h('td', { label: 'bookings.ticket', cls: 'code bk-ticket', text: a.ticket || '—' }),
    actions,
  ]);
}

async function loadList() {
  const mine = ++seq;
  clearError($('error'));
  setI18n($('list-status'), 'common.loading');
  const sp = new URLSearchParams({ site: String(siteId), date: $('date').value || chinaToday() });
  if ($('f-status').value) sp.set('status', $('f-status').value);
  try {
    const items = await fetchAll(`/appointments?${sp}`);
    if (mine !== seq) return;
    const tbody = $('rows');
    tbody.textContent = '';
    for (const a of items) tbody.append(row(a));
    $('table').hidden = items.length === 0;
    if (items.length) setI18n($('list-status'), 'bookings.count', { n: items.length });
    else setI18n($('list-status'), 'bookings.none');
    apply($('table'));
  } catch (err) {
    if (mine !== seq || signedOut(err)) return;
    showError($('error'), err);
    setI18n($('list-status'), 'list.failed');
  }
}

async function checkIn(a, btn) {
  btn.disabled = true;
  clearError($('action-error'));
  clearNote($('notice'));
  try {
    const t = await api('POST', `/appointments/${encodeURIComponent(a.id)}/check-in`, { body: {}, csrf: me.csrf });
    setI18n($('notice'), 'bookings.checked_in', { number: t.number });
    await loadList();
  } catch (err) {
    btn.disabled = false;
    if (signedOut(err)) return;
    showError($('action-error'), err);
  }
}

async function noShow(a, btn) {
  btn.disabled = true;
  clearError($('action-error'));
  clearNote($('notice'));
  try {
    await api('POST', `/appointments/${encodeURIComponent(a.id)}/no-show`, { body: {}, csrf: me.csrf });
    setI18n($('notice'), 'bookings.marked_no_show', { code: a.code });
    await loadList();
  } catch (err) {
    btn.disabled = false;
    if (signedOut(err)) return;
    showError($('action-error'), err);
  }
}

// ---------------------------------------------------------------------------------------------
// Bookable services

function svcRow(s) {
  const edit = h('td', { label: 'bookings.actions' });
  if (canEditSiteLists(me)) {
    const b = h('button', { cls: 'btn btn-outline btn-small', i18n: 'bookings.svc_edit', attrs: { type: 'button', 'aria-describedby': `svc-name-${s.id}` } });
    b.addEventListener('click', () => openForm(s));
    edit.append(b);
  } else {
    edit.append(h('span', { cls: 'muted', text: '—' }));
  }
  return h('tr', { attrs: { 'data-service': s.id } }, [
    h('th', { label: 'bookings.svc_name', cls: 'svc-name', text: s.name, attrs: { scope: 'row', id: `svc-name-${s.id}` } }),
    h('td', { label: 'bookings.svc_kind' }, [kindEl(s.kind)]),
    h('td', { label: 'bookings.svc_item_col', cls: 'code' }, [s.item ? h('span', { text: s.item }) : h('span', { cls: 'muted', i18n: 'bookings.svc_any_item' })]),
    h('td', { label: 'bookings.svc_hours', cls: 'code svc-hours', text: s.hours }),
    h('td', { label: 'bookings.svc_slot' }, [h('span', { i18n: 'bookings.minutes', args: { n: s.slot_minutes } })]),
    h('td', { label: 'bookings.svc_capacity', cls: 'svc-capacity', text: s.capacity }),
    h('td', { label: 'bookings.svc_active_col' }, [h('span', {
      cls: s.active === false ? 'badge status-retired' : 'badge status-published',
      i18n: s.active === false ? 'bookings.svc_off' : 'bookings.svc_on',
    })]),
    edit,
  ]);
}

async function loadServices() {
  clearError($('svc-error'));
  try {
    services = await fetchAll(`/booking-services?site=${encodeURIComponent(siteId)}`);
    services = services.filter((s) => Number(s.site_id) === Number(siteId));
    const tbody = $('svc-rows');
    tbody.textContent = '';
    for (const s of services) tbody.append(svcRow(s));
    $('svc-table').hidden = services.length === 0;
    if (services.length) clearNote($('svc-status'));
    else setI18n($('svc-status'), 'bookings.services_none');
    apply($('svc-table'));
  } catch (err) {
    if (signedOut(err)) return;
    showError($('svc-error'), err);
  }
}

function openForm(s) {
  editing = s || null;
  const f = $('svc-form');
  f.hidden = false;
  clearError($('svc-form-error'));
  setI18n($('svc-form-h'), s ? 'bookings.svc_edit_h' : 'bookings.svc_new_h');
  $('s-name').value = s ? s.name : '';
  $('s-kind').value = s ? s.kind : 'general';
  $('s-kind').disabled = !!s; // a service's kind is fixed (PATCH does not take it)
  $('s-item').value = s && s.item ? s.item : '';
  $('s-hours').value = s ? s.hours : '09:00-12:00,13:30-17:30';
  $('s-slot').value = s ? s.slot_minutes : 30;
  $('s-capacity').value = s ? s.capacity : 5;
  $('s-active').checked = s ? s.active !== false : true;
  $('s-active-row').hidden = !s;
  $('svc-cancel').hidden = !s;
  if (s) $('s-name').focus();
}

const FIELD_INPUT = {
  name: 's-name', kind: 's-kind', item: 's-item', hours: 's-hours', slot_minutes: 's-slot', capacity: 's-capacity',
};

async function saveService(ev) {
  ev.preventDefault();
  const btn = $('svc-form').querySelector('button[type="submit"]');
  clearError($('svc-form-error'));
  clearNote($('svc-notice'));
  for (const id of Object.values(FIELD_INPUT)) $(id).removeAttribute('aria-invalid');
  const body = {
    name: $('s-name').value.trim(),
    item: $('s-item').value.trim() || null,
    hours: $('s-hours').value.trim(),
    slot_minutes: Number($('s-slot').value),
    capacity: Number($('s-capacity').value),
  };
  btn.disabled = true;
  try {
    let saved;
    if (editing) {
      body.active = $('s-active').checked;
      saved = await api('PATCH', `/booking-services/${encodeURIComponent(editing.id)}`, { body, csrf: me.csrf });
    } else {
      body.site_id = siteId;
      body.kind = $('s-kind').value;
      if (body.item === null) delete body.item;
      saved = await api('POST', '/booking-services', { body, csrf: me.csrf });
    }
    setI18n($('svc-notice'), 'bookings.svc_saved', { name: saved.name || body.name });
    await loadServices();
    const keep = $('svc-notice').getAttribute('data-i18n-args');
    openForm(null);
    setI18n($('svc-notice'), 'bookings.svc_saved', JSON.parse(keep));
  } catch (err) {
    if (signedOut(err)) return;
    showError($('svc-form-error'), err);
    const input = err.field && FIELD_INPUT[err.field];
    if (input) $(input).setAttribute('aria-invalid', 'true');
  } finally {
    btn.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  me = await startStaffPage();
  if (!me) {
    setI18n($('status'), 'list.failed');
    return;
  }
  const own = me.site ? me.site.id : me.user.site_id;
  let sites = [];
  try {
    sites = await fetchAll('/sites');
  } catch (err) {
    if (signedOut(err)) return;
    sites = [];
  }
  if (!sites.some((s) => Number(s.id) === Number(own))) sites.unshift(me.site || { id: own, name: String(own) });
  const sel = $('site');
  for (const s of sites) {
    const o = h('option', { text: s.name });
    o.value = String(s.id);
    sel.append(o);
  }
  const wanted = param('site');
  siteId = sites.some((s) => String(s.id) === wanted) ? Number(wanted) : own;
  sel.value = String(siteId);
  $('site-field').hidden = sites.length < 2;
  $('date').value = /^\d{4}-\d{2}-\d{2}$/.test(param('date')) ? param('date') : chinaToday();
  const fs = $('f-status');
  fs.append(h('option', { i18n: 'bookings.all', attrs: { value: '' } }));
  for (const s of STATUSES) {
    const o = h('option', { i18n: `bookings.st.${s}` });
    o.value = s;
    fs.append(o);
  }
  const sk = $('s-kind');
  for (const k of KINDS) {
    const o = h('option', { i18n: `console.kind.${k}` });
    o.value = k;
    sk.append(o);
  }
  clearNote($('status'));
  $('content').hidden = false;
  const editor = canEditSiteLists(me);
  $('svc-readonly').hidden = editor;
  if (editor) openForm(null);
  $('svc-form').addEventListener('submit', saveService);
  $('svc-cancel').addEventListener('click', () => openForm(null));
  $('filters').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const changedSite = Number(sel.value) !== Number(siteId);
    siteId = Number(sel.value);
    replaceQuery({ site: siteId === Number(own) ? '' : String(siteId), date: $('date').value === chinaToday() ? '' : $('date').value });
    clearNote($('notice'));
    loadList();
    if (changedSite) {
      loadServices();
      if (editor) openForm(null);
    }
  });
  apply($('main'));
  loadList();
  loadServices();
}

main().catch((e) => console.error(e));
