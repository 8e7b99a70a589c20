// Checks that need no browser: the translations, and how the server serves the pages.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assert, assertEqual, ctx, test } from '../lib/harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const WEB_DIR = path.resolve(HERE, '..', '..', '..', 'web');

const PAGES = ['/', '/home', '/guide', '/items', '/catalog', '/item', '/site-items', '/intake', '/cases',
  '/case', '/progress', '/book', '/kiosk', '/display', '/rate', '/complain', '/console', '/bookings',
  '/rectifications', '/complaints', '/visits', '/apikeys'];

export async function run() {
  await test('i18n: zh-CN.json and en.json have the same keys, and the pages use only those', () => {
    const zh = JSON.parse(fs.readFileSync(path.join(WEB_DIR, 'i18n', 'zh-CN.json'), 'utf8'));
    const en = JSON.parse(fs.readFileSync(path.join(WEB_DIR, 'i18n', 'en.json'), 'utf8'));
    const onlyZh = Object.keys(zh).filter((k) => !(k in en));
    const onlyEn = Object.keys(en).filter((k) => !(k in zh));
    assert(!onlyZh.length && !onlyEn.length, `only in zh-CN: ${onlyZh}; only in en: ${onlyEn}`);
    const empty = Object.keys(zh).filter((k) => !String(zh[k]).trim() || !String(en[k]).trim());
    assert(!empty.length, `empty translations: ${empty.join(', ')}`);
    const used = new Set();
    for (const f of fs.readdirSync(WEB_DIR).filter((n) => n.endsWith('.html'))) {
      const text = fs.readFileSync(path.join(WEB_DIR, f), 'utf8');
      for (const m of text.matchAll(/data-i18n="([\w.]+)"/g)) used.add(m[1]);
      for (const m of text.matchAll(/data-i18n-attr="([^"]+)"/g)) {
        for (const pair of m[1].split(';')) used.add(pair.split(':')[1].trim());
      }
    }
    // In the scripts: every quoted 'section.key' whose section is one the dictionaries have.
    const sections = new Set(Object.keys(zh).map((k) => k.split('.')[0]));
    for (const f of fs.readdirSync(path.join(WEB_DIR, 'js'))) {
      const text = fs.readFileSync(path.join(WEB_DIR, 'js', f), 'utf8');
      for (const m of text.matchAll(/'([a-z_]+\.[a-z_0-9.]+)'/g)) {
        if (sections.has(m[1].split('.')[0])) used.add(m[1]);
      }
    }
    for (const r of ['agent', 'web_agent', 'clerk', 'approver', 'coordinator', 'admin', 'auditor']) used.add(`role.${r}`);
    for (const l of ['district', 'township', 'village']) used.add(`level.${l}`);
    // Every value of the catalogue's vocabularies has its label (web/js/labels.js lists them).
    // (Read as text: web/ has no package.json, so an older node would not import it as a module.)
    const labels = fs.readFileSync(path.join(WEB_DIR, 'js', 'labels.js'), 'utf8');
    const list = (name) => {
      const m = new RegExp(`export const ${name} = \\[([^\\]]*)\\];`).exec(labels);
      assert(m, `labels.js: no ${name}`);
      return [...m[1].matchAll(/'([a-z_]+)'/g)].map((x) => x[1]);
    };
    const domainBlock = /export const DOMAINS = \[([\s\S]*?)\n\];/.exec(labels);
    assert(domainBlock, 'labels.js: no DOMAINS');
    const domains = [...domainBlock[1].matchAll(/\['[^']+', '([a-z_]+)'\]/g)].map((x) => x[1]);
    assertEqual(domains.length, 16, 'domains in labels.js (docs/api.md lists 16)');
    const vocab = {
      case_type: list('CASE_TYPES'), status: list('STATUSES'), mode: list('MODES'), form: list('FORMS'),
      object: list('OBJECTS'), result_type: list('RESULT_TYPES'), item_level: list('ITEM_LEVELS'),
      domain: domains,
      case_status: list('CASE_STATUSES'), case_state: list('CASE_STATES'), case_action: list('CASE_ACTIONS'),
      case_help: list('CASE_ACTIONS'), alert_kind: list('ALERT_KINDS'), channel: list('CHANNELS'),
    };
    for (const a of list('TIMELINE_ACTIONS')) used.add(`case_action.${a}`);
    for (const t of ['mine', 'site', 'incoming', 'due_soon', 'overdue']) {
      used.add(`cases.tab_${t}`);
      used.add(`cases.intro_${t}`);
    }
    for (const [prefix, values] of Object.entries(vocab)) {
      assert(values.length >= 3, `labels.js: ${prefix} has ${values.length} values`);
      for (const v of values) used.add(`${prefix}.${v}`);
    }
    const missing = [...used].filter((k) => !(k in zh));
    assert(!missing.length, `keys used but not translated: ${missing.join(', ')}`);
    // The Chinese text written into the HTML (shown before the script runs) must match zh-CN.json.
    for (const f of fs.readdirSync(WEB_DIR).filter((n) => n.endsWith('.html'))) {
      const text = fs.readFileSync(path.join(WEB_DIR, f), 'utf8');
      for (const m of text.matchAll(/data-i18n="([\w.]+)"[^>]*>([^<]*)</g)) {
        assertEqual(m[2], zh[m[1]], `${f}: fallback text of ${m[1]}`);
      }
    }
  });

  await test('html: no inline scripts, inline styles or event-handler attributes (CSP default-src \'self\')', () => {
    for (const f of fs.readdirSync(WEB_DIR).filter((n) => n.endsWith('.html'))) {
      const text = fs.readFileSync(path.join(WEB_DIR, f), 'utf8');
      assert(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(text), `${f}: an inline <script>`);
      assert(!/<style[\s>]/i.test(text), `${f}: a <style> element`);
      assert(!/\sstyle=/i.test(text), `${f}: a style= attribute`);
      assert(!/\son[a-z]+=/i.test(text), `${f}: an on...= handler attribute`);
    }
    for (const f of fs.readdirSync(path.join(WEB_DIR, 'js'))) {
      const text = fs.readFileSync(path.join(WEB_DIR, 'js', f), 'utf8');
      assert(!/innerHTML|insertAdjacentHTML|setAttribute\('style'|\beval\(/.test(text),
        `js/${f}: innerHTML, eval or a style attribute`);
    }
  });

  await test('server: pages and assets are served with the right Content-Type', async () => {
    const want = {
      '/css/app.css': 'text/css', '/i18n/en.json': 'application/json',
      '/i18n/zh-CN.json': 'application/json', '/favicon.svg': 'image/svg+xml',
    };
    for (const p of PAGES) want[p] = 'text/html';
    for (const f of fs.readdirSync(path.join(WEB_DIR, 'js'))) want[`/js/${f}`] = 'javascript';
    for (const [p, type] of Object.entries(want)) {
      const res = await fetch(`${ctx.base}${p}`);
      await res.arrayBuffer();
      assertEqual(res.status, 200, `GET ${p}: status`);
      const ct = res.headers.get('content-type') || '';
      assert(ct.includes(type), `GET ${p}: Content-Type ${JSON.stringify(ct)} lacks ${type}`);
    }
    const res = await fetch(`${ctx.base}/guide?code=00000000000`);
    await res.arrayBuffer();
    assertEqual(res.status, 200, 'GET /guide?code=...: status (a query string on a page)');
  });
}
