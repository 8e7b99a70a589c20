#!/usr/bin/env node
// Browser tests for the staff web pages (web/), run against a real bangban server.
//
//   node run.mjs <path-to-bangban-binary>
//
// Seeds a demo database in a temporary directory, starts `bangban serve` on a free port, and
// drives Debian's /usr/bin/chromium through playwright-core at a desktop and a phone viewport,
// with axe-core for accessibility. Prints `ok - <name>` / `not ok - <name>: <error>` per test and
// a closing `e2e: N passed, N failed`; exits 0 only when all pass. The server and the browser are
// always stopped; the temporary directory is removed on success and kept (with the server log and
// failure screenshots) on failure. Everything gives up after 3 minutes.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WEB_DIR = path.resolve(HERE, '..', '..', 'web');
const require = createRequire(import.meta.url);

const OVERALL_TIMEOUT_MS = 180_000;
const TEST_TIMEOUT_MS = 45_000;
const STEP_TIMEOUT_MS = 10_000;
const PASSWORD = 'bangban-demo';
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

// From the demo seed. The agent's station may carry its township's name in front
// (希日塔拉街道桑根达来社区便民服务站), so it is matched by what its name contains.
const AGENT_SITE = '桑根达来社区便民服务站';
const isAgentSite = (name) => typeof name === 'string' && name.includes(AGENT_SITE);
const TOWNSHIP_SITE = '希日塔拉街道便民服务中心';
const CITY_SITE = '锡林浩特市政务服务中心';

const VIEWPORTS = [
  { name: 'desktop 1280x800', width: 1280, height: 800, mobile: false },
  { name: 'phone 360x740', width: 360, height: 740, mobile: true },
];

// ---------------------------------------------------------------------------------------------
// Harness

let passed = 0;
let failed = 0;
let stopping = false; // set once the run is being torn down (timeout, signal): no more tests
let tmpDir = null;
let server = null;
let browser = null;
let base = '';

