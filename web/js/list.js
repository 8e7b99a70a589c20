// A list that fills page by page from a list endpoint ({items, next}), with a "more" button.
// Newer searches win: answers to an older search that arrive late are dropped.

import { api, clearError, showError } from './api.js';
import { setI18n } from './dom.js';

/**
 * opts: path(cursor) -> API path for a page; render(item) -> element appended to listEl;
 * listEl, moreBtn, statusEl, errorEl; onError(err) -> true when it dealt with err (e.g. 401).
 * Returns { reload(), count() }.
 */
export function pagedList(opts) {
  let seq = 0;
  let next = null;
  let shown = 0;

  function setCount(hasMore) {
    if (shown === 0) setI18n(opts.statusEl, 'common.no_results');
    else setI18n(opts.statusEl, hasMore ? 'list.count_more' : 'list.count_all', { n: shown });
  }

  async function page(first) {
    const mine = ++seq;
    clearError(opts.errorEl);
    opts.moreBtn.disabled = true;
    if (first) {
      setI18n(opts.statusEl, 'common.loading');
      opts.listEl.setAttribute('aria-busy', 'true');
    }
    let res;
    try {
      res = await api('GET', opts.path(first ? null : next));
    } catch (err) {
      if (mine !== seq) return;
      opts.listEl.removeAttribute('aria-busy');
      opts.moreBtn.disabled = false;
      if (opts.onError && opts.onError(err)) return;
      showError(opts.errorEl, err);
      setI18n(opts.statusEl, 'list.failed');
      return;
    }
    if (mine !== seq) return;
    if (first) {
      opts.listEl.textContent = '';
      shown = 0;
    }
    const items = Array.isArray(res.items) ? res.items : [];
    for (const it of items) opts.listEl.append(opts.render(it));
    shown += items.length;
    next = res.next === undefined || res.next === '' ? null : res.next;
    opts.listEl.removeAttribute('aria-busy');
    opts.moreBtn.hidden = next === null;
    opts.moreBtn.disabled = false;
    setCount(next !== null);
    if (opts.onPage) opts.onPage(items, first);
  }

  opts.moreBtn.addEventListener('click', () => page(false));
  return {
    reload: () => page(true),
    count: () => shown,
  };
}
