// Public search of published items (/items): GET /api/v1/public/items?q=&domain=, paged with
// "more"; each result links to its guide. The query is kept in the URL (?q=&domain=).

import { initI18n } from './i18n.js';
import { $, h, param, replaceQuery } from './dom.js';
import { DOMAIN_VALUES, label, limitsEl, options } from './labels.js';
import { pagedList } from './list.js';

const PAGE = 20;

function render(item) {
  const link = h('a', { text: item.name, attrs: { href: `/guide?code=${encodeURIComponent(item.code)}` } });
  return h('li', { attrs: { 'data-code': item.code } }, [
    h('h3', {}, [link]),
    h('p', { cls: 'meta' }, [
      h('span', { cls: 'code', text: item.code }),
      label('span', 'domain', item.domain),
      label('span', 'case_type', item.case_type),
      limitsEl('span', item),
    ]),
  ]);
}

async function main() {
  await initI18n();
  const q = $('q');
  const domain = $('domain');
  options(domain, 'domain', DOMAIN_VALUES, { allKey: 'common.all_domains', selected: param('domain') });
  q.value = param('q');

  const list = pagedList({
    listEl: $('results'),
    moreBtn: $('more'),
    statusEl: $('status'),
    errorEl: $('error'),
    render,
    path: (cursor) => {
      const sp = new URLSearchParams({ limit: String(PAGE) });
      if (q.value.trim()) sp.set('q', q.value.trim());
      if (domain.value) sp.set('domain', domain.value);
      if (cursor) sp.set('cursor', cursor);
      return `/public/items?${sp}`;
    },
  });

  const search = () => {
    replaceQuery({ q: q.value.trim(), domain: domain.value });
    list.reload();
  };
  $('search-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    search();
  });
  domain.addEventListener('change', search);
  await list.reload();
}

main().catch((e) => console.error(e));
