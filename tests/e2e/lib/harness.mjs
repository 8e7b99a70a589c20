// Test runner state and assertions shared by every module: one test at a time, each printed as
// `ok - <name>` or `not ok - <name>: <error>`.

export const PASSWORD = 'bangban-demo';
export const TEST_TIMEOUT_MS = 45_000;
export const STEP_TIMEOUT_MS = 10_000;

/** Run-wide state: the server's base URL, the temporary directory, the browser, the counters. */
export const ctx = {
  base: '',
  tmpDir: null,
  browser: null,
  server: null,
  extraServers: [], // more servers on the same database (see lib/server.mjs)
  bin: '', // the bangban binary and the test database, for the extra servers
  db: '',
  stopping: false, // set once the run is being torn down (timeout, signal): no more tests
  passed: 0,
  failed: 0,
};

export function oneLine(err) {
  const s = err && err.message ? err.message : String(err);
  return s.replace(/\x1b\[[0-9;]*m/g, '').split('\n').map((l) => l.trim()).filter(Boolean)
    .slice(0, 6).join(' | ');
}

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs fn as one test; opts.timeout overrides the per-test limit. */
export async function test(name, fn, opts = {}) {
  if (ctx.stopping) return;
  try {
    await withTimeout(Promise.resolve().then(fn), opts.timeout || TEST_TIMEOUT_MS, 'test');
    ctx.passed++;
    console.log(`ok - ${name}`);
  } catch (err) {
    if (ctx.stopping) return; // failed because the browser or server was stopped under it
    ctx.failed++;
    console.log(`not ok - ${name}: ${oneLine(err)}`);
  }
}

export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

export function assertEqual(actual, expected, what) {
  if (actual !== expected) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

export function assertSame(actual, expected, what) {
  assertEqual(JSON.stringify(actual), JSON.stringify(expected), what);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
