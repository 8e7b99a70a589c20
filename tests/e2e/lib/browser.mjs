// Chromium through playwright-core: one context and page per viewport, reused from test to test,
// and the waits the tests use (all of them CSP-safe: no eval in the page).

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { PASSWORD, STEP_TIMEOUT_MS, assert, assertEqual, ctx, sleep } from './harness.mjs';

const require = createRequire(import.meta.url);

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export const VIEWPORTS = [
  { name: 'desktop 1280x800', width: 1280, height: 800, mobile: false },
  { name: 'phone 360x740', width: 360, height: 740, mobile: true },
];

export async function launchBrowser() {
  const { chromium } = require('playwright-core');
  // Our own signal handlers stop the server and the browser; Playwright's would exit first.
  ctx.browser = await chromium.launch({
    executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000,
    handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
  });
}

// Between tests the cookies and storage are wiped, so each test starts signed out and in
// Chinese. After a failure the context is thrown away and made anew.
const pages = new Map(); // viewport name -> { context, page, errors }

async function freshPage(vp) {
  const context = await ctx.browser.newContext({
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
  await page.emulateMedia({ media: 'screen' });
  // Any same-origin document gives access to its storage; the icon is the lightest one.
  await page.goto(`${ctx.base}/favicon.svg`);
  await page.evaluate(() => {
    localStorage.clear();
    sessionStorage.clear();
  });
  slot.errors.length = 0;
}

/** Runs fn(page) on the viewport's page; on failure saves a screenshot and says where. */
export async function withPage(vp, fn) {
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
      const shot = path.join(ctx.tmpDir, `fail-${Date.now()}.png`);
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

/**
 * Polls fn (run in the page with arg) until it returns {ok: true, value}; throws what(last value)
 * on timeout. Unlike page.waitForFunction this works under a Content-Security-Policy without
 * 'unsafe-eval' (Playwright evaluates waitForFunction's predicate with eval in the page).
 */
export async function poll(page, fn, arg, what, timeout = STEP_TIMEOUT_MS) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await page.evaluate(fn, arg).catch(() => undefined);
    if (last && last.ok) return last.value;
    if (Date.now() > deadline) throw new Error(what(last && last.value));
    await sleep(50);
  }
}

/** Waits until the trimmed text of selector equals expected; fails saying what it saw. */
export async function expectText(page, selector, expected, timeout = STEP_TIMEOUT_MS) {
  await poll(page, ([sel, want]) => {
    const el = document.querySelector(sel);
    const text = el ? el.textContent.trim() : null;
    return { ok: text === want, value: text };
  }, [selector, expected], (got) =>
    `${selector}: expected text ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`, timeout);
}

/** Waits until the texts of every element matching selector equal expected (in order). */
export async function expectTexts(page, selector, expected, timeout = STEP_TIMEOUT_MS) {
  await poll(page, ([sel, want]) => {
    const got = [...document.querySelectorAll(sel)].map((e) => e.textContent.trim());
    return { ok: JSON.stringify(got) === JSON.stringify(want), value: got };
  }, [selector, expected], (got) => `${selector}: expected ${JSON.stringify(expected)}, got ` +
    `${JSON.stringify(got && got.length > 12 ? [...got.slice(0, 12), `… (${got.length})`] : got)}`, timeout);
}

/** Waits until selector matches n elements. */
export async function expectCount(page, selector, n, timeout = STEP_TIMEOUT_MS) {
  await poll(page, ([sel, want]) => {
    const got = document.querySelectorAll(sel).length;
    return { ok: got === want, value: got };
  }, [selector, n], (got) => `${selector}: expected ${n} elements, got ${got}`, timeout);
}

export async function expectLang(page, lang) {
  await poll(page, (l) => ({ ok: document.documentElement.lang === l, value: document.documentElement.lang }),
    lang, (got) => `<html lang>: expected ${lang}, got ${got}`);
}

export async function waitForPath(page, p) {
  await page.waitForURL((u) => new URL(u).pathname === p).catch(() => {
    throw new Error(`expected to be at ${p}, still at ${page.url()}`);
  });
}

export async function homeLoaded(page) {
  await page.locator('#content').waitFor({ state: 'visible' });
  await page.locator('#status').waitFor({ state: 'hidden' });
}

/** Signs in through the form (in Chinese unless lang says otherwise) and waits for the home. */
export async function signIn(page, login, { lang = 'zh-CN' } = {}) {
  await page.goto(`${ctx.base}/`);
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

/** Signs the page's context in through the API (the session cookie lands in the browser). */
export async function signInQuick(page, login) {
  const res = await page.request.post(`${ctx.base}/api/v1/session`, {
    data: { login, password: PASSWORD },
  });
  assertEqual(res.status(), 200, `POST /api/v1/session as ${login}: status`);
  return (await res.json()).csrf;
}

/** Waits for the answer to the next matching API call made while action() runs. */
export async function answerTo(page, method, pathname, action) {
  const answer = page.waitForResponse((r) => r.request().method() === method &&
    new URL(r.url()).pathname === pathname);
  await action();
  const res = await answer;
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  return { status: res.status(), body };
}

export function readAxe() {
  return fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
}
