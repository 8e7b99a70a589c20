// Public booking (/book, no sign-in; docs/api-booking.md): a site (GET /public/sites), a day up to
// bookable_until, a slot with places left (GET /public/sites/{id}/slots?date=), the item, name and
// phone -> POST /public/appointments; the booking code shown big. Below it the resident looks a
// booking up by code + phone (GET /public/appointments/{code}?phone=) and cancels it.

import { apply, initI18n } from './i18n.js';
import { ApiError, api, clearError, showError } from './api.js';
import { $, h, param, setI18n, setPlain } from './dom.js';
import {
  addDays, chinaToday, clearFields, fact, hhmm, itemPicker, kindEl, loadSites, looksLikeMobile,
  markField, showApiError, siteOptions, weekday,
} from './public.js';

let sites = [];
let slotSeq = 0;
let slots = new Map(); // slot id -> slot
let picker = null;
let lookedUp = null; // { code, phone } of the booking shown in the lookup section

function siteId() {
  return $('b-site').value;
}

function chosenDate() {
  const on = document.querySelector('input[name="b-date"]:checked');
  return on ? on.value : '';
}

function chosenSlot() {
  const on = document.querySelector('input[name="b-slot"]:checked');
  return on ? slots.get(on.value) || null : null;
}

function dateLabel(ymd) {
  const [, m, d] = ymd.split('-').map(Number);
  return h('span', {}, [
    h('span', { cls: 'pub-chip-main', i18n: 'book.date_md', args: { m, d } }),
    h('span', { cls: 'pub-chip-sub', i18n: ymd === chinaToday() ? 'book.today' : `pub.wd_${weekday(ymd)}` }),
  ]);
}

/** The day chips from today to bookable_until (the server's --booking-days). */
function renderDates(until) {
  const box = $('dates');
  box.textContent = '';
  const today = chinaToday();
  for (let d = today, i = 0; d <= until && i < 400; d = addDays(d, 1), i++) {
    const id = `b-date-${d}`;
    const input = h('input', { attrs: { type: 'radio', name: 'b-date', id, value: d } });
    input.addEventListener('change', () => { loadSlots(); });
    box.append(h('label', { cls: 'pub-chip', attrs: { for: id } }, [input, dateLabel(d)]));
  }
  $('date-box').hidden = false;
}

async function onSite() {
  clearError($('error'));
  $('dates').textContent = '';
  $('date-box').hidden = true;
  $('slot-box').hidden = true;
  $('item-box').hidden = true;
  slots = new Map();
  const id = siteId();
  if (!id) return;
  const mine = ++slotSeq;
  try {
    const res = await api('GET', `/public/sites/${encodeURIComponent(id)}/slots?date=${chinaToday()}`);
    if (mine !== slotSeq) return;
    renderDates(res.bookable_until || addDays(chinaToday(), 30));
  } catch (err) {
    if (mine !== slotSeq) return;
    showError($('error'), err);
  }
}

function slotRow(s) {
  const id = `b-slot-${s.id}`;
  const full = Number(s.remaining) <= 0;
  const input = h('input', { attrs: { type: 'radio', name: 'b-slot', id, value: s.id, disabled: full } });
  input.addEventListener('change', onSlot);
  return h('li', { attrs: { 'data-slot': s.id } }, [
    h('label', { cls: `choice pub-slot${full ? ' is-full' : ''}`, attrs: { for: id } }, [
      input,
      h('span', { cls: 'choice-text' }, [
        h('span', { cls: 'choice-name pub-slot-time', text: `${hhmm(s.start)}–${hhmm(s.end)}` }),
        h('span', { cls: 'meta' }, [h('span', { text: s.service }), kindEl('span', s.kind)]),
        full
          ? h('span', { cls: 'pub-slot-left is-full', i18n: 'book.full' })
          : h('span', { cls: 'pub-slot-left', i18n: 'book.left', args: { n: s.remaining, c: s.capacity } }),
      ]),
    ]),
  ]);
}