function oneLine(err) {
  const s = err && err.message ? err.message : String(err);
  return s.replace(/\x1b\[[0-9;]*m/g, '').split('\n').map((l) => l.trim()).filter(Boolean)
    .slice(0, 6).join(' | ');
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function test(name, fn) {
  if (stopping) return;
  try {
    await withTimeout(Promise.resolve().then(fn), TEST_TIMEOUT_MS, 'test');
    passed++;
    console.log(`ok - ${name}`);
  } catch (err) {
    if (stopping) return; // failed because the browser or server was stopped under it
    failed++;
    console.log(`not ok - ${name}: ${oneLine(err)}`);
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

function assertEqual(actual, expected, what) {
  if (actual !== expected) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Server

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function exited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

async function startServer(bin, db) {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const logPath = path.join(tmpDir, 'server.log');
    const log = fs.openSync(logPath, 'a');
    const child = spawn(bin, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`],
      { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    server = { child, logPath };
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !exited(child)) {
      try {
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.status === 200) return url;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    if (!exited(child)) {
      await stopServer();
      throw new Error('GET /healthz did not answer 200 within 30 s');
    }
    // It exited: most likely the port was taken between freePort() and bind; try another.
    server = null;
  }
  throw new Error(`bangban serve kept exiting at start-up; see ${path.join(tmpDir, 'server.log')}`);
}

async function stopServer() {
  if (!server) return;
  const { child } = server;
  if (!exited(child)) {
    const done = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const gone = await Promise.race([done.then(() => true), sleep(5000).then(() => false)]);
    if (!gone) {
      console.log('# server ignored SIGTERM for 5 s; sending SIGKILL');
      child.kill('SIGKILL');
      await Promise.race([done, sleep(2000)]);
    }
  }
}

function serverLog() {
  try {
    return fs.readFileSync(server.logPath, 'utf8');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// API ground truth (plain fetch, no browser)

async function apiSignIn(login) {
  const res = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login, password: PASSWORD }),
  });
  const body = await res.json().catch(() => null);
  assertEqual(res.status, 200, `POST /api/v1/session as ${login}: status`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0])
    .find((c) => c.startsWith('bb_session='));
  assert(cookie, `POST /api/v1/session as ${login}: no bb_session cookie`);
  return { cookie, csrf: body.csrf };
}

async function apiGet(cookie, p) {
  const res = await fetch(`${base}/api/v1${p}`, { headers: { Cookie: cookie } });
  const body = await res.json().catch(() => null);
  assertEqual(res.status, 200, `GET /api/v1${p}: status`);
  return body;
}

/** /me and every visible site for login, via the API; the session is closed afterwards. */
async function groundTruth(login) {
  const { cookie, csrf } = await apiSignIn(login);
  const me = await apiGet(cookie, '/me');
  const sites = [];
  let cursor = null;
  for (let i = 0; i < 100; i++) {
    const page = await apiGet(cookie, `/sites?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    sites.push(...page.items);
    if (!page.next) break;
    cursor = page.next;
  }
  await fetch(`${base}/api/v1/session`, {
    method: 'DELETE', headers: { Cookie: cookie, 'X-CSRF-Token': csrf },
  });
  return { me, sites };
}

// ---------------------------------------------------------------------------------------------
// Browser helpers

// One browser context and page per viewport, reused from test to test (a new page costs Chromium
// about a second here): between tests the cookies and storage are wiped, so each test starts
// signed out and in Chinese. After a failure the context is thrown away and made anew.
const pages = new Map(); // viewport name -> { context, page, errors }

async function freshPage(vp) {
  const context = await browser.newContext({
    viewport: { width: vp.width, height: vp.height },
    isMobile: vp.mobile,
    hasTouch: vp.mobile,
    deviceScaleFactor: 1,
  });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  const page = await context.newPage();
  const slot = { context, page, errors: [] };
  page.on('pageerror', (e) => slot.errors.push(e.message));
  return slot;
}

async function resetPage(slot) {
  const { context, page } = slot;
  await context.clearCookies();
  // Any same-origin document gives access to its storage; the icon is the lightest one.
  await page.goto(`${base}/favicon.svg`);
  await page.evaluate(() => {
    localStorage.clear();
    sessionStorage.clear();
  });
  slot.errors.length = 0;
}

async function withPage(vp, fn) {
  let slot = pages.get(vp.name);
  if (!slot) {
    slot = await freshPage(vp);
    pages.set(vp.name, slot);
  }
  const { page } = slot;
  try {
    await resetPage(slot);
    await fn(page);
    assert(slot.errors.length === 0, `JavaScript error in the page: ${slot.errors.join(' / ')}`);
  } catch (err) {
    try {
      const shot = path.join(tmpDir, `fail-${Date.now()}.png`);
      await page.screenshot({ path: shot, fullPage: true, timeout: 5000 });
      err.message += ` (screenshot ${shot}; url ${page.url()})`;
    } catch {
      // the page is gone; the error says enough
    }
    pages.delete(vp.name);
    await slot.context.close().catch(() => {});
    throw err;
  }
}

/** Waits until the trimmed text of selector equals expected; fails saying what it saw. */
async function expectText(page, selector, expected, timeout = STEP_TIMEOUT_MS) {
  await poll(page, ([sel, want]) => {
    const el = document.querySelector(sel);
    const text = el ? el.textContent.trim() : null;
    return { ok: text === want, value: text };
  }, [selector, expected], (got) =>
    `${selector}: expected text ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`, timeout);
}

/**
 * Polls fn (run in the page with arg) until it returns a truthy value; throws what(last value)
 * on timeout. Unlike page.waitForFunction this works under a Content-Security-Policy without
 * 'unsafe-eval' (Playwright evaluates waitForFunction's predicate with eval in the page).
 */
async function poll(page, fn, arg, what, timeout = STEP_TIMEOUT_MS) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await page.evaluate(fn, arg).catch(() => undefined);
    if (last && last.ok) return last.value;
    if (Date.now() > deadline) throw new Error(what(last && last.value));
    await sleep(50);
  }
}

async function expectLang(page, lang) {
  await poll(page, (l) => ({ ok: document.documentElement.lang === l, value: document.documentElement.lang }),
    lang, (got) => `<html lang>: expected ${lang}, got ${got}`);
}

async function waitForPath(page, p) {
  await page.waitForURL((u) => new URL(u).pathname === p).catch(() => {
    throw new Error(`expected to be at ${p}, still at ${page.url()}`);
  });
}

/** Signs in through the form (in Chinese unless lang says otherwise) and waits for the home. */
async function signIn(page, login, { lang = 'zh-CN' } = {}) {
  await page.goto(`${base}/`);
  await expectLang(page, lang);
  const L = lang === 'en'
    ? { login: 'Username', password: 'Password', submit: 'Sign in' }
    : { login: '用户名', password: '密码', submit: '登录' };
  await page.getByLabel(L.login, { exact: true }).fill(login);
  await page.getByLabel(L.password, { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: L.submit, exact: true }).click();
  await waitForPath(page, '/home');
  await homeLoaded(page);
}

async function homeLoaded(page) {
  await page.locator('#content').waitFor({ state: 'visible' });
  await page.locator('#status').waitFor({ state: 'hidden' });
}

let axeSource = null;

async function axeCheck(page, what) {
  if (!axeSource) axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // evaluate() is not subject to the page's Content-Security-Policy, unlike an inline <script>.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3)
      .map((n) => n.target.join(' ')).join(', ')}${v.nodes.length > 3 ? ', ...' : ''}`);
  });
  assert(violations.length === 0, `axe on ${what}: ${violations.join('; ')}`);
}

async function expectNoSideScroll(page, vp, what) {
  const sw = await page.evaluate(() => document.documentElement.scrollWidth);
  assert(sw <= vp.width, `${what}: document.documentElement.scrollWidth ${sw} > ${vp.width}`);
}

/** Every visible control is at least 44x44 CSS px; all visible text at least 16 px. */
async function expectTapAndText(page, what) {
  const problems = await page.evaluate(() => {
    const out = [];
    const desc = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}` +
      `${el.textContent.trim() ? ` "${el.textContent.trim().slice(0, 20)}"` : ''}`;
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      const cs = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' &&
        r.bottom > 0 && r.right > 0; // not parked off-screen (the skip link until focused)
    };
    const controls = document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])');
    for (const el of controls) {
      if (!visible(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.height < 44 - 0.5 || r.width < 44 - 0.5) {
        out.push(`${desc(el)} is ${Math.round(r.width)}x${Math.round(r.height)}`);
      }
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!n.textContent.trim() || !el || seen.has(el) || !visible(el)) continue;
      seen.add(el);
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < 16) out.push(`${desc(el)} has font-size ${size}px`);
    }
    return out;
  });
  assert(problems.length === 0, `${what}: ${problems.slice(0, 6).join('; ')}`);
}

