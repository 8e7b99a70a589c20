#!/usr/bin/env node
// Browser tests for the web pages (web/), run against a real bangban server.
//
//   node run.mjs <path-to-bangban-binary>        (E2E_GREP=<regexp> runs only the matching tests)
//
// Seeds a demo database in a temporary directory, starts `bangban serve` on a free port, and
// drives Debian's /usr/bin/chromium through playwright-core at a desktop and a phone viewport,
// with axe-core for accessibility. Prints `ok - <name>` / `not ok - <name>: <error>` per test and
// a closing `e2e: N passed, N failed`; exits 0 only when all pass. The server and the browser are
// always stopped; the temporary directory is removed on success and kept (with the server log and
// failure screenshots) on failure. Everything gives up after 12 minutes.
//
// lib/    harness (runner, assertions), server, api (ground truth), browser, checks (axe, layout)
// pages/  common (no browser), then one module per page: tests(vp) -> [[name, fn(page), opts]]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { assert, ctx, oneLine, test, withTimeout } from './lib/harness.mjs';
import { exited, seedDemo, serverLog, startServer, stopServer } from './lib/server.mjs';
import { CHROMIUM, VIEWPORTS, launchBrowser, withPage } from './lib/browser.mjs';
import * as common from './pages/common.mjs';
import * as login from './pages/login.mjs';
import * as home from './pages/home.mjs';
import * as guide from './pages/guide.mjs';
import * as items from './pages/items.mjs';
import * as catalog from './pages/catalog.mjs';
import * as item from './pages/item.mjs';
import * as siteItems from './pages/site_items.mjs';
import * as cases from './pages/cases.mjs';
import * as frontPublic from './pages/front_public.mjs';
import * as frontStaff from './pages/front_staff.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const OVERALL_TIMEOUT_MS = 720_000;
const SUITES = [login, home, guide, items, catalog, item, siteItems, cases, frontPublic, frontStaff];

// E2E_GREP=<regexp>: run only the browser tests whose name matches (while working on a page).
const GREP = process.env.E2E_GREP ? new RegExp(process.env.E2E_GREP) : null;

let cleanedUp = false;

function setupFailed(msg) {
  ctx.failed++;
  console.log(`not ok - setup: ${msg}`);
  return 1;
}

async function cleanup() {
  if (cleanedUp) return;
  cleanedUp = true;
  if (ctx.browser) await withTimeout(ctx.browser.close(), 10_000, 'closing the browser').catch(() => {});
  await stopServer().catch(() => {});
}

async function main() {
  const binArg = process.argv[2];
  if (!binArg) {
    console.error('usage: node run.mjs <path-to-bangban-binary>');
    return 2;
  }
  const bin = path.resolve(binArg);
  try {
    require.resolve('playwright-core');
    require.resolve('axe-core/axe.min.js');
  } catch {
    return setupFailed(`playwright-core/axe-core missing; run \`npm ci\` in ${HERE}`);
  }
  ctx.tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bangban-e2e-'));
  const db = path.join(ctx.tmpDir, 'e2e.db');
  ctx.bin = bin;
  ctx.db = db;
  try {
    seedDemo(bin, db);
  } catch (err) {
    return setupFailed(oneLine(err));
  }
  try {
    ctx.base = await startServer(bin, db);
  } catch (err) {
    return setupFailed(`start the server: ${oneLine(err)}`);
  }
  console.log(`# server ${ctx.base} (db ${db})`);
  try {
    await launchBrowser();
  } catch (err) {
    return setupFailed(`launch ${CHROMIUM}: ${oneLine(err)}`);
  }

  await common.run();
  for (const suite of SUITES) if (suite.setup) await suite.setup();
  for (const vp of VIEWPORTS) {
    for (const suite of SUITES) {
      for (const [name, fn, opts] of suite.tests(vp)) {
        if (GREP && !GREP.test(`[${vp.name}] ${name}`)) continue;
        await test(`[${vp.name}] ${name}`, () => withPage(vp, fn), opts);
      }
    }
  }
  // Last, after every viewport: tests that change the shared database for good (e.g. a second
  // server whose clock runs weeks ahead). finale() -> [[name, fn(), opts]].
  for (const suite of SUITES) {
    if (!suite.finale) continue;
    for (const [name, fn, opts] of suite.finale()) {
      if (GREP && !GREP.test(name)) continue;
      await test(name, fn, opts);
    }
  }

  await cleanup();
  await test('server: no sanitizer report or crash in its log', () => {
    for (const server of [ctx.server, ...ctx.extraServers]) {
      const bad = serverLog(server).split('\n').filter((l) =>
        /ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:|SUMMARY: \w+Sanitizer/.test(l));
      assert(!bad.length, `${path.basename(server.logPath)}: ${bad.slice(0, 3).join(' | ')}`);
      const { child } = server;
      assert(!child.signalCode || child.signalCode === 'SIGTERM',
        `${path.basename(server.logPath)}: the server died of ${child.signalCode}`);
    }
  });
  return ctx.failed ? 1 : 0;
}

async function finish(code) {
  if (ctx.stopping) return;
  ctx.stopping = true;
  await cleanup();
  if (code === 2) process.exit(2); // usage
  console.log(`e2e: ${ctx.passed} passed, ${ctx.failed} failed`);
  if (ctx.tmpDir) {
    if (code === 0) fs.rmSync(ctx.tmpDir, { recursive: true, force: true });
    else console.log(`# kept ${ctx.tmpDir} (server.log, screenshots of failures)`);
  }
  process.exit(code);
}

const overall = setTimeout(() => {
  ctx.failed++;
  console.log(`not ok - overall: gave up after ${OVERALL_TIMEOUT_MS / 1000} s`);
  finish(1);
}, OVERALL_TIMEOUT_MS);

// Last resort when something calls process.exit() before cleanup() has run.
process.on('exit', () => {
  for (const server of [ctx.server, ...ctx.extraServers]) {
    if (server && !exited(server.child)) server.child.kill('SIGKILL');
  }
});

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (ctx.stopping) return;
    ctx.failed++;
    console.log(`not ok - run: interrupted by ${sig}`);
    finish(1);
  });
}

main().then(
  (code) => { clearTimeout(overall); return finish(code); },
  (err) => { clearTimeout(overall); console.log(`not ok - run.mjs: ${oneLine(err)}`); return finish(1); },
);
