// A real OpenID provider for kiwi's single sign-on tests: oidc-provider (a certified
// implementation) on a free loopback port, with its own signing keys, a plain log-in form,
// and back-channel logout. tests/app/oidc_provider.rs starts it and configures it through
// a few test-only endpoints:
//
//   POST /_test/setup   {"clients": [client metadata], "accounts": {"login": {"password", "claims"}}}
//   POST /_test/rotate  a new signing key replaces the old one (the key id changes)
//   POST /_test/tamper  {"mode": "issuer"|"audience"|"signature"|"expired"|"nonce"}: the next
//                       ID token from the token endpoint is altered so, and re-signed (with
//                       a stranger's key for "signature")
//
// It prints one line of JSON with its issuer once it listens, then serves until killed.
//
//   (cd tests/oidc && npm ci) && node tests/oidc/provider.mjs

import http from 'node:http';
import { randomUUID } from 'node:crypto';
import * as jose from 'jose';
import Provider from 'oidc-provider';

let clients = [];
const accounts = new Map();
let keys = [await newKey()];
let tamper = null;
let provider;

async function newKey(kid = randomUUID()) {
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const jwk = await jose.exportJWK(privateKey);
  return { ...jwk, kid, alg: 'RS256', use: 'sig' };
}

async function tampered(idToken, mode) {
  const claims = jose.decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  let key = keys[0];
  switch (mode) {
    case 'issuer': claims.iss = 'http://issuer.invalid'; break;
    case 'audience': claims.aud = 'another-client'; break;
    case 'expired': claims.iat = now - 7200; claims.exp = now - 3600; break;
    case 'nonce': claims.nonce = 'not-the-nonce-kiwi-sent'; break;
    case 'signature': key = await newKey(keys[0].kid); break;
    default: throw new Error(`unknown tamper mode ${mode}`);
  }
  const signingKey = await jose.importJWK(key, 'RS256');
  return new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.kid }).sign(signingKey);
}

function build(issuer) {
  const built = new Provider(issuer, {
    clients,
    jwks: { keys },
    cookies: { keys: ['a cookie key for the test provider only'] },
    scopes: ['openid', 'email', 'profile', 'kiwi'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
      kiwi: ['personnel_number', 'org_unit', 'groups'],
    },
    // The claims of the requested scopes go into the ID token too, as Keycloak does.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    // kiwi listens on the loopback address here, which oidc-provider's guard against
    // server-side request forgery refuses for the back-channel logout: this test
    // provider calls it without the guard.
    fetch: (url, options) => {
      const { dispatcher, ...rest } = options;
      return globalThis.fetch(url, rest);
    },
    findAccount: async (ctx, id) => {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...account.claims }) };
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    // kiwi is a first-party client: no consent page.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) {
        const grant = await ctx.oidc.provider.Grant.find(grantId);
        if (grant) return grant;
      }
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile kiwi');
      await grant.save();
      return grant;
    },
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = `<!DOCTYPE html><html lang="en"><head><title>Sign out</title></head><body>
<h1>Sign out of the test provider?</h1>${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button></body></html>`;
        },
      },
    },
  });
  built.on('backchannel.error', (ctx, error) => process.stderr.write(`back-channel logout failed: ${error}\n`));
  built.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && tamper && ctx.body && ctx.body.id_token) {
      const mode = tamper;
      tamper = null;
      ctx.body = { ...ctx.body, id_token: await tampered(ctx.body.id_token, mode) };
    }
  });
  return built;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginPage(uid, error) {
  return `<!DOCTYPE html><html lang="en"><head><title>Test provider: sign in</title></head><body>
<h1>Sign in at the test provider</h1>${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="login">Login</label><input id="login" name="login" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" required>
<button type="submit">Sign in</button></form></body></html>`;
}

async function interaction(req, res, issuer) {
  const match = req.url.match(/^\/interaction\/([^/?]+)(\/login)?/);
  const uid = match[1];
  if (req.method === 'GET') {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name !== 'login') {
      // Every other prompt (consent) is granted: the grant is loaded beforehand.
      await provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(loginPage(uid));
    return;
  }
  const form = new URLSearchParams(await readBody(req));
  const login = form.get('login') || '';
  const account = accounts.get(login);
  if (!account || account.password !== form.get('password')) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(loginPage(uid, 'Wrong login or password.'));
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
}

async function control(req, res, issuer) {
  const body = req.method === 'POST' ? await readBody(req) : '';
  const input = body ? JSON.parse(body) : {};
  switch (req.url) {
    case '/_test/setup':
      clients = input.clients || [];
      accounts.clear();
      for (const [login, account] of Object.entries(input.accounts || {})) accounts.set(login, account);
      provider = build(issuer);
      break;
    case '/_test/rotate':
      keys = [await newKey()];
      provider = build(issuer);
      break;
    case '/_test/tamper':
      tamper = input.mode;
      break;
    default:
      res.writeHead(404);
      res.end();
      return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ ok: true, kid: keys[0].kid }));
}

const server = http.createServer(async (req, res) => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  try {
    if (req.url.startsWith('/_test/')) return await control(req, res, issuer);
    if (req.url.startsWith('/interaction/')) return await interaction(req, res, issuer);
    return provider.callback()(req, res);
  } catch (error) {
    process.stderr.write(`${error.stack || error}\n`);
    if (!res.headersSent) res.writeHead(500);
    res.end(String(error.message || error));
  }
});

server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  provider = build(issuer);
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