// ---------------------------------------------------------------------------------------------
// Tests

let truth = null; // agent's /me and sites, from the API

function staticChecks() {
  return test('i18n: zh-CN.json and en.json have the same keys, and the pages use only those', () => {
    const zh = JSON.parse(fs.readFileSync(path.join(WEB_DIR, 'i18n', 'zh-CN.json'), 'utf8'));
    const en = JSON.parse(fs.readFileSync(path.join(WEB_DIR, 'i18n', 'en.json'), 'utf8'));
    const onlyZh = Object.keys(zh).filter((k) => !(k in en));
    const onlyEn = Object.keys(en).filter((k) => !(k in zh));
    assert(!onlyZh.length && !onlyEn.length, `only in zh-CN: ${onlyZh}; only in en: ${onlyEn}`);
    const used = new Set();
    for (const f of fs.readdirSync(WEB_DIR).filter((n) => n.endsWith('.html'))) {
      const text = fs.readFileSync(path.join(WEB_DIR, f), 'utf8');
      for (const m of text.matchAll(/data-i18n="([\w.]+)"/g)) used.add(m[1]);
      for (const m of text.matchAll(/data-i18n-attr="([^"]+)"/g)) {
        for (const pair of m[1].split(';')) used.add(pair.split(':')[1].trim());
      }
    }
    for (const f of fs.readdirSync(path.join(WEB_DIR, 'js'))) {
      const text = fs.readFileSync(path.join(WEB_DIR, 'js', f), 'utf8');
      for (const m of text.matchAll(/'data-i18n',\s*'([\w.]+)'/g)) used.add(m[1]);
      for (const m of text.matchAll(/\bt\('([\w.]+)'/g)) used.add(m[1]);
    }
    for (const r of ['agent', 'web_agent', 'clerk', 'approver', 'coordinator', 'admin', 'auditor']) used.add(`role.${r}`);
    for (const l of ['district', 'township', 'village']) used.add(`level.${l}`);
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
}

async function serverChecks() {
  await test('server: pages and assets are served with the right Content-Type', async () => {
    const want = {
      '/': 'text/html', '/home': 'text/html', '/css/app.css': 'text/css',
      '/js/i18n.js': 'javascript', '/js/home.js': 'javascript', '/i18n/en.json': 'application/json',
      '/i18n/zh-CN.json': 'application/json', '/favicon.svg': 'image/svg+xml',
    };
    for (const [p, type] of Object.entries(want)) {
      const res = await fetch(`${base}${p}`);
      await res.arrayBuffer();
      assertEqual(res.status, 200, `GET ${p}: status`);
      const ct = res.headers.get('content-type') || '';
      assert(ct.includes(type), `GET ${p}: Content-Type ${JSON.stringify(ct)} lacks ${type}`);
    }
  });

  await test('api: agent\'s /me puts the village under the township, and /sites lists it', async () => {
    truth = await groundTruth('agent');
    const { me, sites } = truth;
    assertEqual(me.user.login, 'agent', '/me user.login');
    assert(isAgentSite(me.site.name), `/me site.name ${JSON.stringify(me.site.name)} is not ${AGENT_SITE}`);
    const names = me.path.map((p) => p.name);
    assertEqual(names[names.length - 1], me.site.name, '/me path: last');
    assert(names.indexOf(TOWNSHIP_SITE) >= 0 && names.indexOf(TOWNSHIP_SITE) < names.length - 1,
      `/me path ${JSON.stringify(names)} lacks ${TOWNSHIP_SITE} above ${AGENT_SITE}`);
    assert(sites.some((s) => s.id === me.site.id), '/sites lacks the agent\'s own site');
  });
}

function viewportTests(vp) {
  // Each entry is started only when the loop in main() calls it: the tests run one at a time.
  const T = (name, fn) => () => test(`[${vp.name}] ${name}`, () => withPage(vp, fn));
  const needTruth = () => assert(truth, 'no ground truth from the API (see the api test above)');

  return [
    T('the sign-in page is in Chinese by default, with labelled fields', async (page) => {
      await page.goto(`${base}/`);
      await expectLang(page, 'zh-CN');
      await page.getByRole('heading', { level: 1, name: '工作人员登录' }).waitFor();
      await page.getByLabel('用户名', { exact: true }).waitFor();
      await page.getByLabel('密码', { exact: true }).waitFor();
      await page.getByRole('button', { name: '中文', pressed: true }).waitFor();
      await page.getByRole('button', { name: 'English', pressed: false }).waitFor();
    }),

    T('sign in as agent shows the home with the agent\'s name and site', async (page) => {
      needTruth();
      await signIn(page, 'agent');
      await expectText(page, '#me-name', truth.me.user.name);
      await expectText(page, '#me-login', 'agent');
      await expectText(page, '#me-role', '代办员');
      await expectText(page, '#site-name', truth.me.site.name);
      await expectText(page, '#site-level', '便民服务站');
      await expectText(page, '#site-code', truth.me.site.code);
      const tree = await page.locator('#site-tree .node-name').allTextContents();
      assertEqual(tree.length, truth.sites.length, 'sites in the tree');
      assert(tree.some(isAgentSite), `tree ${JSON.stringify(tree)} lacks ${AGENT_SITE}`);
    }),

    T('the breadcrumb shows the township above the village', async (page) => {
      needTruth();
      await signIn(page, 'agent');
      const nav = page.getByRole('navigation', { name: '站点层级' });
      const items = (await nav.locator('li').allTextContents()).map((s) => s.trim());
      assertEqual(JSON.stringify(items), JSON.stringify(truth.me.path.map((p) => p.name)),
        'breadcrumb items');
      assertEqual(items[0], CITY_SITE, 'breadcrumb root');
      const ti = items.indexOf(TOWNSHIP_SITE);
      const vi = items.findIndex(isAgentSite);
      assert(ti >= 0 && vi === items.length - 1 && ti < vi,
        `breadcrumb ${JSON.stringify(items)}: ${TOWNSHIP_SITE} must come before ${AGENT_SITE}, last`);
      assertEqual(await nav.locator('li').last().getAttribute('aria-current'), 'location',
        'aria-current of the last breadcrumb item');
    }),

    T('the site tree nests the villages under the township (clerk)', async (page) => {
      await signIn(page, 'clerk');
      await expectText(page, '#site-name', TOWNSHIP_SITE);
      const top = (await page.locator('#site-tree > li > .node .node-name').allTextContents());
      assertEqual(JSON.stringify(top), JSON.stringify([TOWNSHIP_SITE]), 'top of the tree');
      const kids = await page.locator('#site-tree > li > ul > li > .node .node-name').allTextContents();
      assert(kids.length >= 2 && kids.some(isAgentSite),
        `villages under the township: ${JSON.stringify(kids)}`);
    }),

    T('switch to English and back, remembered across pages', async (page) => {
      await page.goto(`${base}/`);
      await expectLang(page, 'zh-CN');
      await page.getByRole('button', { name: 'English' }).click();
      await expectLang(page, 'en');
      await page.getByRole('heading', { level: 1, name: 'Staff sign-in' }).waitFor();
      await page.getByRole('button', { name: 'English', pressed: true }).waitFor();
      await signIn(page, 'agent', { lang: 'en' });
      await expectLang(page, 'en');
      await expectText(page, 'h1', 'Staff home');
      await expectText(page, '#me-heading', 'My account');
      await expectText(page, '#me-role', 'Agent');
      await expectText(page, '#site-level', 'Convenience service station');
      await expectText(page, '#sign-out', 'Sign out');
      await page.getByRole('navigation', { name: 'Site hierarchy' }).waitFor();
      await page.reload();
      await homeLoaded(page);
      await expectLang(page, 'en');
      await expectText(page, '#me-role', 'Agent');
      await page.getByRole('button', { name: '中文' }).click();
      await expectLang(page, 'zh-CN');
      await expectText(page, 'h1', '工作台');
      await expectText(page, '#me-role', '代办员');
      await expectText(page, '#site-level', '便民服务站');
      await expectText(page, '#sign-out', '退出登录');
      assertEqual(await page.evaluate(() => localStorage.getItem('bangban.lang')), 'zh-CN',
        'remembered language');
    }),

    T('sign out lands on the sign-in page, and /home then redirects to /', async (page) => {
      await signIn(page, 'agent');
      await page.getByRole('button', { name: '退出登录' }).click();
      await waitForPath(page, '/');
      await page.getByLabel('用户名', { exact: true }).waitFor();
      await page.goto(`${base}/home`);
      await waitForPath(page, '/');
      await page.getByRole('button', { name: '登录', exact: true }).waitFor();
    }),

    T('signed in, / goes straight to /home', async (page) => {
      await signIn(page, 'agent');
      await page.goto(`${base}/`);
      await waitForPath(page, '/home');
      await homeLoaded(page);
    }),

    T('a wrong password shows the server\'s error message in the alert', async (page) => {
      await page.goto(`${base}/`);
      await expectLang(page, 'zh-CN');
      await page.getByLabel('用户名', { exact: true }).fill('agent2');
      await page.getByLabel('密码', { exact: true }).fill('not-the-password');
      const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/session' &&
        r.request().method() === 'POST');
      await page.getByRole('button', { name: '登录', exact: true }).click();
      const res = await answer;
      assertEqual(res.status(), 401, 'POST /api/v1/session with a wrong password: status');
      const body = await res.json();
      assertEqual(body.error && body.error.code, 'bad_credentials', 'error code');
      assert(body.error.message && body.error.message_en, 'the error body lacks message/message_en');
      await expectText(page, '[role="alert"]', body.error.message);
      await page.getByRole('button', { name: 'English' }).click();
      await expectText(page, '[role="alert"]', body.error.message_en);
      await page.getByRole('button', { name: '中文' }).click();
      await expectText(page, '[role="alert"]', body.error.message);
      assertEqual(new URL(page.url()).pathname, '/', 'still on the sign-in page');
    }),

    T('too many failed sign-ins (429) show the server\'s message too', async (page) => {
      // Use up coord's failures through the API (5 per login in 15 minutes), then try once more
      // in the browser. Only coord is locked out; the other tests do not sign in as coord.
      for (let i = 0; i < 8; i++) {
        const res = await fetch(`${base}/api/v1/session`, {
          method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ login: 'coord', password: 'not-the-password' }),
        });
        await res.arrayBuffer();
        if (res.status === 429) break;
        assertEqual(res.status, 401, 'POST /api/v1/session with a wrong password: status');
      }
      await page.goto(`${base}/`);
      await expectLang(page, 'zh-CN');
      await page.getByLabel('用户名', { exact: true }).fill('coord');
      await page.getByLabel('密码', { exact: true }).fill('not-the-password');
      const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/session' &&
        r.request().method() === 'POST');
      await page.getByRole('button', { name: '登录', exact: true }).click();
      const res = await answer;
      assertEqual(res.status(), 429, 'POST /api/v1/session after 5 failures: status');
      const body = await res.json();
      assertEqual(body.error && body.error.code, 'rate_limited', 'error code');
      await expectText(page, '[role="alert"]', body.error.message);
      await page.getByRole('button', { name: 'English' }).click();
      await expectText(page, '[role="alert"]', body.error.message_en);
    }),

    T('axe-core finds no violations on the sign-in page (empty, and showing an error)', async (page) => {
      await page.goto(`${base}/`);
      await expectLang(page, 'zh-CN');
      await page.getByLabel('用户名', { exact: true }).waitFor();
      await axeCheck(page, 'the sign-in page');
      await page.getByLabel('用户名', { exact: true }).fill('nobody');
      await page.getByLabel('密码', { exact: true }).fill('not-the-password');
      await page.getByRole('button', { name: '登录', exact: true }).click();
      await poll(page, () => {
        const text = document.querySelector('[role="alert"]').textContent.trim();
        return { ok: text !== '', value: text };
      }, null, () => 'no error shown in the alert');
      await axeCheck(page, 'the sign-in page with an error');
      await page.getByRole('button', { name: 'English' }).click();
      await expectLang(page, 'en');
      await axeCheck(page, 'the sign-in page in English');
    }),

    T('axe-core finds no violations on the home page (zh-CN and en)', async (page) => {
      await signIn(page, 'clerk');
      await axeCheck(page, 'the home page');
      await page.getByRole('button', { name: 'English' }).click();
      await expectLang(page, 'en');
      await axeCheck(page, 'the home page in English');
    }),

    T(`no horizontal scrolling at ${vp.width} px (scrollWidth <= ${vp.width})`, async (page) => {
      await page.goto(`${base}/`);
      await page.getByLabel('用户名', { exact: true }).waitFor();
      await expectNoSideScroll(page, vp, 'sign-in page');
      await page.getByRole('button', { name: 'English' }).click();
      await expectLang(page, 'en');
      await expectNoSideScroll(page, vp, 'sign-in page in English');
      await page.getByRole('button', { name: '中文' }).click();
      await signIn(page, 'admin');
      await expectNoSideScroll(page, vp, 'home page (admin, the whole tree)');
      await page.getByRole('button', { name: 'English' }).click();
      await expectLang(page, 'en');
      await expectNoSideScroll(page, vp, 'home page in English');
    }),

    T('keyboard focus is visible on every control of the sign-in page', async (page) => {
      await page.goto(`${base}/`);
      await page.getByLabel('用户名', { exact: true }).waitFor();
      await page.evaluate(() => document.activeElement && document.activeElement.blur());
      const seen = [];
      for (let i = 0; i < 8; i++) {
        await page.keyboard.press('Tab');
        const f = await page.evaluate(() => {
          const el = document.activeElement;
          if (!el || el === document.body) return null;
          const cs = getComputedStyle(el);
          const r = el.getBoundingClientRect();
          return {
            what: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${el.textContent.trim().slice(0, 12)}"`,
            outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2,
            onScreen: r.bottom > 0 && r.top < window.innerHeight + window.scrollY,
          };
        });
        if (!f) continue;
        assert(f.outline, `${f.what} has no visible focus outline`);
        assert(f.onScreen, `${f.what} is focused but off-screen`);
        seen.push(f.what);
      }
      assert(seen.some((w) => w.startsWith('a "')), `the skip link never took focus: ${seen.join(', ')}`);
      assert(seen.some((w) => w.startsWith('input#login')), `the username field never took focus: ${seen.join(', ')}`);
    }),

    T('tap targets are at least 44 px and text at least 16 px', async (page) => {
      await page.goto(`${base}/`);
      await page.getByLabel('用户名', { exact: true }).waitFor();
      await expectTapAndText(page, 'sign-in page');
      await signIn(page, 'clerk');
      await expectTapAndText(page, 'home page');
    }),
  ];
}

