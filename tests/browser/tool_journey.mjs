// The way into an AI tool on its own host name, in a real headless Chromium, through a real
// nginx and a real Caddy, each configured with the README's blocks: kiwi at https://kiwi.stadt.example and the
// Kreativbot at https://kreativbot.stadt.example, both resolved to this machine
// (--host-resolver-rules), over TLS with a certificate made for the run.
//
//   node tests/browser/tool_journey.mjs
//
// Walks the journey of the README for a certified person (signed in and back at the exact
// URL, straight in later, signing out closes the tool) and for one who may not use the tool
// yet (kiwi's page of the tool says what is missing; once done, "open" leads to the tool),
// with a stand-in tool behind each proxy; then with the reference tool, a real Open WebUI
// (tests/tools/open-webui.sh installs it once, outside the clone) behind nginx: signed in
// there as themselves, never reached by someone not entitled, closed by a revocation.
//
// Environment: KIWI_BIN and CHROMIUM_BIN as for run.mjs; KIWI_DATABASE_URL to run kiwi on
// PostgreSQL (a database of its own is created there and dropped afterwards).

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';

import { freePort, REPO, sleep, startKiwi } from './kiwi.mjs';
import { PASSWORD, PEOPLE } from './pages.mjs';

const BROWSER = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const KIWI_HOST = 'kiwi.stadt.example';
const TOOL_HOST = 'kreativbot.stadt.example';

const results = [];

function step(name, ok, detail = '') {
  results.push({ name, ok, detail });
  console.log(`  ${ok ? '✓' : '✘'} ${name}${ok || !detail ? '' : ` — ${detail}`}`);
}

/** The fenced block after `<!-- marker -->` in the README. */
function readmeBlock(marker) {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const after = readme.split(`<!-- ${marker} -->`)[1];
  if (!after) throw new Error(`the README has no block marked ${marker}`);
  return after.split('```')[1].split('\n').slice(1).join('\n');
}

/** The stand-in Kreativbot: a page saying whom the proxy named, and which cookies came. */
function startStandIn(port) {
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(req.headers['x-kiwi-name'] || '');
    const email = req.headers['x-kiwi-user'] || '';
    const cookies = req.headers.cookie || '';
    const escape = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Kreativbot-BS</title></head>
<body><main><h1>Kreativbot-BS</h1>
<p id="who">Angemeldet als <span id="name">${escape(name)}</span> (<span id="email">${escape(email)}</span>)</p>
<p id="path">${escape(req.url)}</p>
<p id="cookies">${escape(cookies)}</p>
<p><a id="sign-out" href="/.kiwi/sign-out">Abmelden</a></p></main></body></html>`);
  });
  server.listen(port, '127.0.0.1');
  return server;
}

function startNginx(dir, port, kiwiPort, toolPort) {
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=stadt.example',
    '-addext', `subjectAltName=DNS:${KIWI_HOST},DNS:${TOOL_HOST}`,
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  const adapt = (block) =>
    block
      .replaceAll('listen 443 ssl;', `listen 127.0.0.1:${port} ssl;`)
      .replaceAll('127.0.0.1:8080', `127.0.0.1:${kiwiPort}`)
      .replaceAll('127.0.0.1:3000', `127.0.0.1:${toolPort}`)
      .replaceAll(/\/etc\/ssl\/[a-z.]+\.pem/g, path.join(dir, 'cert.pem'))
      .replaceAll(/\/etc\/ssl\/[a-z.]+\.key/g, path.join(dir, 'key.pem'));
  const conf = `
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path ${dir}/body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
${adapt(readmeBlock('kiwi:nginx'))}
${adapt(readmeBlock('tool-host:nginx'))}
}
`;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  return spawn('/usr/sbin/nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'inherit'] });
}

function startCaddy(dir, port, kiwiPort, toolPort) {
  const sites = readmeBlock('tool-host:caddy')
    .replaceAll('127.0.0.1:8080', `127.0.0.1:${kiwiPort}`)
    .replaceAll('127.0.0.1:3000', `127.0.0.1:${toolPort}`);
  // Test-only global options: no admin API, certificates from Caddy's local CA (no ACME, no
  // network), no port 80, state in the run's directory.
  const caddyfile = `{
    admin off
    https_port ${port}
    auto_https disable_redirects
    local_certs
    skip_install_trust
    storage file_system ${path.join(dir, 'caddy')}
}

