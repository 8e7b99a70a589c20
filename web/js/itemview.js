// Draws one catalogue item (the 办事指南 content): time limits, basic facts, conditions, process,
// materials, legal basis and, for the public guide, where to go. Used by /guide and /item.

import { h } from './dom.js';
import { daysEl, label, labelKey } from './labels.js';

function section(id, headingKey, body, cls = 'card') {
  return h('section', { cls, attrs: { id, 'aria-labelledby': `${id}-h` } }, [
    h('h2', { i18n: headingKey, attrs: { id: `${id}-h` } }),
    ...[].concat(body),
  ]);
}

function fact(key, value, id) {
  const dd = value instanceof Node ? h('dd', {}, [value]) : h('dd', { text: value });
  if (id) dd.id = id;
  if (!(value instanceof Node) && (value === null || value === undefined || value === '')) {
    dd.setAttribute('data-i18n', 'common.none');
    dd.classList.add('muted');
  }
  return h('div', {}, [h('dt', { i18n: key }), dd]);
}

function plainOrNone(text) {
  if (text === null || text === undefined || String(text).trim() === '') {
    return h('p', { cls: 'prose muted', i18n: 'common.none' });
  }
  return h('p', { cls: 'prose', text });
}

function tel(phone) {
  if (!phone) return null;
  return h('a', { text: phone, attrs: { href: `tel:${String(phone).replace(/[^0-9+]/g, '')}` } });
}

/** The process "申请 > 受理 > 办结" as an ordered list of steps. */
function steps(process) {
  const parts = String(process || '').split(/\s*>\s*|\n+/).map((s) => s.trim()).filter(Boolean);
  if (!parts.length) return plainOrNone('');
  return h('ol', { cls: 'steps' }, parts.map((p) => h('li', { text: p })));
}

function materialsTable(materials) {
  if (!Array.isArray(materials) || materials.length === 0) {
    return h('p', { i18n: 'item.no_materials' });
  }
  const cols = ['material.no', 'material.name', 'material.required', 'material.form',
    'material.copies', 'material.source', 'material.note'];
  const thead = h('thead', {}, [h('tr', {}, cols.map((k) => h('th', { i18n: k, attrs: { scope: 'col' } })))]);
  const tbody = h('tbody');
  materials.forEach((m, i) => {
    const required = m.required
      ? h('span', { i18n: 'material.required_yes' })
      : h('span', { i18n: 'material.conditional', args: { condition: m.condition || '' } });
    const copies = Number(m.copies) > 0
      ? h('span', { i18n: 'material.copies_n', args: { n: m.copies } })
      : h('span', { i18n: 'material.copies_none' });
    const note = m.note ? h('span', { text: m.note }) : h('span', { cls: 'muted', text: '—' });
    const source = m.source ? h('span', { text: m.source }) : h('span', { cls: 'muted', text: '—' });
    tbody.append(h('tr', {}, [
      h('td', { label: cols[0], text: String(i + 1) }),
      h('th', { label: cols[1], text: m.name, attrs: { scope: 'row' } }),
      h('td', { label: cols[2] }, [required]),
      h('td', { label: cols[3] }, [label('span', 'form', m.form)]),
      h('td', { label: cols[4] }, [copies]),
      h('td', { label: cols[5] }, [source]),
      h('td', { label: cols[6] }, [note]),
    ]));
  });
  return h('table', { cls: 'rtable materials' }, [
    h('caption', { cls: 'visually-hidden', i18n: 'item.materials' }), thead, tbody,
  ]);
}

function sitesList(sites) {
  if (!Array.isArray(sites) || sites.length === 0) return h('p', { i18n: 'guide.no_sites' });
  return h('ul', { cls: 'site-list' }, sites.map((s) => h('li', {}, [
    h('h3', { text: s.name }),
    h('p', { cls: 'meta' }, [
      label('span', 'site_level', s.level, 'badge'),
      label('span', 'mode', s.mode, 'badge status-published'),
    ]),
    h('dl', { cls: 'facts' }, [
      fact('site.address', s.address),
      fact('site.phone', tel(s.phone) || s.phone),
      fact('site.hours', s.hours),
    ]),
  ])));
}

/**
 * Fills root with item. opts.deptName(code) names a department (defaults to the item's own
 * department_name, else the code); opts.sites (array) adds the "where to go" section.
 */
export function renderItem(root, item, opts = {}) {
  const deptName = opts.deptName || ((code) => (code === item.department && item.department_name) || code);
  root.textContent = '';

  const limits = h('div', { cls: 'limits', attrs: { id: 'item-limits' } }, [
    h('p', { cls: 'limit' }, [
      h('span', { cls: 'limit-label', i18n: 'item.statutory_days' }),
      daysEl('span', item.statutory_days, { cls: 'limit-value' }),
    ]),
    h('p', { cls: 'limit' }, [
      h('span', { cls: 'limit-label', i18n: 'item.promised_days' }),
      daysEl('span', item.promised_days, { cls: 'limit-value', zeroIsImmediate: true }),
    ]),
  ]);

  const result = h('span', {}, [h('span', { text: item.result || '' })]);
  if (item.result_type && item.result_type !== 'none' && labelKey('result_type', item.result_type)) {
    result.append(' (', label('span', 'result_type', item.result_type), ')');
  }
  const joint = Array.isArray(item.joint_departments) && item.joint_departments.length
    ? item.joint_departments.map(deptName).join('、') : null;
  const basics = h('dl', { cls: 'facts' }, [
    fact('item.code', h('span', { cls: 'code', text: item.code })),
    fact('item.domain', label('span', 'domain', item.domain)),
    fact('item.department', deptName(item.department)),
    fact('item.case_type', label('span', 'case_type', item.case_type)),
    fact('item.level', label('span', 'item_level', item.level)),
    fact('item.object', label('span', 'object', item.object)),
    joint ? fact('item.joint_departments', joint) : null,
    fact('item.fee', item.fee),
    fact('item.result', result),
    fact('item.online', h('span', { i18n: item.online ? 'item.online_yes' : 'item.online_no' })),
  ].filter(Boolean));

  root.append(
    section('sec-limits', 'item.limits', [limits]),
    section('sec-basic', 'item.basics', [basics]),
    section('sec-conditions', 'item.conditions', [plainOrNone(item.conditions)]),
    section('sec-process', 'item.process', [steps(item.process)]),
    section('sec-materials', 'item.materials', [materialsTable(item.materials)]),
    section('sec-legal', 'item.legal_basis', [plainOrNone(item.legal_basis)]),
  );
  if (opts.sites) root.append(section('sec-sites', 'guide.where', [sitesList(opts.sites)]));
}
