// What the case pages share (docs/api.md, "Cases"): dates on China's clock, badges for status and
// state, "N working days left", site and item names for the ids and codes a case carries.

import { api } from './api.js';
import { h } from './dom.js';
import { label } from './labels.js';
import { fetchAll } from './staff.js';

/** Today in China (UTC+8, no daylight saving) as YYYY-MM-DD: the server's calendar day. */
export function chinaToday() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

/** ymd plus n months, the day clamped to the month's last (2026-11-30 + 3 -> 2027-02-28). */
export function addMonths(ymd, n) {
  const [y, m, d] = ymd.split('-').map(Number);
  const total = y * 12 + (m - 1) + n;
  const ny = Math.floor(total / 12);
  const nm = (total % 12) + 1;
  const last = new Date(Date.UTC(ny, nm, 0)).getUTCDate();
  const pad = (x) => String(x).padStart(2, '0');
  return `${ny}-${pad(nm)}-${pad(Math.min(d, last))}`;
}

/** "2026-11-28T10:02:11+08:00" -> "2026-11-28 10:02" (the server already speaks +08:00). */
export function fmtTime(iso) {
  if (!iso) return '';
  const s = String(iso);
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s) ? `${s.slice(0, 10)} ${s.slice(11, 16)}` : s;
}

export function caseStatusBadge(status) {
  return label('span', 'case_status', status, `badge case-status cs-${status}`);
}

export function stateBadge(state) {
  return label('span', 'case_state', state, `badge state-badge state-${state}`);
}

/** "剩 3 个工作日" / "今天到期" / "已超时 2 个工作日" / "已暂停" / "—". */
export function daysLeftEl(days, { paused = false, cls } = {}) {
  if (paused) return h('span', { cls, i18n: 'case.paused' });
  if (days === null || days === undefined) return h('span', { cls: `${cls || ''} muted`.trim(), text: '—' });
  const n = Number(days);
  if (n > 0) return h('span', { cls, i18n: 'case.days_left_n', args: { n } });
  if (n === 0) return h('span', { cls, i18n: 'case.due_today' });
  return h('span', { cls, i18n: 'case.days_over_n', args: { n: -n } });
}

/** A date, or a dash when there is none. */
export function dateEl(d) {
  return d ? h('span', { cls: 'code', text: d }) : h('span', { cls: 'muted', text: '—' });
}

export function caseLink(receipt, text) {
  return h('a', { text: text || receipt, cls: 'code', attrs: { href: `/case?receipt=${encodeURIComponent(receipt)}` } });
}

/**
 * Site names for ids: the caller's subtree (GET /sites) plus its ancestors (/me path). A site
 * outside both (another township's) is shown by its id.
 */
export async function siteNames(me) {
  const byId = new Map();
  for (const p of (me && me.path) || []) byId.set(p.id, p);
  if (me && me.site) byId.set(me.site.id, me.site);
  try {
    for (const s of await fetchAll('/sites')) byId.set(s.id, s);
  } catch {
    // names fall back to the ids
  }
  return {
    byId,
    get: (id) => byId.get(Number(id)) || null,
    /** An element naming site id. */
    el: (id, tag = 'span') => {
      if (id === null || id === undefined) return h(tag, { cls: 'muted', text: '—' });
      const s = byId.get(Number(id));
      return s ? h(tag, { text: s.name }) : h(tag, { i18n: 'case.site_n', args: { id } });
    },
  };
}

const itemNameCache = new Map();

/** Names for item codes: the site's own list first, then GET /items/{code} for the rest. */
export async function itemNames(codes, siteId) {
  const want = [...new Set(codes)].filter((c) => c && !itemNameCache.has(c));
  if (want.length && siteId !== null && siteId !== undefined) {
    try {
      const res = await api('GET', `/sites/${encodeURIComponent(siteId)}/items`);
      for (const it of res.items || []) itemNameCache.set(it.code, it.name);
    } catch {
      // fall through to one by one
    }
  }
  await Promise.all(want.filter((c) => !itemNameCache.has(c)).map(async (c) => {
    try {
      const it = await api('GET', `/items/${encodeURIComponent(c)}`);
      itemNameCache.set(c, it.name);
    } catch {
      itemNameCache.set(c, null);
    }
  }));
  return (code) => itemNameCache.get(code) || code;
}

/** The site holding a material now: `custody` "site:5" (docs) or `custody_site_id`. */
export function custodyOf(m) {
  if (m.custody_site_id !== undefined) return m.custody_site_id;
  const match = /^site:(\d+)$/.exec(String(m.custody || ''));
  return match ? Number(match[1]) : null;
}

/** The handoff still on its way (not received), if any. */
export function pendingHandoff(c) {
  const list = Array.isArray(c.handoffs) ? c.handoffs : [];
  const last = list[list.length - 1];
  return last && !last.received_at ? last : null;
}
