// Seeds a demo database and runs `bangban serve` on a free port; stops it; reads its log.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ctx, oneLine, sleep } from './harness.mjs';

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

export function exited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

/** `bin seed-demo --db db`; throws with the reason on failure. */
export function seedDemo(bin, db) {
  const seeded = spawnSync(bin, ['seed-demo', '--db', db], { encoding: 'utf8', timeout: 90_000 });
  if (seeded.error || seeded.status !== 0) {
    const why = seeded.error ? seeded.error.message : `exit ${seeded.status ?? seeded.signal}`;
    throw new Error(`${bin} seed-demo --db ${db}: ${why}: ${oneLine(seeded.stderr || '')}`);
  }
}

/** Starts the server (ctx.server) and resolves to its base URL once /healthz answers 200. */
export async function startServer(bin, db) {
  const { server, url } = await spawnServer(bin, db, [], 'server.log');
  ctx.server = server;
  return url;
}

/**
 * Another server on the same database (extra flags, e.g. --fake-now), logging to logName; it is
 * stopped with the main one. Resolves to its base URL.
 */
export async function startExtraServer(bin, db, extra, logName) {
  const { server, url } = await spawnServer(bin, db, extra, logName);
  ctx.extraServers.push(server);
  return url;
}

async function spawnServer(bin, db, extra, logName) {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const logPath = path.join(ctx.tmpDir, logName);
    const log = fs.openSync(logPath, 'a');
    const child = spawn(bin, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, ...extra],
      { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const server = { child, logPath };
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !exited(child)) {
      try {
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.status === 200) return { server, url };
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    if (!exited(child)) {
      await stopOne(server);
      throw new Error('GET /healthz did not answer 200 within 30 s');
    }
    // It exited: most likely the port was taken between freePort() and bind; try another.
  }
  throw new Error(`bangban serve kept exiting at start-up; see ${path.join(ctx.tmpDir, logName)}`);
}

/** Stops the main server and any extra ones. */
export async function stopServer() {
  for (const s of ctx.extraServers) await stopOne(s);
  if (ctx.server) await stopOne(ctx.server);
}

async function stopOne(server) {
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

/** The log of the main server, or of the server given. */
export function serverLog(server = ctx.server) {
  try {
    return fs.readFileSync(server.logPath, 'utf8');
  } catch {
    return '';
  }
}
