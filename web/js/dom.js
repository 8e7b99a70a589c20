// Small DOM helpers shared by the catalogue pages. Text that must follow the language switch is
// written as data-i18n (+ data-i18n-args) and filled by i18n.apply(); data from the server is
// always set as textContent, never as HTML.

import { t } from './i18n.js';

export function $(id) {
  return document.getElementById(id);
}

/**
 * Makes an element. opts: cls, text (plain text), i18n (key), args (for the key), attrs (object),
 * label (key for data-label, the column name shown on phones), hidden.
 */
export function h(tag, opts = {}, children = []) {
  const el = document.createElement(tag);
  if (opts.cls) el.className = opts.cls;
  if (opts.attrs) {
    for (const [k, v] of Object.entries(opts.attrs)) {
      if (v !== null && v !== undefined && v !== false) el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  if (opts.i18n) {
    el.setAttribute('data-i18n', opts.i18n);
    if (opts.args) el.setAttribute('data-i18n-args', JSON.stringify(opts.args));
    el.textContent = t(opts.i18n, opts.args);
  } else if (opts.text !== undefined && opts.text !== null) {
    el.textContent = String(opts.text);
  }
  if (opts.label) {
    el.setAttribute('data-i18n-attr', `data-label:${opts.label}`);
    el.setAttribute('data-label', t(opts.label));
  }
  if (opts.hidden) el.hidden = true;
  for (const c of [].concat(children)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c);
  }
  return el;
}

/** Sets el to the translation of key (following the language switch). */
export function setI18n(el, key, args) {
  el.setAttribute('data-i18n', key);
  if (args) el.setAttribute('data-i18n-args', JSON.stringify(args));
  else el.removeAttribute('data-i18n-args');
  el.removeAttribute('data-msg-zh');
  el.removeAttribute('data-msg-en');
  el.textContent = t(key, args);
}

/** Sets plain text (server data); clears any translation marks. */
export function setPlain(el, text) {
  el.removeAttribute('data-i18n');
  el.removeAttribute('data-i18n-args');
  el.textContent = text === null || text === undefined ? '' : String(text);
}

/** Empties a status/notice element. */
export function clearNote(el) {
  el.removeAttribute('data-i18n');
  el.removeAttribute('data-i18n-args');
  el.textContent = '';
}

/** The query-string parameter name of the current URL, or ''. */
export function param(name) {
  return new URLSearchParams(window.location.search).get(name) || '';
}

/** Rewrites the query string (without a reload) so reloading or sharing keeps the filters. */
export function replaceQuery(values) {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v) sp.set(k, v);
  const qs = sp.toString();
  window.history.replaceState(null, '', `${window.location.pathname}${qs ? `?${qs}` : ''}`);
}

/** An 11-digit item code as the API expects it. */
export function isItemCode(s) {
  return /^[0-9]{11}$/.test(s);
}
