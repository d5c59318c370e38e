// One Waypoint server per test file: the real binary, a small seeded demo, a throw-away SQLite file.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot, ROLES, waypointBin } from './env.mjs';

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const OUTPUT_LIMIT = 64 * 1024;

/** A port nobody is listening on right now (the server binds it a moment later). */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Keeps the last OUTPUT_LIMIT characters of a stream, for error messages. */
function tail(stream) {
  const buffer = { text: '' };
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buffer.text = (buffer.text + chunk).slice(-OUTPUT_LIMIT);
  });
  return buffer;
}

/**
 * Reads and checks the sign-ins file the demo writes: one entry per role.
 * Returns a map from role to `{ username, password, description }`.
 */
export async function readSignIns(file) {
  const entries = JSON.parse(await readFile(file, 'utf8'));
  if (!Array.isArray(entries)) throw new Error(`${file}: expected a JSON array of sign-ins`);
  const byRole = new Map();
  for (const entry of entries) {
    if (typeof entry?.role !== 'string' || typeof entry.username !== 'string' || typeof entry.password !== 'string') {
      throw new Error(`${file}: malformed sign-in ${JSON.stringify(entry)}`);
    }
    if (!byRole.has(entry.role)) byRole.set(entry.role, entry);
  }
  return byRole;
}

/**
 * Starts `waypoint demo --size small` on a free loopback port and waits for GET /readyz to answer 200.
 *
 * Resolves to `{ baseURL, signIns, signIn(page, role), output(), stop() }`. Rejects with the
 * server's output when it exits early or is not ready within 60 s.
 */
export async function startServer() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'waypoint-e2e-'));
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  const signInsFile = path.join(dir, 'sign-ins.json');
  const args = [
    'demo',
    '--size', 'small',
    '--bind', `127.0.0.1:${port}`,
    '--database-url', `sqlite:${path.join(dir, 'e2e.db')}`,
    '--sign-ins-json', signInsFile,
  ];
  const child = spawn(waypointBin, args, {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { RUST_LOG: 'warn', ...process.env },
  });
  const stdout = tail(child.stdout);
  const stderr = tail(child.stderr);
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => resolve({ error }));
  });
  let exitStatus = null;
  exited.then((status) => {
    exitStatus = status;
  });

  const output = () => `--- stderr ---\n${stderr.text}\n--- stdout ---\n${stdout.text}`;

  async function stop() {
    if (exitStatus === null) {
      child.kill('SIGTERM');
      const stopped = await Promise.race([exited, sleep(STOP_TIMEOUT_MS, 'timeout')]);
      if (stopped === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    }
    await rm(dir, { recursive: true, force: true });
  }

  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (exitStatus !== null) {
        const how = exitStatus.error ? `could not start: ${exitStatus.error.message}`
          : `exited with ${exitStatus.signal ?? `code ${exitStatus.code}`}`;
        throw new Error(`waypoint server ${how} before it was ready\n${waypointBin} ${args.join(' ')}\n${output()}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`waypoint server not ready within ${READY_TIMEOUT_MS / 1000} s (GET ${baseURL}/readyz)\n${output()}`);
      }
      try {
        const response = await fetch(`${baseURL}/readyz`, { signal: AbortSignal.timeout(2_000) });
        if (response.status === 200) break;
      } catch {
        // Not listening yet.
      }
      await sleep(200);
    }
    const signIns = await readSignIns(signInsFile);
    const missing = ROLES.filter((role) => !signIns.has(role));
    if (missing.length > 0) {
      throw new Error(`${signInsFile} has no sign-in for: ${missing.join(', ')}`);
    }
    return {
      baseURL,
      signIns,
      signIn: (page, role) => signIn(page, role, signIns),
      output,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** True when `url`'s path is exactly `pathname`. */
export function isPath(url, pathname) {
  return new URL(url).pathname === pathname;
}

/**
 * Signs in through the real form as the demo user for `role` and waits for /home.
 * The page's context must have a baseURL.
 */
export async function signIn(page, role, signIns) {
  const who = signIns.get(role);
  if (!who) throw new Error(`no demo sign-in for role ${role}`);
  await page.goto('/sign-in');
  await page.fill('input[name=username]', who.username);
  await page.fill('input[name=password]', who.password);
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/home'),
    page.click('button[type=submit]'),
  ]);
  return who;
}
