// Public service guide (/guide?code=...): GET /api/v1/public/items/{code}, no sign-in.
// Readable on a phone and printable (the print button; app.css has the @media print rules).

import { initI18n, t } from './i18n.js';
import { ApiError, api, showError } from './api.js';
import { $, clearNote, isItemCode, param, setI18n, setPlain } from './dom.js';
import { renderItem } from './itemview.js';

function showMissing(key, code) {
  const err = $('error');
  setI18n(err, key, { code });
  $('back').hidden = false;
}

function setTitle(item) {
  setPlain($('guide-title'), item.name);
  document.title = `${item.name} · ${t('guide.heading')}`;
}

async function main() {
  const code = param('code').trim();
  const valid = isItemCode(code);
  const itemPromise = valid ? api('GET', `/public/items/${encodeURIComponent(code)}`) : null;
  if (itemPromise) itemPromise.catch(() => {}); // handled below
  await initI18n();
  const status = $('status');
  if (!valid) {
    clearNote(status);
    showMissing(code ? 'guide.not_found' : 'guide.no_code', code);
    return;
  }
  let item;
  try {
    item = await itemPromise;
  } catch (err) {
    clearNote(status);
    if (err instanceof ApiError && err.status === 404) showMissing('guide.not_found', code);
    else showError($('error'), err);
    $('back').hidden = false;
    return;
  }
  setTitle(item);
  document.addEventListener('langchange', () => setTitle(item));
  $('guide-kind').hidden = false;
  $('retired').hidden = item.status !== 'retired';
  renderItem($('guide'), item, { sites: Array.isArray(item.sites) ? item.sites : [] });
  clearNote(status);
  const print = $('print');
  print.hidden = false;
  print.addEventListener('click', () => window.print());
}

main().catch((e) => console.error(e));
