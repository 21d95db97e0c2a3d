// Single sign-on in a real headless Chromium: `kiwi demo` with the test OpenID provider
// (provider.mjs). kiwi's sign-in button, the provider's log-in form, back at kiwi signed in
// as the matched person; a journey that starts at a tool ends at the tool; someone kiwi
// does not know gets the page that says so. kiwi's pages on the way are checked with
// axe-core (WCAG 2.1 A/AA).
//
//   (cd tests/oidc && npm ci) && cargo build && node tests/oidc/journey.mjs
//
// Environment: KIWI_BIN (default: $CARGO_TARGET_DIR/debug/kiwi), CHROMIUM_BIN (default:
// /usr/bin/chromium), KIWI_DATABASE_URL to run kiwi on PostgreSQL (a fresh database next
// to the one named).

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { startKiwi } from '../browser/kiwi.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BROWSER = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const TOOL = 'https://kreativbot.stadt.example';
const SABINE = 'sabine.wolf@musterstadt.example';

let failures = 0;
function step(name, ok, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok || !detail ? '' : `: ${detail}`}`);
  if (!ok) failures += 1;
}

/** Starts the provider; resolves with its issuer and a way to stop it. */
function startProvider() {
  const child = spawn(process.execPath, [path.join(HERE, 'provider.mjs')], {
    cwd: HERE,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.on('data', (chunk) => {
    for (const line of String(chunk).split('\n')) {
      if (line && !line.startsWith('oidc-provider WARNING')) process.stderr.write(`provider: ${line}\n`);
    }
  });
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`the provider stopped (${code})`)));
    readline.createInterface({ input: child.stdout }).once('line', (line) => {
      resolve({ issuer: JSON.parse(line).issuer, stop: () => child.kill() });
    });
  });
}

async function register(issuer, base, accounts) {
  const response = await fetch(`${issuer}/_test/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      clients: [{
        client_id: 'kiwi',
        client_secret: 'a client secret for the tests only',
        redirect_uris: [`${base}/login/oidc/callback`],
        post_logout_redirect_uris: [`${base}/login?signed_out=1`],
        backchannel_logout_uri: `${base}/login/oidc/backchannel-logout`,
        backchannel_logout_session_required: true,
        grant_types: ['authorization_code'],
        response_types: ['code'],
      }],
      accounts,
    }),
  });
  if (!response.ok) throw new Error(`provider setup: ${response.status}`);
}

/** A fresh PostgreSQL database next to the one in KIWI_DATABASE_URL, or none for SQLite. */
async function freshDatabase() {
  const server = process.env.KIWI_DATABASE_URL;
  if (!server) return null;
  const name = `kiwi_test_sso_${Date.now()}`;
  const admin = spawn('psql', [server, '-qc', `CREATE DATABASE ${name}`], { stdio: 'inherit' });
  await new Promise((resolve, reject) => admin.on('exit', (code) => (code === 0 ? resolve() : reject(new Error('createdb')))));
  return `${server.slice(0, server.lastIndexOf('/'))}/${name}`;
}

async function axe(page, name) {
  await page.addScriptTag({ path: AXE_SCRIPT });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  step(`axe finds nothing on ${name}`, violations.length === 0, violations.join('; '));
}

/**
 * kiwi's button, the provider's form; resolves when the browser is back at kiwi, or (with
 * `until`) when it asks for a URL that `until` accepts.
 */
async function signInThroughProvider(page, base, issuer, login, password, until = null) {
  const button = page.getByRole('link', { name: 'Mit Stadt-Konto anmelden' });
  step('the sign-in page shows the provider\'s button first', (await button.count()) === 1
    && (await page.locator('a.sso-button, input[name="password"]').first().getAttribute('class')) === 'button sso-button');
  await Promise.all([page.waitForURL((url) => url.href.startsWith(issuer)), button.click()]);
  step('the button leads to the provider\'s log-in form', await page.getByLabel('Login').isVisible(), page.url());
  await page.getByLabel('Login').fill(login);
  await page.getByLabel('Password').fill(password);
  const submit = page.getByRole('button', { name: 'Sign in' });
  if (until) {
    const [request] = await Promise.all([page.waitForRequest((r) => until(r.url())), submit.click()]);
    return request.url();
  }
  await Promise.all([page.waitForURL((url) => !url.href.startsWith(issuer)), submit.click()]);
  return page.url();
}

const provider = await startProvider();
const database = await freshDatabase();
const env = {
  KIWI_OIDC_ISSUER: provider.issuer,
  KIWI_OIDC_CLIENT_ID: 'kiwi',
  KIWI_OIDC_CLIENT_SECRET: 'a client secret for the tests only',
  KIWI_OIDC_LABEL: 'Mit Stadt-Konto anmelden',
};
if (database) env.KIWI_DATABASE_URL = database;
const kiwi = await startKiwi({ env });
let browser;
try {
  await register(provider.issuer, kiwi.base, {
    sabine: { password: 'sabine-password', claims: { email: SABINE, email_verified: true, name: 'Sabine Wolf' } },
    nele: { password: 'nele-password', claims: { email: 'nele.neu@musterstadt.example', email_verified: true, name: 'Nele Neu' } },
  });
  browser = await chromium.launch({
    executablePath: BROWSER,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
    headless: true,
  });
  const context = async () => {
    // axe is injected as a script tag, which kiwi's Content-Security-Policy rightly forbids.
    const c = await browser.newContext({ locale: 'de-DE', bypassCSP: true });
    c.setDefaultTimeout(15_000);
    return c;
  };

  // 1. Signing in from kiwi's own sign-in page.
  let tab = await (await context()).newPage();
  await tab.goto(`${kiwi.base}/login`);
  await axe(tab, 'the sign-in page with single sign-on');
  await signInThroughProvider(tab, kiwi.base, provider.issuer, 'sabine', 'sabine-password');
  step('back at kiwi, signed in as the matched person',
    new URL(tab.url()).origin === kiwi.base && (await tab.getByText('Willkommen, Sabine Wolf!').count()) === 1,
    tab.url());

  // 2. The journey that starts at a tool ends at the tool.
  tab = await (await context()).newPage();
  await tab.goto(`${kiwi.base}/tools/kreativbot/open?next=/`);
  step('the way into the tool asks to sign in first', new URL(tab.url()).pathname === '/login', tab.url());
  // The tool's host name does not resolve here: the browser asking for it is the arrival
  // (the handshake on the tool's host is tests/browser/tool_journey.mjs's).
  const arrived = await signInThroughProvider(tab, kiwi.base, provider.issuer, 'sabine', 'sabine-password',
    (url) => url.startsWith(TOOL));
  step('after the provider, the browser goes on to the tool with its one-time code',
    new URL(arrived).pathname === '/.kiwi/callback' && new URL(arrived).searchParams.has('code'), arrived);

  // 3. Someone the provider knows and kiwi does not.
  tab = await (await context()).newPage();
  await tab.goto(`${kiwi.base}/login`);
  await signInThroughProvider(tab, kiwi.base, provider.issuer, 'nele', 'nele-password');
  step('someone not in kiwi is told so', (await tab.getByText('Ihr Konto ist in kiwi noch nicht angelegt.').count()) === 1, tab.url());
  await axe(tab, 'the page for people not yet in kiwi');
} finally {
  if (browser) await browser.close().catch(() => {});
  await kiwi.stop();
  provider.stop();
}
console.log(failures === 0 ? '\nsingle sign-on in Chromium: all steps passed' : `\n${failures} step(s) failed`);
process.exit(failures === 0 ? 0 : 1);