async function loadSlots(keep) {
  const id = siteId();
  const date = chosenDate();
  if (!id || !date) return;
  const mine = ++slotSeq;
  $('slot-box').hidden = false;
  $('item-box').hidden = true;
  const list = $('slots');
  setI18n($('slots-status'), 'common.loading');
  list.setAttribute('aria-busy', 'true');
  let res;
  try {
    res = await api('GET', `/public/sites/${encodeURIComponent(id)}/slots?date=${date}`);
  } catch (err) {
    if (mine !== slotSeq) return;
    list.removeAttribute('aria-busy');
    list.textContent = '';
    setPlain($('slots-status'), '');
    showError($('error'), err);
    return;
  }
  if (mine !== slotSeq) return;
  list.removeAttribute('aria-busy');
  list.textContent = '';
  slots = new Map();
  const items = Array.isArray(res.items) ? res.items : [];
  for (const s of items) {
    slots.set(s.id, s);
    list.append(slotRow(s));
  }
  if (!res.open) setI18n($('slots-status'), 'book.closed');
  else if (!items.length) setI18n($('slots-status'), 'book.no_slots');
  else if (items.every((s) => Number(s.remaining) <= 0)) setI18n($('slots-status'), 'book.all_full');
  else setI18n($('slots-status'), 'book.slots_n', { n: items.filter((s) => Number(s.remaining) > 0).length });
  if (keep && slots.has(keep) && Number(slots.get(keep).remaining) > 0) {
    const input = $(`b-slot-${keep}`);
    if (input) {
      input.checked = true;
      onSlot();
    }
  }
}

async function onSlot() {
  const s = chosenSlot();
  $('item-box').hidden = !s;
  if (!s) return;
  if (s.item) {
    picker.set({ code: s.item, name: s.item });
    $('item-search').hidden = true;
    const fixed = $('item-fixed');
    fixed.hidden = false;
    setI18n(fixed, 'book.item_fixed', { name: s.item });
    try {
      const it = await api('GET', `/public/items/${encodeURIComponent(s.item)}`);
      if (chosenSlot() === s) {
        picker.set({ code: it.code, name: it.name });
        setI18n(fixed, 'book.item_fixed', { name: it.name });
      }
    } catch {
      // the code stands in for the name
    }
  } else {
    picker.set(null);
    $('item-fixed').hidden = true;
    $('item-search').hidden = false;
    if (!$('b-items').children.length) picker.search();
  }
}

function appointmentFacts(dl, a) {
  dl.textContent = '';
  const when = `${a.day || ''} ${hhmm(a.start)}–${hhmm(a.end)}`.trim();
  dl.append(
    fact('pub.site', a.site),
    fact('book.when', when, { cls: 'pub-when' }),
    fact('book.service', h('span', {}, [h('span', { text: a.service }), ' · ', kindEl('span', a.kind)])),
    fact('book.item', a.item ? a.item.name : '—'),
    fact('pub.name', a.name),
    fact('pub.phone', a.phone),
    fact('book.status', h('span', { cls: `badge pub-appt-${a.status}`, i18n: `pub.appt_${a.status}` }),
      { id: dl.id === 'l-facts' ? 'l-status' : 'r-status' }),
  );
  if (a.ticket) dl.append(fact('book.ticket', typeof a.ticket === 'object' ? a.ticket.number : a.ticket));
  apply(dl);
}

