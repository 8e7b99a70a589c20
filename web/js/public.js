// What the residents' front-desk pages share (/book, /kiosk, /display, /rate, /complain; no
// sign-in): the site list, the labels of window kinds, priorities and 好差评 levels, times on
// China's clock, field errors, the five-level chooser and the public item picker.
// docs/api-booking.md, api-queue.md, api-ratings.md, api-desk.md.

import { t } from './i18n.js';
import { ApiError, api, clearError, showError } from './api.js';
import { $, h, setI18n } from './dom.js';

// Window kinds (docs/api.md, Windows) in the order the hall shows them.
export const KINDS = ['general', 'assisted', 'specialised', 'complaint', 'cross_region', 'issuance', 'self_service'];
export const PRIORITIES = ['none', 'elderly', 'disabled', 'pregnant'];
// 好差评 levels (国办发〔2019〕51号), best first.
export const LEVELS = [5, 4, 3, 2, 1];

/** The i18n key of a window kind (the raw value when unknown). */
export function kindKey(kind) {
  return KINDS.includes(kind) ? `pub.kind_${kind}` : null;
}

/** An element naming a window kind. */
export function kindEl(tag, kind, cls) {
  const key = kindKey(kind);
  return key ? h(tag, { cls, i18n: key }) : h(tag, { cls, text: kind || '' });
}

export function priorityKey(p) {
  return PRIORITIES.includes(p) || p === 'appointment' ? `pub.priority_${p}` : null;
}

export function levelKey(level) {
  const n = Number(level);
  return LEVELS.includes(n) ? `pub.level_${n}` : null;
}

/** "2026-11-28T10:02:11+08:00" -> "10:02". */
export function hhmm(iso) {
  const m = /T(\d{2}:\d{2})/.exec(String(iso || ''));
  return m ? m[1] : '';
}

/** "2026-11-28T10:02:11+08:00" -> "2026-11-28 10:02". */
export function dayTime(iso) {
  const s = String(iso || '');
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s) ? `${s.slice(0, 10)} ${s.slice(11, 16)}` : s;
}

/** Today in China (UTC+8) as YYYY-MM-DD: the server's calendar day. */
export function chinaToday() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