// ---------------------------------------------------------------------------------------------
// Main

let cleanedUp = false;

function setupFailed(msg) {
  failed++;
  console.log(`not ok - setup: ${msg}`);
  return 1;
}

async function cleanup() {
  if (cleanedUp) return;
  cleanedUp = true;
  if (browser) await withTimeout(browser.close(), 10_000, 'closing the browser').catch(() => {});
  await stopServer().catch(() => {});
}

async function main() {
  const binArg = process.argv[2];
  if (!binArg) {
    console.error('usage: node run.mjs <path-to-bangban-binary>');
    return 2;
  }
  const bin = path.resolve(binArg);
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
    require.resolve('axe-core/axe.min.js');
  } catch {
    return setupFailed(`playwright-core/axe-core missing; run \`npm ci\` in ${HERE}`);
  }
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bangban-e2e-'));
  const db = path.join(tmpDir, 'e2e.db');

  const seeded = spawnSync(bin, ['seed-demo', '--db', db], { encoding: 'utf8', timeout: 90_000 });
  if (seeded.error || seeded.status !== 0) {
    const why = seeded.error ? seeded.error.message : `exit ${seeded.status ?? seeded.signal}`;
    return setupFailed(`${bin} seed-demo --db ${db}: ${why}: ${oneLine(seeded.stderr || '')}`);
  }

  try {
    base = await startServer(bin, db);
  } catch (err) {
    return setupFailed(`start the server: ${oneLine(err)}`);
  }
  console.log(`# server ${base} (db ${db})`);

  try {
    // Our own signal handlers stop the server and the browser; Playwright's would exit first.
    browser = await chromium.launch({
      executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000,
      handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    });
  } catch (err) {
    return setupFailed(`launch ${CHROMIUM}: ${oneLine(err)}`);
  }

  await staticChecks();
  await serverChecks();
  for (const vp of VIEWPORTS) {
    for (const run of viewportTests(vp)) await run();
  }

  await cleanup();
  await test('server: no sanitizer report or crash in its log', () => {
    const log = serverLog();
    const bad = log.split('\n').filter((l) =>
      /ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:|SUMMARY: \w+Sanitizer/.test(l));
    assert(!bad.length, bad.slice(0, 3).join(' | '));
    const { child } = server;
    assert(!child.signalCode || child.signalCode === 'SIGTERM',
      `the server died of ${child.signalCode}`);
  });
  return failed ? 1 : 0;
}

async function finish(code) {
  if (stopping) return;
  stopping = true;
  await cleanup();
  if (code === 2) process.exit(2); // usage
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  if (tmpDir) {
    if (code === 0) fs.rmSync(tmpDir, { recursive: true, force: true });
    else console.log(`# kept ${tmpDir} (server.log, screenshots of failures)`);
  }
  process.exit(code);
}

const overall = setTimeout(() => {
  failed++;
  console.log(`not ok - overall: gave up after ${OVERALL_TIMEOUT_MS / 1000} s`);
  finish(1);
}, OVERALL_TIMEOUT_MS);

// Last resort when something calls process.exit() before cleanup() has run.
process.on('exit', () => {
  if (server && !exited(server.child)) server.child.kill('SIGKILL');
});

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (stopping) return;
    failed++;
    console.log(`not ok - run: interrupted by ${sig}`);
    finish(1);
  });
}

main().then(
  (code) => { clearTimeout(overall); return finish(code); },
  (err) => { clearTimeout(overall); console.log(`not ok - run.mjs: ${oneLine(err)}`); return finish(1); },
);
