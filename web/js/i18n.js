// Translations for every page: loads /i18n/<lang>.json, fills the elements that carry
// data-i18n attributes, and wires the 中文 / English switch. zh-CN is the default; the choice
// is remembered in localStorage and mirrored in <html lang>.
//
// Markup it understands:
//   data-i18n="key"                   textContent = the translation of key
//   data-i18n-args='{"n":3}'          values for {n} placeholders in that translation
//   data-i18n-attr="aria-label:key"   attributes to translate (several separated by ";")
//   data-msg-zh / data-msg-en         text the server sent in both languages (error messages)
//   button[data-lang="en"]            a language switch button (aria-pressed shows the current one)

export const LANGS = ['zh-CN', 'en'];
const DEFAULT_LANG = 'zh-CN';
const STORAGE_KEY = 'bangban.lang';

const dictionaries = new Map();
let lang = DEFAULT_LANG;
let dict = {};

/** The language now shown: 'zh-CN' or 'en'. */
export function currentLang() {
  return lang;
}

/** The translation of key with {name} placeholders filled from args; the key itself if missing. */
export function t(key, args) {
  let s = Object.prototype.hasOwnProperty.call(dict, key) ? dict[key] : null;
  if (s === null) {
    console.warn(`i18n: no "${key}" in ${lang}`);
    s = key;
  }
  if (args) {
    s = s.replace(/\{(\w+)\}/g, (m, name) =>
      Object.prototype.hasOwnProperty.call(args, name) ? String(args[name]) : m);
  }
  return s;
}

function storedLang() {
  try {
    const v = window.localStorage.getItem(STORAGE_KEY);
    return LANGS.includes(v) ? v : null;
  } catch {
    return null; // storage disabled: fall back to the default every time
  }
}

function storeLang(v) {
  try {
    window.localStorage.setItem(STORAGE_KEY, v);
  } catch {
    // not remembered, still switched
  }
}

async function load(l) {
  if (dictionaries.has(l)) return dictionaries.get(l);
  const res = await fetch(`/i18n/${l}.json`, { headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`i18n: /i18n/${l}.json answered ${res.status}`);
  const d = await res.json();
  dictionaries.set(l, d);
  return d;
}

function parseArgs(el) {
  const raw = el.getAttribute('data-i18n-args');
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Translates every marked element under root (the whole document by default). */
export function apply(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) {
    el.textContent = t(el.getAttribute('data-i18n'), parseArgs(el));
  }
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.getAttribute('data-i18n-attr').split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
  for (const el of root.querySelectorAll('[data-msg-zh], [data-msg-en]')) {
    const zh = el.getAttribute('data-msg-zh') || '';
    const en = el.getAttribute('data-msg-en') || '';
    el.textContent = lang === 'en' ? en || zh : zh || en;
  }
  for (const btn of document.querySelectorAll('button[data-lang]')) {
    btn.setAttribute('aria-pressed', String(btn.getAttribute('data-lang') === lang));
  }
}

/** Shows the page in l, remembers the choice and tells listeners ('langchange' on document). */
export async function setLang(l) {
  if (!LANGS.includes(l)) l = DEFAULT_LANG;
  dict = await load(l);
  lang = l;
  document.documentElement.lang = l;
  storeLang(l);
  apply(document);
  document.dispatchEvent(new CustomEvent('langchange', { detail: { lang: l } }));
}

/** Loads the remembered (or default) language and wires the switch buttons. */
export async function initI18n() {
  for (const btn of document.querySelectorAll('button[data-lang]')) {
    btn.addEventListener('click', () => {
      setLang(btn.getAttribute('data-lang')).catch((e) => console.error(e));
    });
  }
  await setLang(storedLang() || DEFAULT_LANG);
}
