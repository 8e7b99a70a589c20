// API keys for the 12345 hotline and other systems (/apikeys, docs/api-desk.md): district admins
// create a key (shown once, with a copy button), see the keys and revoke one. Everyone else is
// told plainly that this page is not for them.

import { apply } from './i18n.js';
import { api, clearError, showError } from './api.js';
import { $, clearNote, h, setI18n } from './dom.js';
import { fmtTime } from './casekit.js';
import { fetchAll, isCatalogAdmin, signedOut, startStaffPage } from './staff.js';

let me = null;
let pending = null; // the key whose revocation awaits confirmation

function row(k) {
  const state = h('td', { label: 'apikeys.state', cls: 'key-state' });
  if (k.revoked_at) {
    state.append(h('span', { cls: 'badge status-retired', i18n: 'apikeys.revoked', args: { at: fmtTime(k.revoked_at) } }));
  } else {
    state.append(h('span', { cls: 'badge status-published', i18n: 'apikeys.active' }), ' ');
    const b = h('button', {
      cls: 'btn btn-outline btn-small', i18n: 'apikeys.revoke',
      attrs: { type: 'button', 'data-action': 'revoke', 'aria-describedby': `key-name-${k.id}` },
    });
    b.addEventListener('click', () => askRevoke(k, b));
    state.append(b);
  }
  return h('tr', { attrs: { 'data-id': k.id } }, [
    h('th', { label: 'apikeys.col_name', cls: 'key-name', text: k.name, attrs: { scope: 'row', id: `key-name-${k.id}` } }),
    h('td', { label: 'apikeys.prefix', cls: 'code key-prefix', text: k.prefix || '' }),
    h('td', { label: 'apikeys.created_at', cls: 'code', text: fmtTime(k.created_at) }),
    h('td', { label: 'apikeys.last_used_at' }, [k.last_used_at
      ? h('span', { cls: 'code', text: fmtTime(k.last_used_at) }) : h('span', { cls: 'muted', i18n: 'apikeys.never' })]),
    state,
  ]);
}

async function loadList() {
  setI18n($('list-status'), 'common.loading');
  try {
    const items = await fetchAll('/api-keys');
    const tbody = $('rows');
    tbody.textContent = '';
    for (const k of items) tbody.append(row(k));
    $('table').hidden = items.length === 0;
    if (items.length) clearNote($('list-status'));
    else setI18n($('list-status'), 'apikeys.none');
    apply($('table'));
  } catch (err) {
    if (signedOut(err)) return;
    showError($('error'), err);
    setI18n($('list-status'), 'list.failed');
  }
}

function askRevoke(k, btn) {
  pending = { key: k, btn };
  clearError($('action-error'));
  clearNote($('notice'));
  setI18n($('confirm-text'), 'apikeys.confirm_revoke', { name: k.name });
  $('confirm').hidden = false;
  $('confirm-yes').focus();
}

async function revoke() {
  if (!pending) return;
  const { key } = pending;
  const yes = $('confirm-yes');
  yes.disabled = true;
  clearError($('action-error'));
  try {
    await api('POST', `/api-keys/${encodeURIComponent(key.id)}/revoke`, { body: {}, csrf: me.csrf });
    $('confirm').hidden = true;
    pending = null;
    await loadList();
    setI18n($('notice'), 'apikeys.done_revoke', { name: key.name });
  } catch (err) {
    if (signedOut(err)) return;
    showError($('action-error'), err);
  } finally {
    yes.disabled = false;
  }
}

async function create(ev) {
  ev.preventDefault();
  const btn = $('create-form').querySelector('button[type="submit"]');
  clearError($('create-error'));
  $('k-name').removeAttribute('aria-invalid');
  btn.disabled = true;
  try {
    const k = await api('POST', '/api-keys', { body: { name: $('k-name').value.trim() }, csrf: me.csrf });
    $('new-key-value').value = k.key || '';
    clearNote($('copy-status'));
    $('new-key').hidden = false;
    $('k-name').value = '';
    $('new-key-h').focus();
    await loadList();
  } catch (err) {
    if (signedOut(err)) return;
    showError($('create-error'), err);
    if (err.field === 'name') $('k-name').setAttribute('aria-invalid', 'true');
  } finally {
    btn.disabled = false;
  }
}

async function copy() {
  const input = $('new-key-value');
  try {
    if (!navigator.clipboard || !navigator.clipboard.writeText) throw new Error('no clipboard');
    await navigator.clipboard.writeText(input.value);
    setI18n($('copy-status'), 'apikeys.copied');
  } catch {
    input.focus();
    input.select();
    setI18n($('copy-status'), 'apikeys.copy_failed');
  }
}

async function main() {
  me = await startStaffPage();
  if (!me) {
    setI18n($('status'), 'list.failed');
    return;
  }
  clearNote($('status'));
  if (!isCatalogAdmin(me)) {
    $('forbidden').hidden = false;
    return;
  }
  $('content').hidden = false;
  $('create-form').addEventListener('submit', create);
  $('copy').addEventListener('click', copy);
  $('confirm-yes').addEventListener('click', revoke);
  $('confirm-no').addEventListener('click', () => {
    const back = pending && pending.btn;
    $('confirm').hidden = true;
    pending = null;
    if (back) back.focus();
  });
  apply($('main'));
  loadList();
}

main().catch((e) => console.error(e));
