// The catalogue's fixed vocabularies (docs/api.md, "Service catalogue") and their i18n keys.

import { t } from './i18n.js';
import { h } from './dom.js';

// Domains are Chinese values in the API; each has an ASCII key for the translations.
export const DOMAINS = [
  ['社会保险', 'social_insurance'], ['医疗卫生', 'health'], ['养老服务', 'elderly'],
  ['公共教育', 'education'], ['劳动就业', 'employment'], ['退役军人', 'veterans'],
  ['社会服务', 'social_services'], ['住房保障', 'housing'], ['文化体育', 'culture_sports'],
  ['残疾人服务', 'disability'], ['户籍办理', 'household_registration'], ['民政救助', 'social_assistance'],
  ['政策咨询', 'policy_advice'], ['法律服务', 'legal'], ['资格证明', 'certificates'], ['其他', 'other'],
];
const DOMAIN_KEY = new Map(DOMAINS);

export const CASE_TYPES = ['immediate', 'promised', 'reported', 'joint'];
export const STATUSES = ['draft', 'published', 'retired'];
export const MODES = ['accept', 'collect', 'consult'];
export const FORMS = ['original', 'copy', 'original_and_copy', 'electronic'];
export const OBJECTS = ['individual', 'organisation', 'both'];
export const RESULT_TYPES = ['certificate', 'document', 'money', 'none'];
export const ITEM_LEVELS = ['district', 'township', 'village'];

// Cases (docs/api.md, "Cases"): statuses, clock states, actions (the timeline adds create and
// deemed_accept), alert kinds and intake channels.
export const CASE_STATUSES = ['intake', 'submitted', 'accepted', 'in_review', 'decided', 'issued', 'archived', 'refused', 'withdrawn'];
export const CASE_STATES = ['normal', 'due_soon', 'overdue'];
export const CASE_ACTIONS = ['submit', 'receive', 'accept', 'request_supplement', 'supplement', 'forward', 'decide', 'refuse', 'issue', 'return_materials', 'visit', 'archive', 'withdraw', 'extend', 'revoke_entrustment'];
export const TIMELINE_ACTIONS = ['create', 'deemed_accept'];
export const ALERT_KINDS = ['due_soon', 'overdue', 'notice_due', 'handoff_late'];
export const CHANNELS = ['station', 'window', 'home', 'online', 'hotline'];

// vocabulary -> i18n key prefix
const PREFIX = {
  case_type: 'case_type', status: 'status', mode: 'mode', form: 'form', object: 'object',
  result_type: 'result_type', item_level: 'item_level', site_level: 'level',
  case_status: 'case_status', case_state: 'case_state', case_action: 'case_action',
  alert_kind: 'alert_kind', channel: 'channel',
};

/** The i18n key of value in vocabulary kind, or null when unknown. */
export function labelKey(kind, value) {
  if (value === null || value === undefined || value === '') return null;
  if (kind === 'domain') return DOMAIN_KEY.has(value) ? `domain.${DOMAIN_KEY.get(value)}` : null;
  const key = `${PREFIX[kind]}.${value}`;
  return t(key) === key ? null : key;
}

/** An element showing the label of value (the raw value when it has no translation). */
export function label(tag, kind, value, cls) {
  const key = labelKey(kind, value);
  return key ? h(tag, { cls, i18n: key }) : h(tag, { cls, text: value ?? '' });
}

/** A status badge (草稿 / 已发布 / 已停用). */
export function statusBadge(status) {
  return label('span', 'status', status, `badge status-${status}`);
}

/** <option>s for a vocabulary; with allKey first an "all" option with value ''. */
export function options(select, kind, values, { allKey, selected } = {}) {
  select.textContent = '';
  if (allKey) select.append(h('option', { i18n: allKey, attrs: { value: '' } }));
  for (const v of values) {
    const key = labelKey(kind, v);
    const opt = key ? h('option', { i18n: key }) : h('option', { text: v });
    opt.value = v;
    if (selected === v) opt.selected = true;
    select.append(opt);
  }
}

export const DOMAIN_VALUES = DOMAINS.map(([v]) => v);

/** "N 个工作日" (or "即办" for 0 promised days) as an element. */
export function daysEl(tag, n, { zeroIsImmediate = false, cls } = {}) {
  if (zeroIsImmediate && Number(n) === 0) return h(tag, { cls, i18n: 'item.on_the_spot' });
  if (n === null || n === undefined) return h(tag, { cls, i18n: 'common.none' });
  return h(tag, { cls, i18n: 'item.days', args: { n } });
}

/** The limits of a list row: "法定 10 · 承诺 5 个工作日" or "法定 10 个工作日 · 即办". */
export function limitsEl(tag, item, cls) {
  if (Number(item.promised_days) === 0) {
    return h(tag, { cls, i18n: 'catalog.limits_now', args: { s: item.statutory_days } });
  }
  return h(tag, {
    cls, i18n: 'catalog.limits_days', args: { s: item.statutory_days, p: item.promised_days },
  });
}

/** "第 2 版 · 草稿：第 3 版" for an item (published version and draft, whichever exist). */
export function versionsEl(item) {
  const wrap = h('span', { cls: 'versions' });
  if (item.version !== null && item.version !== undefined) {
    wrap.append(h('span', { i18n: 'item.version_n', args: { n: item.version } }));
  }
  if (item.draft_version !== null && item.draft_version !== undefined) {
    if (wrap.childNodes.length) wrap.append(' · ');
    wrap.append(h('span', { i18n: 'catalog.draft_n', args: { n: item.draft_version } }));
  }
  if (!wrap.childNodes.length) wrap.append(h('span', { cls: 'muted', text: '—' }));
  return wrap;
}
