// Starting kiwi for the browser suites: `kiwi demo` on a free loopback port with a fresh data
// directory and the real courses (without the pause after failed attempts).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '..', '..');
const TARGET_DIR = path.resolve(REPO, process.env.CARGO_TARGET_DIR || 'target');
export const KIWI_BIN = path.resolve(REPO, process.env.KIWI_BIN || path.join(TARGET_DIR, 'debug', 'kiwi'));

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The real courses, with the pause after failed attempts switched off: the suite takes each
 * quiz until it passes, learning the answers from each result, and would otherwise wait
 * 30 minutes after the second failure. (The pause itself is tested in the Rust suite.)
 */
function coursesWithoutPause(dataDir) {
  const copy = path.join(dataDir, 'courses');
  fs.cpSync(path.join(REPO, 'courses'), copy, { recursive: true });
  for (const course of fs.readdirSync(copy)) {
    const toml = path.join(copy, course, 'course.toml');
    if (fs.existsSync(toml)) {
      fs.writeFileSync(toml, `cooldown_minutes = 0\n${fs.readFileSync(toml, 'utf8')}`);
    }
  }
  return copy;
}

/**
 * Starts `kiwi demo` on a free port with a fresh data directory and waits for /healthz.
 * `env` adds or replaces settings (KIWI_BASE_URL, KIWI_TOOLS_FILE, KIWI_DATABASE_URL …);
 * `bind` is the port to listen on (default: a free one).
 */
export async function startKiwi({ env: extra = {}, port: fixed } = {}) {
  if (!fs.existsSync(KIWI_BIN)) {
    throw new Error(`no kiwi binary at ${KIWI_BIN}: build kiwi first or set KIWI_BIN`);
  }
  const port = fixed || (await freePort());
  const base = `http://127.0.0.1:${port}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiwi-browser-'));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KIWI_')));
  Object.assign(env, {
    KIWI_BIND: `127.0.0.1:${port}`,
    KIWI_BASE_URL: base,
    KIWI_DATA_DIR: dataDir,
    KIWI_COURSES_DIR: coursesWithoutPause(dataDir),
    KIWI_LOG: process.env.KIWI_LOG || 'warn',
    ...extra,
  });
  const child = spawn(KIWI_BIN, ['demo'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk) => {
    log = (log + chunk).slice(-20000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exit = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      exited = signal || `exit code ${code}`;
      resolve();
    }),
  );
  const killNow = () => {
    if (exited === null) child.kill('SIGKILL');
  };
  // Last resort, whatever ends this process: no kiwi and no data directory stays behind.
  const atExit = () => {
    killNow();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  process.on('exit', atExit);

  const stop = async () => {
    if (exited === null) {
      child.kill('SIGTERM');
      await Promise.race([exit, sleep(5000)]);
      killNow();
      await Promise.race([exit, sleep(2000)]);
    }
    process.off('exit', atExit);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited !== null) {
      await stop();
      throw new Error(`kiwi stopped before it was ready (${exited}):\n${log}`);
    }
    try {
      const response = await fetch(`${base}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`kiwi did not answer /healthz within 120 s:\n${log}`);
    }
    await sleep(200);
  }
  return { base, stop, log: () => log };
}