/** ymd plus n calendar days. */
export function addDays(ymd, n) {
  const d = new Date(`${ymd}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** 0 (Sunday) .. 6 of a YYYY-MM-DD. */
export function weekday(ymd) {
  return new Date(`${ymd}T00:00:00Z`).getUTCDay();
}

/** A mainland mobile number (the server decides; this only catches typos early). */
export function looksLikeMobile(s) {
  return /^1[3-9][0-9]{9}$/.test(s);
}

/** Every site (GET /api/v1/public/sites), as the API orders them. */
export async function loadSites() {
  const res = await api('GET', '/public/sites');
  return Array.isArray(res.items) ? res.items : [];
}

/** Fills select with the sites, a "please choose" option first. */
export function siteOptions(select, sites, selected) {
  select.textContent = '';
  select.append(h('option', { i18n: 'pub.choose_site', attrs: { value: '' } }));
  for (const s of sites) {
    const opt = h('option', { text: s.name, attrs: { value: String(s.id) } });
    if (String(selected) === String(s.id)) opt.selected = true;
    select.append(opt);
  }
}

/** Clears the field errors of form and its alert. */
export function clearFields(form, errorEl) {
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) {
    el.removeAttribute('data-msg-zh');
    el.removeAttribute('data-msg-en');
    el.removeAttribute('data-i18n');
    el.removeAttribute('data-i18n-args');
    el.textContent = '';
  }
  if (errorEl) clearError(errorEl);
}

/** Marks input #id invalid with our message key (shown in #id-err) and focuses it. */
export function markField(id, key) {
  const el = $(id);
  el.setAttribute('aria-invalid', 'true');
  const msg = $(`${id}-err`);
  if (msg) setI18n(msg, key);
  el.focus();
  return false;
}

/**
 * Shows an API error in errorEl; when the server names a field found in fields ({apiField:
 * inputId}), that input is marked and the server's message repeated under it. Focuses the alert.
 */
export function showApiError(errorEl, err, fields = {}) {
  showError(errorEl, err);
  const id = err instanceof ApiError && err.field ? fields[err.field] : null;
  if (id && $(id)) {
    $(id).setAttribute('aria-invalid', 'true');
    const msg = $(`${id}-err`);
    if (msg) showError(msg, err);
  }
  if (!errorEl.hasAttribute('tabindex')) errorEl.setAttribute('tabindex', '-1');
  errorEl.focus();
}

/**
 * Five big radio buttons for the 好差评 levels (非常满意 ... 非常不满意) inside fieldset; name is
 * the radio group's name. Returns () => the chosen level (number) or null.
 */
export function levelChooser(fieldset, name) {
  const wrap = h('div', { cls: 'pub-levels' });
  for (const n of LEVELS) {
    const id = `${name}-${n}`;
    const input = h('input', { attrs: { type: 'radio', name, id, value: String(n) } });
    wrap.append(h('label', { cls: `pub-level pub-level-${n}`, attrs: { for: id } }, [
      input, h('span', { cls: 'pub-level-stars', text: '★'.repeat(n), attrs: { 'aria-hidden': 'true' } }),
      h('span', { i18n: levelKey(n) }),
    ]));
  }
  fieldset.append(wrap);
  return () => {
    const on = fieldset.querySelector(`input[name="${name}"]:checked`);
    return on ? Number(on.value) : null;
  };
}

/**
 * The public item search (GET /api/v1/public/items?q=&site=) as a list of radio choices.
 * opts: input (search box), button, listEl, statusEl, errorEl, name (radio group), site() -> id
 * or '' to filter by; allowNone: a first choice "no particular item". Returns { chosen() -> {code,name}|null, set(item|null), clear() }.
 */
export function itemPicker(opts) {
  let seq = 0;
  let fixed = null;
  const found = new Map();

  function renderList(items) {
    opts.listEl.textContent = '';
    if (opts.allowNone) {
      const id = `${opts.name}-none`;
      opts.listEl.append(h('li', {}, [
        h('label', { cls: 'choice', attrs: { for: id } }, [
          h('input', { attrs: { type: 'radio', name: opts.name, id, value: '' } }),
          h('span', { cls: 'choice-text' }, [h('span', { cls: 'choice-name', i18n: 'pub.item_none' })]),
        ]),
      ]));
    }
    for (const it of items) {
      found.set(it.code, it);
      const id = `${opts.name}-${it.code}`;
      opts.listEl.append(h('li', { attrs: { 'data-code': it.code } }, [
        h('label', { cls: 'choice', attrs: { for: id } }, [
          h('input', { attrs: { type: 'radio', name: opts.name, id, value: it.code } }),
          h('span', { cls: 'choice-text' }, [
            h('span', { cls: 'choice-name', text: it.name }),
            h('span', { cls: 'code muted', text: it.code }),
          ]),
        ]),
      ]));
    }
  }

  async function search() {
    const mine = ++seq;
    clearError(opts.errorEl);
    const sp = new URLSearchParams({ limit: '10' });
    const q = opts.input.value.trim();
    if (q) sp.set('q', q);
    const site = opts.site ? opts.site() : '';
    if (site) sp.set('site', site);
    setI18n(opts.statusEl, 'common.loading');
    let res;
    try {
      res = await api('GET', `/public/items?${sp}`);
    } catch (err) {
      if (mine !== seq) return;
      setI18n(opts.statusEl, 'pub.items_none');
      showError(opts.errorEl, err);
      return;
    }
    if (mine !== seq) return;
    const items = Array.isArray(res.items) ? res.items : [];
    renderList(items);
    if (items.length) setI18n(opts.statusEl, 'pub.items_found', { n: items.length });
    else setI18n(opts.statusEl, 'pub.items_none');
  }

  opts.button.addEventListener('click', () => { search(); });
  opts.input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      search();
    }
  });

  return {
    chosen() {
      if (fixed) return fixed;
      const on = opts.listEl.querySelector(`input[name="${opts.name}"]:checked`);
      return on && on.value ? found.get(on.value) || { code: on.value, name: on.value } : null;
    },
    set(item) {
      fixed = item;
    },
    clear() {
      opts.listEl.textContent = '';
      opts.statusEl.textContent = '';
      opts.statusEl.removeAttribute('data-i18n');
    },
    search,
  };
}

/** A <div> of a description list: term (i18n key) and value (element or text). */
export function fact(key, value, { id, cls } = {}) {
  const dd = typeof value === 'string' || typeof value === 'number' || value === null || value === undefined
    ? h('dd', { text: value ?? '—', cls, attrs: { id } })
    : h('dd', { cls, attrs: { id } }, [value]);
  return h('div', {}, [h('dt', { i18n: key }), dd]);
}

/** t() re-exported for the pages that only need this module. */
export { t };