${sites}
`;
  fs.writeFileSync(path.join(dir, 'Caddyfile'), caddyfile);
  return spawn('/usr/bin/caddy', ['run', '--adapter', 'caddyfile', '--config', path.join(dir, 'Caddyfile')], {
    stdio: 'ignore',
    env: { ...process.env, HOME: dir, XDG_DATA_HOME: path.join(dir, 'data'), XDG_CONFIG_HOME: path.join(dir, 'config') },
  });
}

/** Open WebUI behind nginx: never reached unentitled, signed in as themselves, closed by a revocation. */
async function openWebUiJourney(browser, tool, kiwiBase, proxyPort) {
  const kiwiHost = `${KIWI_HOST}:${proxyPort}`;
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'de-DE' });
  const page = await context.newPage();
  await page.goto(`${tool}/`);
  await signIn(page, 'friedrich.krueger@musterstadt.example');
  let here = new URL(page.url());
  step('Open WebUI: someone not entitled never reaches it', here.host === kiwiHost && here.pathname === '/tools/kreativbot', page.url());
  await follow(page, 'main .missing a');
  await follow(page, 'main form[action="/policy/acknowledge"] button');
  const signedIn = page.waitForResponse((r) => r.url().endsWith('/api/v1/auths/signin'), { timeout: 120_000 });
  await follow(page, 'main a.button');
  const answer = await (await signedIn).json().catch(() => ({}));
  step(
    'Open WebUI: signed in as themselves, the name with its umlaut intact',
    answer.email === 'friedrich.krueger@musterstadt.example' && answer.name === 'Friedrich Krüger',
    JSON.stringify(answer),
  );
  const greeting = await page
    .getByRole('heading', { name: /Friedrich Krüger/ })
    .first()
    .waitFor({ timeout: 60_000 })
    .then(() => true, () => false);
  step('Open WebUI: its start page greets them by name', greeting);

  // HR revokes his certificate; Open WebUI closes on its next request.
  const hr = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'de-DE' });
  const hrPage = await hr.newPage();
  const mine = await context.newPage();
  await mine.goto(`${kiwiBase}/certificates`);
  const serial = (await mine.textContent('main table code'))?.trim();
  await mine.close();
  await hrPage.goto(`${kiwiBase}/login`);
  await signIn(hrPage, PEOPLE.hr);
  await hrPage.goto(`${kiwiBase}/hr/certificates/revoke`);
  await hrPage.fill('#serial', serial || '');
  await hrPage.fill('#reason', 'Test: Widerruf im Browser');
  // The form answers on its own address.
  await Promise.all([hrPage.waitForNavigation(), hrPage.click('main form button[type=submit]')]);
  const revoked = (await hrPage.textContent('main')) || '';
  step('Open WebUI: HR revokes the certificate', revoked.includes(serial || '?'), revoked.slice(0, 200));
  await hr.close();
  await page.goto(`${tool}/`);
  here = new URL(page.url());
  step('Open WebUI: a revocation closes it on the next request', here.host === kiwiHost && here.pathname === '/tools/kreativbot', page.url());
  // With every cookie the browser holds (kiwi's on the tool's host and Open WebUI's own token).
  const cookies = (await context.cookies(tool)).map((c) => `${c.name}=${c.value}`).join('; ');
  const api = await new Promise((resolve, reject) => {
    const request = https.get(
      {
        host: '127.0.0.1',
        port: proxyPort,
        servername: TOOL_HOST,
        path: '/api/v1/auths/',
        headers: { host: `${TOOL_HOST}:${proxyPort}`, cookie: cookies },
        rejectUnauthorized: false,
      },
      (response) => {
        response.resume();
        resolve({ status: response.statusCode, location: response.headers.location || '' });
      },
    );
    request.on('error', reject);
  });
  step(
    'Open WebUI: its API is closed too, whatever token it issued',
    cookies.includes('token=') && api.status === 302 && api.location.startsWith(kiwiBase),
    `${api.status} ${api.location}`,
  );
  await context.close();
}

/** A fresh PostgreSQL database next to the one in KIWI_DATABASE_URL, or none for SQLite. */
function freshDatabase() {
  const server = process.env.KIWI_DATABASE_URL;
  if (!server) return null;
  const name = `kiwi_journey_${process.pid}`;
  const admin = server.replace(/\/[^/]*$/, '/postgres');
  execFileSync('psql', [admin, '-qc', `DROP DATABASE IF EXISTS ${name}`]);
  execFileSync('psql', [admin, '-qc', `CREATE DATABASE ${name}`]);
  return { url: server.replace(/\/[^/]*$/, `/${name}`), drop: () => execFileSync('psql', [admin, '-qc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]) };
}

async function signIn(page, email) {
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.click('main form button[type=submit]');
  await page.waitForURL((url) => url.pathname !== '/login', { waitUntil: 'load' });
}

/** Clicks and waits for the page the click leads to (through every redirect). */
async function follow(page, selector) {
  const before = page.url();
  await page.click(selector);
  await page.waitForURL((url) => url.href !== before, { waitUntil: 'load' });
}

async function main() {
  for (const proxy of ['nginx', 'caddy']) await journeyThrough(proxy);
  await journeyThrough('nginx', { openWebUi: true });
  const failed = results.filter((r) => !r.ok);
  console.log(`tool journey: ${results.length - failed.length}/${results.length} steps`);
  process.exitCode = failed.length ? 1 : 0;
}

/** Open WebUI on `port` with its data in `dir`; resolves once it answers /health. */
async function startOpenWebUi(port, dir) {
  const script = path.join(REPO, 'tests', 'tools', 'open-webui.sh');
  const child = spawn(script, ['run', String(port), path.join(dir, 'open-webui')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk) => {
    log = (log + chunk).slice(-4000);
  });
  let exited = null;
  child.on('exit', (code) => {
    exited = code;
  });
  // It starts in about 8 s of CPU time; on a busy machine the wall clock is longer.
  const deadline = Date.now() + 240_000;
  for (;;) {
    if (exited !== null) throw new Error(`Open WebUI stopped (exit ${exited}):\n${log}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return child;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`Open WebUI did not answer /health within 240 s:\n${log}`);
    }
    await sleep(500);
  }
}