async function onBook(ev) {
  ev.preventDefault();
  const form = $('book-form');
  clearFields(form, $('error'));
  if (!siteId()) return markField('b-site', 'pub.need_site');
  if (!chosenDate()) {
    setI18n($('b-date-err'), 'book.need_date');
    return $('dates').querySelector('input').focus();
  }
  const s = chosenSlot();
  if (!s) {
    setI18n($('b-slot-err'), 'book.need_slot');
    const first = $('slots').querySelector('input:not(:disabled)');
    if (first) first.focus();
    return null;
  }
  const item = picker.chosen();
  if (!item) {
    setI18n($('b-item-err'), 'book.need_item');
    return $('b-q').focus();
  }
  const name = $('b-name').value.trim();
  const phone = $('b-phone').value.trim();
  if (!name) return markField('b-name', 'pub.need_name');
  if (!looksLikeMobile(phone)) return markField('b-phone', 'pub.need_phone');
  const btn = $('book');
  btn.disabled = true;
  let a;
  try {
    a = await api('POST', '/public/appointments', { body: { slot: s.id, item: item.code, name, phone } });
  } catch (err) {
    btn.disabled = false;
    showApiError($('error'), err, { name: 'b-name', phone: 'b-phone', item: 'b-q' });
    // A place may have gone meanwhile: show the slots as they are now, keeping the choice.
    if (err instanceof ApiError && ['slot_full', 'slot_past', 'slot_closed'].includes(err.code)) {
      await loadSlots(s.id);
      $('error').focus();
    }
    return null;
  }
  btn.disabled = false;
  setPlain($('r-code'), a.code);
  appointmentFacts($('r-facts'), a);
  form.hidden = true;
  $('result').hidden = false;
  $('l-code').value = a.code;
  $('result-h').focus();
  return null;
}

function onAgain() {
  $('result').hidden = true;
  $('book-form').hidden = false;
  $('b-name').value = '';
  $('b-phone').value = '';
  loadSlots();
  $('b-site').focus();
}

async function onLookup(ev) {
  ev.preventDefault();
  clearFields($('lookup-form'), $('l-error'));
  const code = $('l-code').value.trim().toUpperCase();
  const phone = $('l-phone').value.trim();
  if (!code) return markField('l-code', 'book.need_code');
  if (!phone) return markField('l-phone', 'pub.need_phone');
  const btn = $('l-go');
  btn.disabled = true;
  try {
    const a = await api('GET', `/public/appointments/${encodeURIComponent(code)}?phone=${encodeURIComponent(phone)}`);
    lookedUp = { code: a.code || code, phone };
    showLookup(a);
    clearNoteEl();
  } catch (err) {
    $('l-result').hidden = true;
    showApiError($('l-error'), err, { phone: 'l-phone', code: 'l-code' });
  }
  btn.disabled = false;
  return null;
}

function clearNoteEl() {
  const n = $('l-note');
  n.removeAttribute('data-i18n');
  n.textContent = '';
}

function showLookup(a) {
  appointmentFacts($('l-facts'), a);
  $('l-cancel').hidden = a.status !== 'booked';
  $('l-result').hidden = false;
}

async function onCancel() {
  if (!lookedUp) return;
  clearError($('l-error'));
  const btn = $('l-cancel');
  btn.disabled = true;
  try {
    const a = await api('POST', `/public/appointments/${encodeURIComponent(lookedUp.code)}/cancel`,
      { body: { phone: lookedUp.phone } });
    showLookup(a);
    setI18n($('l-note'), 'book.cancelled');
    $('l-note').setAttribute('tabindex', '-1');
    $('l-note').focus();
    if (siteId() && chosenDate()) loadSlots();
  } catch (err) {
    showApiError($('l-error'), err);
  }
  btn.disabled = false;
}

async function main() {
  const sitesPromise = loadSites();
  sitesPromise.catch(() => {});
  await initI18n();
  picker = itemPicker({
    input: $('b-q'), button: $('b-q-go'), listEl: $('b-items'), statusEl: $('b-items-status'),
    errorEl: $('error'), name: 'b-item', site: siteId,
  });
  try {
    sites = await sitesPromise;
  } catch (err) {
    showError($('error'), err);
  }
  siteOptions($('b-site'), sites, param('site'));
  $('b-site').addEventListener('change', onSite);
  $('book-form').addEventListener('submit', onBook);
  $('lookup-form').addEventListener('submit', onLookup);
  $('l-cancel').addEventListener('click', onCancel);
  $('r-print').addEventListener('click', () => window.print());
  $('r-again').addEventListener('click', onAgain);
  if (param('code')) $('l-code').value = param('code');
  if (siteId()) await onSite();
  document.body.setAttribute('data-ready', 'true');
}

main().catch((e) => console.error(e));
