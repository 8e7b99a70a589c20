// Staff catalogue (/catalog): every item (drafts and retired ones too) with q / domain / status
// filters, paged with "more"; each row links to /item?code=. Admins of a district-level site
// also get "new item". Not signed in: back to /.

import { $, h, param, replaceQuery } from './dom.js';
import {
  DOMAIN_VALUES, STATUSES, label, limitsEl, options, statusBadge, versionsEl,
} from './labels.js';
import { pagedList } from './list.js';
import { isCatalogAdmin, signedOut, startStaffPage } from './staff.js';

const PAGE = 50;

function render(item) {
  const link = h('a', { text: item.name, attrs: { href: `/item?code=${encodeURIComponent(item.code)}` } });
  return h('tr', { attrs: { 'data-code': item.code } }, [
    h('td', { label: 'item.code' }, [h('span', { cls: 'code', text: item.code })]),
    h('th', { label: 'item.name', attrs: { scope: 'row' } }, [link]),
    h('td', { label: 'item.domain' }, [label('span', 'domain', item.domain)]),
    h('td', { label: 'item.case_type' }, [label('span', 'case_type', item.case_type)]),
    h('td', { label: 'catalog.limits' }, [limitsEl('span', item)]),
    h('td', { label: 'item.status' }, [statusBadge(item.status)]),
    h('td', { label: 'item.version' }, [versionsEl(item)]),
  ]);
}

async function main() {
  const me = await startStaffPage();
  if (!me) return;
  const admin = isCatalogAdmin(me);
  $('new-item').hidden = !admin;
  $('read-only').hidden = admin;

  const q = $('q');
  const domain = $('domain');
  const status = $('status-filter');
  options(domain, 'domain', DOMAIN_VALUES, { allKey: 'common.all_domains', selected: param('domain') });
  options(status, 'status', STATUSES, { allKey: 'common.all_statuses', selected: param('status') });
  q.value = param('q');
  $('search-form').hidden = false;

  const table = $('catalog-table');
  const list = pagedList({
    listEl: $('rows'),
    moreBtn: $('more'),
    statusEl: $('status'),
    errorEl: $('error'),
    render,
    onError: signedOut,
    onPage: () => { table.hidden = $('rows').children.length === 0; },
    path: (cursor) => {
      const sp = new URLSearchParams({ limit: String(PAGE) });
      if (q.value.trim()) sp.set('q', q.value.trim());
      if (domain.value) sp.set('domain', domain.value);
      if (status.value) sp.set('status', status.value);
      if (cursor) sp.set('cursor', cursor);
      return `/items?${sp}`;
    },
  });
  const search = () => {
    replaceQuery({ q: q.value.trim(), domain: domain.value, status: status.value });
    list.reload();
  };
  $('search-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    search();
  });
  domain.addEventListener('change', search);
  status.addEventListener('change', search);
  await list.reload();
}

main().catch((e) => console.error(e));