async function journeyThrough(proxyName, { openWebUi = false } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiwi-journey-'));
  const [proxyPort, kiwiPort, toolPort] = [await freePort(), await freePort(), await freePort()];
  const tool = `https://${TOOL_HOST}:${proxyPort}`;
  const kiwiBase = `https://${KIWI_HOST}:${proxyPort}`;
  // The Kreativbot of the demo, at its own host name; it needs the prompting course and the
  // policy here, so that the demo's Anna (prompting only) lacks just the policy.
  const tools = fs
    .readFileSync(path.join(REPO, 'tools.toml'), 'utf8')
    .replace('url = "https://kreativbot.stadt.example"', `url = "${tool}"`)
    .replace('requires_courses = ["prompting", "datenschutz"]', 'requires_courses = ["prompting"]');
  fs.writeFileSync(path.join(dir, 'tools.toml'), tools);
  const database = freshDatabase();
  const env = { KIWI_BASE_URL: kiwiBase, KIWI_TOOLS_FILE: path.join(dir, 'tools.toml') };
  if (database) env.KIWI_DATABASE_URL = database.url;
  console.log(`tool journey on ${database ? 'PostgreSQL' : 'SQLite'} through ${proxyName}${openWebUi ? ' to Open WebUI' : ''}`);

  const standIn = openWebUi ? await startOpenWebUi(toolPort, dir) : startStandIn(toolPort);
  const kiwi = await startKiwi({ env, port: kiwiPort });
  const proxy = (proxyName === 'nginx' ? startNginx : startCaddy)(dir, proxyPort, kiwiPort, toolPort);
  let browser = null;
  try {
    for (let i = 0; i < 100; i++) {
      try {
        await new Promise((resolve, reject) => {
          const socket = net.connect(proxyPort, '127.0.0.1', () => {
            socket.end();
            resolve();
          });
          socket.on('error', reject);
        });
        break;
      } catch {
        await sleep(50);
      }
    }
    browser = await chromium.launch({
      executablePath: BROWSER,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        `--host-resolver-rules=MAP ${KIWI_HOST} 127.0.0.1, MAP ${TOOL_HOST} 127.0.0.1`,
        '--ignore-certificate-errors',
      ],
    });

    if (openWebUi) {
      await openWebUiJourney(browser, tool, kiwiBase, proxyPort);
    } else {
    // A certified person (the demo's department head Sabine Wolf).
    {
      const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'de-DE' });
      const page = await context.newPage();
      const wanted = `${tool}/chat/42?modell=a&x=1`;
      await page.goto(wanted);
      const atSignIn = new URL(page.url());
      step('1. the tool, unsigned, leads to kiwi\'s sign-in', atSignIn.host === `${KIWI_HOST}:${proxyPort}` && atSignIn.pathname === '/login', page.url());
      await signIn(page, PEOPLE.manager);
      step('2. after signing in, back at the exact URL of the tool', page.url() === wanted, page.url());
      const name = await page.textContent('#name').catch(() => '');
      step('2. the tool is told who the person is', name === 'Sabine Wolf', name);
      const cookies = await page.textContent('#cookies').catch(() => '?');
      step('2. no kiwi cookie reaches the tool', !cookies.includes('kiwi'), cookies);
      await page.goto(`${tool}/verlauf`);
      step('3. later visits go straight in', page.url() === `${tool}/verlauf` && (await page.textContent('#name')) === 'Sabine Wolf', page.url());
      // 5. Signing out of kiwi closes the tool.
      await page.goto(`${kiwiBase}/`);
      await follow(page, 'form.sign-out button');
      await page.goto(`${tool}/verlauf`);
      step('5. signing out of kiwi closes the tool', new URL(page.url()).pathname === '/login', page.url());
      // The tool's own sign-out link: closes the tool, and kiwi asks before signing out.
      await signIn(page, PEOPLE.manager);
      await follow(page, '#sign-out');
      const asked = new URL(page.url());
      step("the tool's sign-out link asks on kiwi", asked.host === `${KIWI_HOST}:${proxyPort}` && asked.pathname === '/logout', page.url());
      await context.close();
    }

    // A person who may not use the tool yet (the demo's Friedrich Krüger: the prompting
    // course, not the policy).
    {
      const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'de-DE' });
      const page = await context.newPage();
      const wanted = `${tool}/entwurf?thema=Bürgerbrief`;
      await page.goto(wanted);
      await signIn(page, 'friedrich.krueger@musterstadt.example');
      const here = new URL(page.url());
      step("4. he lands on kiwi's page of the tool", here.host === `${KIWI_HOST}:${proxyPort}` && here.pathname === '/tools/kreativbot', page.url());
      const missing = await page.textContent('main .missing').catch(() => '');
      step('4. it says exactly what is missing', /Nutzungsregeln/.test(missing) && !/Kurs/.test(missing), missing.trim());
      await follow(page, 'main .missing a');
      await follow(page, 'main form[action="/policy/acknowledge"] button');
      step('4. after acknowledging, back on the page of the tool', new URL(page.url()).pathname === '/tools/kreativbot', page.url());
      await follow(page, 'main a.button');
      step('4. "open" takes him to where he wanted, his name with its umlaut intact', decodeURI(page.url()) === decodeURI(new URL(wanted).href) && (await page.textContent('#name')) === 'Friedrich Krüger', page.url());
      await context.close();
    }
    }
  } finally {
    if (browser) await browser.close().catch(() => {});
    proxy.kill('SIGTERM');
    if (openWebUi) standIn.kill('SIGTERM');
    else standIn.close();
    await kiwi.stop();
    if (database) database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error.stack || String(error));
  process.exitCode = 2;
});
