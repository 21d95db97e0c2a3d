// kiwi's pages in a real headless Chromium: accessibility rules (axe-core, WCAG 2.1 A/AA),
// keyboard-only journeys with a visible focus at every stop, reflow at 320 CSS px, screenshots.
//
//   node tests/browser/run.mjs        (or `npm test` in tests/browser)
//
// Starts `kiwi demo` itself on a free loopback port with a fresh data directory, visits every
// page of the tables in pages.mjs as each role, in German and in English, and exits non-zero
// when it found a problem.
//
// Environment:
//   KIWI_BIN          the kiwi binary (default: $CARGO_TARGET_DIR/debug/kiwi, and
//                     CARGO_TARGET_DIR defaults to <repo>/target)
//   CHROMIUM_BIN      the Chromium to drive (default: /usr/bin/chromium, Debian's package)

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { startKiwi, sleep } from './kiwi.mjs';
import { PASSWORD, PEOPLE, ROLE_PAGES } from './pages.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BROWSER = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const BROWSER_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const SCREENSHOTS = path.join(HERE, 'screenshots');
const LANGUAGES = ['de', 'en'];
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 320, height: 640 };

// Everything the run finds.
const found = {
  visits: [], //          { lang, role, page, path, status }
  axe: [], //             { lang, role, page, path, rule, impact, help, helpUrl, nodes: [{ target, html, summary }] }
  reflow: [], //          { lang, role, page, path, scrollWidth, innerWidth, offenders: [{ target, html, right }] }
  focus: [], //           { lang, where, path, problem, target, html, style }
  journeys: [], //        { lang, name, ok, error }
  other: [], //           { lang, role, page, path, problem }
  review: [], //          what axe could not decide (needs a person): like `axe`, not counted
};

// ---------------------------------------------------------------------------------------------
// kiwi

// ---------------------------------------------------------------------------------------------
// Helpers installed into every page: a selector and a short snippet for an element, and what
// the focused element looks like.

function installPageHelpers() {
  const selector = (el) => {
    if (!(el instanceof Element)) return String(el);
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && e !== document.documentElement; e = e.parentElement) {
      if (e.id) {
        parts.unshift(`#${CSS.escape(e.id)}`);
        break;
      }
      let part = e.localName + [...e.classList].slice(0, 3).map((c) => `.${CSS.escape(c)}`).join('');
      const parent = e.parentElement;
      if (parent) {
        const same = [...parent.children].filter((c) => c.localName === e.localName);
        if (same.length > 1) part += `:nth-of-type(${same.indexOf(e) + 1})`;
      }
      parts.unshift(part);
    }
    return parts.join(' > ');
  };
  const snippet = (el) => {
    const html = (el.outerHTML || '').replace(/\s+/g, ' ');
    return html.length > 200 ? `${html.slice(0, 200)}…` : html;
  };
  const focus = () => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return { none: true };
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow !== '' && style.boxShadow !== 'none';
    const box = el.getBoundingClientRect();
    const onScreen =
      box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0 &&
      box.top < innerHeight && box.left < innerWidth;
    const fieldset = el.closest('fieldset');
    return {
      none: false,
      tag: el.localName,
      id: el.id,
      type: el.getAttribute('type') || '',
      href: el.getAttribute('href'),
      formAction: el.form ? el.form.getAttribute('action') : null,
      languageSwitch: !!el.closest('form.language-switch'),
      inErrorSummary: !!el.closest('.error-summary'),
      fieldset: fieldset ? [...document.querySelectorAll('fieldset')].indexOf(fieldset) : -1,
      indicator: outline || shadow,
      onScreen,
      style: `outline: ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}; box-shadow: ${style.boxShadow}`,
      target: selector(el),
      html: snippet(el),
    };
  };
  /** Whether the page needs horizontal scrolling, and the elements that stick out. */
  const reflow = () => {
    const width = window.innerWidth;
    const scrollWidth = document.documentElement.scrollWidth;
    const offenders = [];
    if (scrollWidth > width) {
      const sticksOut = (el) => el.getBoundingClientRect().right > width + 0.5;
      const contained = (el) => {
        for (let p = el.parentElement; p && p !== document.documentElement; p = p.parentElement) {
          if (getComputedStyle(p).overflowX !== 'visible') return true;
        }
        return false;
      };
      // Where it starts: the elements that stick out of a parent that does not, by parent.
      const byParent = new Map();
      for (const el of document.body.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || !sticksOut(el) || contained(el)) continue;
        if (el.parentElement && el.parentElement !== document.body && sticksOut(el.parentElement)) continue;
        if (!byParent.has(el.parentElement)) byParent.set(el.parentElement, []);
        byParent.get(el.parentElement).push(el);
      }
      for (const [parent, els] of byParent) {
        const right = Math.max(...els.map((e) => e.getBoundingClientRect().right));
        const words = els.flatMap((e) => e.textContent.split(/\s+/));
        const longest = words.reduce((a, b) => (b.length > a.length ? b : a), '');
        offenders.push({
          target: els.length > 1 ? `${selector(parent)} > * (${els.length} children)` : selector(els[0]),
          html: snippet(els.length > 1 ? parent : els[0]),
          right: Math.round(right),
          longestWord: longest.length >= 16 ? longest : '',
        });
      }
    }
    return { scrollWidth, innerWidth: width, offenders: offenders.slice(0, 10) };
  };
  Object.defineProperty(window, '__kiwiTest', { value: { selector, snippet, focus, reflow } });
}

const focusInfo = (page) => page.evaluate(() => window.__kiwiTest.focus());

async function newContext(browser, { forAxe }) {
  const context = await browser.newContext({
    viewport: DESKTOP,
    locale: 'de-DE',
    reducedMotion: 'reduce',
    // axe is injected as a script tag, which kiwi's Content-Security-Policy rightly forbids.
    bypassCSP: forAxe,
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  await context.addInitScript(installPageHelpers);
  return context;
}

/** Resolves with the response of the next document the tab shows (after any redirects). */
function nextDocument(page) {
  const response = page.waitForResponse(
    (r) =>
      r.request().isNavigationRequest() &&
      r.frame() === page.mainFrame() &&
      !(r.status() >= 300 && r.status() < 400),
    { timeout: 30_000 },
  );
  const loaded = page.waitForEvent('load', { timeout: 30_000 });
  const done = Promise.all([response, loaded]).then(([r]) => r);
  done.catch(() => {}); // whoever awaits it sees the failure; nobody else should
  return done;
}

/** Waits (briefly) until the focus is on or inside `selector`; returns what is focused. */
async function focusSettlesOn(page, selector) {
  await page
    .waitForFunction((sel) => document.activeElement?.closest(sel), selector, { timeout: 2000 })
    .catch(() => {});
  const info = await focusInfo(page);
  const ok = await page.evaluate((sel) => !!document.activeElement?.closest(sel), selector);
  return { ok, info };
}

const pathOf = (page) => {
  const url = new URL(page.url());
  return url.pathname + url.search + url.hash;
};

// ---------------------------------------------------------------------------------------------
// Visiting the pages of the tables

function tabFor(page, base, lang, role, quizAnswers) {
  return {
    page,
    lang,
    role,
    state: {},
    quizAnswers,
    goto: (p) => page.goto(base + p),
    async submit(steps) {
      const done = nextDocument(page);
      await steps(page);
      return done;
    },
    async links(p, selector) {
      await page.goto(base + p);
      return page.$$eval(selector, (links) => links.map((a) => a.getAttribute('href')));
    },
  };
}

async function signIn(page, base, email) {
  await page.goto(`${base}/login`);
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  const done = nextDocument(page);
  await page.click('main form[action="/login"] button[type="submit"]');
  const response = await done;
  if (response.status() !== 200 || new URL(page.url()).pathname !== '/') {
    throw new Error(`signing in as ${email} ended on ${pathOf(page)} (${response.status()})`);
  }
}

/** Switches to `lang` with the header's language button unless the page is in it already. */
async function ensureLanguage(page, lang) {
  if ((await page.getAttribute('html', 'lang')) === lang) return;
  const done = nextDocument(page);
  await page.click('header form.language-switch button');
  await done;
  const now = await page.getAttribute('html', 'lang');
  if (now !== lang) throw new Error(`the language button led to lang="${now}", not "${lang}"`);
}

/** Each screenshot is taken as the first role (in table order) whose table has its row. */
const screenshotOwner = new Map();
for (const [role, rows] of Object.entries(ROLE_PAGES)) {
  for (const row of rows) if (row.screenshot && !screenshotOwner.has(row.id)) screenshotOwner.set(row.id, role);
}
let pagesShown = 0;

async function checkPage(t, id, row, response, first) {
  const { page, lang, role } = t;
  const where = { lang, role, page: id, path: pathOf(page) };
  pagesShown += 1;
  const status = response ? response.status() : null;
  found.visits.push({ ...where, status });
  const notes = [];

  const expected = row.status ?? 200;
  if (status !== expected) {
    found.other.push({ ...where, problem: `HTTP status ${status}, expected ${expected}` });
    notes.push(`status ${status}≠${expected}`);
  }

  if (row.focus) {
    const { ok, info } = await focusSettlesOn(page, row.focus);
    if (!ok) {
      found.focus.push({
        ...where,
        where: `${role} ${id}`,
        problem: `after loading, the focus should be on ${row.focus} but is on ${info.none ? 'the page itself (nothing focused)' : info.target}`,
        target: info.none ? 'body' : info.target,
        html: info.none ? '' : info.html,
      });
      notes.push('focus');
    }
  }

  await page.addScriptTag({ path: AXE_SCRIPT });
  const axe = await page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
    const simple = (v) => ({
      rule: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(', '),
        html: n.html.replace(/\s+/g, ' ').slice(0, 240),
        summary: (n.failureSummary || '').replace(/\s*\n\s*/g, ' | '),
      })),
    });
    return {
      passes: result.passes.length,
      violations: result.violations.map(simple),
      incomplete: result.incomplete.map(simple),
    };
  }, AXE_TAGS);
  const { violations } = axe;
  if (axe.passes === 0 && violations.length === 0) {
    found.other.push({ ...where, problem: 'axe checked nothing on this page' });
  }
  for (const v of violations) found.axe.push({ ...where, ...v });
  for (const v of axe.incomplete) found.review.push({ ...where, ...v });
  if (violations.length) notes.push(`axe: ${violations.map((v) => v.rule).join(', ')}`);

  const shot = `${lang}-${id}`;
  const takeShots = row.screenshot && first && screenshotOwner.get(row.id) === role;
  if (takeShots) {
    await page.screenshot({ path: path.join(SCREENSHOTS, `${shot}-desktop.png`), fullPage: true });
  }

  await page.setViewportSize(PHONE);
  try {
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve())));
    const reflow = await page.evaluate(() => window.__kiwiTest.reflow());
    if (reflow.scrollWidth > reflow.innerWidth) {
      found.reflow.push({ ...where, ...reflow });
      notes.push(`needs horizontal scroll at 320px (${reflow.scrollWidth}px wide)`);
      await page.screenshot({ path: path.join(SCREENSHOTS, `reflow-${lang}-${role}-${id}-phone.png`), fullPage: true });
    }
    if (takeShots) {
      await page.screenshot({ path: path.join(SCREENSHOTS, `${shot}-phone.png`), fullPage: true });
    }
  } finally {
    await page.setViewportSize(DESKTOP);
  }

  if (row.screenshot && first) {
    const problems = await tabWalk(page, lang, `${role} ${id}`);
    if (problems) notes.push(`${problems} Tab stop(s) without a visible focus`);
  }

  console.log(`  ${notes.length ? '✘' : '✓'} ${lang} ${role.padEnd(9)} ${id.padEnd(34)} ${where.path}${notes.length ? `  — ${notes.join('; ')}` : ''}`);
}

async function visitRole(browser, base, lang, role, rows, quizAnswers) {
  const context = await newContext(browser, { forAxe: true });
  const page = await context.newPage();
  const t = tabFor(page, base, lang, role, quizAnswers);
  try {
    if (role === 'anonymous') await page.goto(`${base}/login`);
    else await signIn(page, base, PEOPLE[role]);
    await ensureLanguage(page, lang);
  } catch (error) {
    found.other.push({ lang, role, page: 'sign-in', path: pathOf(page), problem: error.message });
    await context.close();
    return;
  }
  for (const row of rows) {
    try {
      if (row.each) {
        const items = await row.each(t);
        if (items.length === 0 && !row.optional) throw new Error('found no pages to visit');
        for (const [i, item] of items.entries()) {
          try {
            const response = await t.goto(item.path);
            await checkPage(t, item.id, row, response, i === 0);
          } catch (error) {
            found.other.push({ lang, role, page: item.id, path: item.path, problem: error.message.split('\n')[0] });
            console.log(`  ✘ ${lang} ${role.padEnd(9)} ${item.id}: ${error.message.split('\n')[0]}`);
          }
        }
      } else {
        const response = row.path ? await t.goto(row.path) : await row.open(t);
        await checkPage(t, row.id, row, response, true);
      }
    } catch (error) {
      found.other.push({ lang, role, page: row.id, path: pathOf(page), problem: error.message.split('\n')[0] });
      console.log(`  ✘ ${lang} ${role.padEnd(9)} ${row.id}: ${error.message.split('\n')[0]}`);
    }
  }
  await context.close();
}

/** Tabs through the whole page once, checking the focus indicator at every stop. */
async function tabWalk(page, lang, where) {
  const k = new Keyboard(page, null, lang, where, 'tab walk');
  await page.evaluate(() => {
    document.activeElement?.blur();
    window.scrollTo(0, 0);
  });
  const seen = new Set();
  for (let i = 0; i < 200; i++) {
    const info = await k.tab();
    if (info.none) {
      if (seen.size) break;
      continue;
    }
    if (seen.has(info.target)) break;
    seen.add(info.target);
  }
  return k.problems;
}

// ---------------------------------------------------------------------------------------------
// Keyboard journeys: only page.keyboard moves through the pages; the DOM is only read.

class Keyboard {
  constructor(page, base, lang, journey, kind = 'journey') {
    Object.assign(this, { page, base, lang, journey, kind, problems: 0 });
  }

  /** Checks that the focused element shows where the focus is. */
  async check() {
    const info = await focusInfo(this.page);
    if (info.none) return info;
    const problem = !info.indicator
      ? 'no visible focus indicator (outline none or 0 wide, no box-shadow)'
      : !info.onScreen
        ? 'the focused element is not visible on screen'
        : null;
    if (problem) {
      this.problems += 1;
      const key = `${this.lang} ${this.kind} ${this.journey} ${pathOf(this.page)} ${info.target} ${problem}`;
      if (!found.focus.some((f) => f.key === key)) {
        found.focus.push({
          key,
          lang: this.lang,
          where: `${this.kind} "${this.journey}"`,
          path: pathOf(this.page),
          problem,
          target: info.target,
          html: info.html,
          style: info.style,
        });
      }
    }
    return info;
  }

  async press(key) {
    await this.page.keyboard.press(key);
    return this.check();
  }

  tab() {
    return this.press('Tab');
  }

  backTab() {
    return this.press('Shift+Tab');
  }

  /** Tabs until the focused element satisfies `wanted`. */
  async tabTo(wanted, what, limit = 80) {
    for (let i = 0; i < limit; i++) {
      const info = await this.tab();
      if (!info.none && wanted(info)) return info;
    }
    throw new Error(`no Tab stop reached ${what} within ${limit} presses on ${pathOf(this.page)}`);
  }

  /** Presses a key that submits or follows a link and waits for the next page. */
  async pressAndLoad(key) {
    const done = nextDocument(this.page);
    await this.page.keyboard.press(key);
    return done;
  }

  async type(text) {
    await this.page.keyboard.type(text);
  }

  /** Uses the header's language button when the page is not in this journey's language. */
  async ensureLanguage() {
    if ((await this.page.getAttribute('html', 'lang')) === this.lang) return;
    await this.tabTo((f) => f.languageSwitch && f.tag === 'button', 'the language button');
    await this.pressAndLoad('Enter');
    const now = await this.page.getAttribute('html', 'lang');
    expect(now === this.lang, `the language button led to lang="${now}"`);
  }

  async signIn(email, password) {
    await this.page.goto(`${this.base}/login`);
    await this.ensureLanguage();
    await this.tabTo((f) => f.id === 'email', 'the email field');
    await this.type(email);
    expect((await this.tab()).id === 'password', 'Tab from the email field does not reach the password field');
    expect((await this.backTab()).id === 'email', 'Shift+Tab from the password field does not return to the email field');
    await this.tab();
    await this.type(password);
    return this.pressAndLoad('Enter');
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

async function journeySkipLink(k) {
  await k.page.goto(`${k.base}/login`);
  await k.ensureLanguage();
  const first = await k.tab();
  expect(!first.none && first.href === '#main', `the first Tab stop is ${first.none ? 'nothing' : first.target}, not the skip link`);
  expect(first.onScreen, 'the skip link is not visible when focused');
  await k.press('Enter');
  const { ok, info } = await focusSettlesOn(k.page, 'main#main');
  expect(ok && info.id === 'main', `Enter on the skip link put the focus on ${info.none ? 'nothing' : info.target}, not <main>`);
  const next = await k.tab();
  const insideMain = await k.page.evaluate(() => !!document.activeElement?.closest('main'));
  expect(!next.none && insideMain, `after the skip link, Tab goes to ${next.none ? 'nothing' : next.target}, outside <main>`);
}

async function journeySignIn(k) {
  const response = await k.signIn(PEOPLE.employee, PASSWORD);
  expect(response.status() === 200 && new URL(k.page.url()).pathname === '/', `signing in ended on ${pathOf(k.page)} (${response.status()})`);
  await k.ensureLanguage();
}

async function journeyCourseAndModule(k) {
  const course = await k.page.getAttribute('main .course-title a', 'href');
  expect(course, 'the start page lists no course');
  await k.tabTo((f) => f.href === course, `the course link ${course}`);
  await k.pressAndLoad('Enter');
  expect(new URL(k.page.url()).pathname === course, `Enter on the course link led to ${pathOf(k.page)}`);
  const module = await k.page.getAttribute('main .module-list a', 'href');
  expect(module, 'the course page lists no module');
  await k.tabTo((f) => f.href === module, `the module link ${module}`);
  await k.pressAndLoad('Enter');
  expect(new URL(k.page.url()).pathname === module, `Enter on the module link led to ${pathOf(k.page)}`);
}

async function journeyQuiz(k) {
  await k.tabTo((f) => f.tag === 'button' && /\/attempts$/.test(f.formAction || ''), "the module's quiz button");
  await k.pressAndLoad('Enter');
  expect(new URL(k.page.url()).pathname.startsWith('/attempts/'), `the quiz button led to ${pathOf(k.page)}`);
  const questions = await k.page.locator('main form.quiz fieldset').count();
  expect(questions > 0, 'the quiz shows no questions');
  const answered = new Set();
  for (let i = 0; ; i++) {
    expect(i < 150, 'Tab never reached the quiz submit button');
    const f = await k.tab();
    if (f.none) continue;
    if (f.type === 'radio' && !answered.has(f.fieldset)) {
      await k.press('Space');
      await k.press('ArrowDown');
      answered.add(f.fieldset);
    } else if (f.type === 'checkbox' && !answered.has(f.fieldset)) {
      await k.press('Space');
      answered.add(f.fieldset);
    } else if (f.tag === 'button' && (f.formAction || '').startsWith('/attempts/')) {
      break;
    }
  }
  const open = await k.page.$$eval('main form.quiz fieldset', (sets) =>
    sets.map((s, i) => (s.querySelector('input:checked') ? null : i + 1)).filter(Boolean),
  );
  expect(open.length === 0, `questions ${open.join(', ')} are still unanswered after Space/arrow keys`);
  const response = await k.pressAndLoad('Enter');
  expect(response.status() === 200, `submitting the quiz answered ${response.status()}`);
  const { ok, info } = await focusSettlesOn(k.page, '#result');
  expect(ok && info.id === 'result', `after submitting, the focus is on ${info.none ? 'nothing' : info.target}, not #result`);
}

async function journeyFailedSignIn(k) {
  const response = await k.signIn(PEOPLE.employee, 'ein-falsches-passwort');
  expect(response.status() === 422, `a wrong password answered ${response.status()}, not 422`);
  const { ok, info } = await focusSettlesOn(k.page, '.error-summary');
  expect(ok, `after the failed sign-in the focus is on ${info.none ? 'nothing' : info.target}, not the error summary`);
  const link = await k.tab();
  expect(!link.none && link.inErrorSummary && link.href === '#email', `Tab from the error summary goes to ${link.none ? 'nothing' : link.target}, not its link to the field`);
  await k.press('Enter');
  const field = await focusSettlesOn(k.page, '#email');
  expect(field.ok, `the error summary's link put the focus on ${field.info.none ? 'nothing' : field.info.target}, not the email field`);
}

async function journeyTeam(k) {
  const response = await k.signIn(PEOPLE.manager, PASSWORD);
  expect(response.status() === 200, `the manager's sign-in answered ${response.status()}`);
  await k.ensureLanguage();
  await k.tabTo((f) => f.href === '/team', 'the "Mein Team" link');
  const team = await k.pressAndLoad('Enter');
  expect(team.status() === 200 && new URL(k.page.url()).pathname === '/team', `the team link led to ${pathOf(k.page)} (${team.status()})`);
  expect(await k.page.locator('main h1').count(), 'the team page has no heading');
}

/** Journeys in one list share a tab, one after the other. */
const JOURNEYS = [
  [['skip link', journeySkipLink]],
  [
    ['sign in', journeySignIn],
    ['course and module from the start page', journeyCourseAndModule],
    ['quiz', journeyQuiz],
  ],
  [['failed sign-in', journeyFailedSignIn]],
  [['manager opens "Mein Team"', journeyTeam]],
];

async function runJourneys(browser, base, lang) {
  for (const chain of JOURNEYS) {
    const context = await newContext(browser, { forAxe: false });
    const page = await context.newPage();
    let broken = null;
    for (const [name, journey] of chain) {
      if (broken) {
        found.journeys.push({ lang, name, ok: false, error: `not run: "${broken}" failed` });
        console.log(`  ✘ ${lang} journey: ${name} — not run`);
        continue;
      }
      const k = new Keyboard(page, base, lang, name);
      let error = null;
      try {
        await journey(k);
        if (k.problems) error = `${k.problems} Tab stop(s) without a visible focus`;
      } catch (e) {
        error = `${e.message.split('\n')[0]} (on ${pathOf(page)})`;
        broken = name;
      }
      found.journeys.push({ lang, name, ok: !error, error });
      console.log(`  ${error ? '✘' : '✓'} ${lang} journey: ${name}${error ? ` — ${error}` : ''}`);
    }
    await context.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The report

function report() {
  const lines = [];
  const say = (s = '') => lines.push(s);
  const journeysOk = found.journeys.filter((j) => j.ok).length;
  const reflowPages = found.reflow.length;
  say(
    `pages visited: ${pagesShown}, axe violations: ${found.axe.length}, ` +
      `keyboard journeys passed: ${journeysOk}/${found.journeys.length}, ` +
      `pages needing horizontal scroll at 320px: ${reflowPages}`,
  );
  say(`focus problems: ${found.focus.length}, other problems: ${found.other.length}`);

  if (found.axe.length) {
    say();
    say('Axe violations (grouped by rule and element; every page listed):');
    const rules = new Map();
    for (const v of found.axe) {
      if (!rules.has(v.rule)) rules.set(v.rule, { ...v, elements: new Map() });
      const rule = rules.get(v.rule);
      for (const n of v.nodes) {
        if (!rule.elements.has(n.target)) rule.elements.set(n.target, { ...n, pages: [] });
        rule.elements.get(n.target).pages.push(`${v.lang}/${v.role} ${v.path}`);
      }
    }
    for (const rule of rules.values()) {
      say(`- ${rule.rule} [${rule.impact}] ${rule.help} (${rule.helpUrl})`);
      for (const el of rule.elements.values()) {
        say(`    element: ${el.target}`);
        say(`      html: ${el.html}`);
        say(`      why:  ${el.summary}`);
        say(`      on ${el.pages.length} page(s): ${el.pages.join(', ')}`);
      }
    }
  }
  if (found.focus.length) {
    say();
    say('Focus problems (grouped by problem and element):');
    const groups = new Map();
    for (const f of found.focus) {
      const key = `${f.problem}\n${f.target}`;
      if (!groups.has(key)) groups.set(key, { ...f, places: [] });
      groups.get(key).places.push(`${f.lang} ${f.where} ${f.path}`);
    }
    for (const g of groups.values()) {
      say(`- ${g.problem}`);
      say(`    element: ${g.target}`);
      if (g.html) say(`      html: ${g.html}`);
      if (g.style) say(`      style: ${g.style}`);
      say(`      at ${g.places.length} place(s): ${g.places.join(', ')}`);
    }
  }
  if (reflowPages) {
    say();
    say('Pages needing horizontal scrolling at 320 CSS px:');
    const groups = new Map();
    for (const r of found.reflow) {
      const key = r.offenders.map((o) => o.target).join('\n');
      if (!groups.has(key)) groups.set(key, { offenders: r.offenders, pages: [] });
      groups.get(key).pages.push(`${r.lang}/${r.role} ${r.path} (${r.scrollWidth}px)`);
    }
    for (const g of groups.values()) {
      say(`- on ${g.pages.length} page(s): ${g.pages.join(', ')}`);
      for (const o of g.offenders) {
        say(`    sticks out (to ${o.right}px): ${o.target}`);
        say(`      html: ${o.html}`);
        if (o.longestWord) say(`      longest unbroken text: ${o.longestWord}`);
      }
    }
  }
  const failedJourneys = found.journeys.filter((j) => !j.ok);
  if (failedJourneys.length) {
    say();
    say('Keyboard journeys that failed:');
    for (const j of failedJourneys) say(`- ${j.lang} ${j.name}: ${j.error}`);
  }
  if (found.review.length) {
    say();
    say('axe could not decide these; a person should look (not counted as violations):');
    const rules = new Map();
    for (const v of found.review) {
      if (!rules.has(v.rule)) rules.set(v.rule, { ...v, elements: new Map() });
      for (const n of v.nodes) {
        const el = rules.get(v.rule).elements;
        if (!el.has(n.html)) el.set(n.html, { ...n, pages: new Set() });
        el.get(n.html).pages.add(`${v.lang}/${v.role} ${v.path}`);
      }
    }
    for (const rule of rules.values()) {
      say(`- ${rule.rule}: ${rule.help}`);
      for (const el of rule.elements.values()) {
        say(`    ${el.html} (e.g. ${el.target}) on ${el.pages.size} page(s)`);
        say(`      ${el.summary}`);
      }
    }
  }
  if (found.other.length) {
    say();
    say('Other problems (HTTP status, page steps):');
    for (const o of found.other) say(`- ${o.lang}/${o.role} ${o.page} ${o.path}: ${o.problem}`);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main() {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  for (const file of fs.readdirSync(SCREENSHOTS)) {
    if (file.endsWith('.png') || file === 'report.json') fs.rmSync(path.join(SCREENSHOTS, file));
  }
  const kiwi = await startKiwi();
  let browser = null;
  const stopOnSignal = async (signal) => {
    console.error(`\n${signal}: stopping`);
    await browser?.close().catch(() => {});
    await kiwi.stop();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, stopOnSignal);
  try {
    console.log(`kiwi demo is serving on ${kiwi.base}`);
    browser = await chromium.launch({
      executablePath: BROWSER,
      args: BROWSER_ARGS,
      headless: true,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    const quizAnswers = new Map();
    for (const lang of LANGUAGES) {
      // Each role is another person, so their tabs can run side by side.
      await Promise.all(
        Object.entries(ROLE_PAGES).map(([role, rows]) => visitRole(browser, kiwi.base, lang, role, rows, quizAnswers)),
      );
      await runJourneys(browser, kiwi.base, lang);
    }
  } finally {
    if (browser) await browser.close().catch(() => {});
    await kiwi.stop();
  }
  fs.writeFileSync(
    path.join(SCREENSHOTS, 'report.json'),
    JSON.stringify({ ...found, focus: found.focus.map(({ key, ...f }) => f) }, null, 2),
  );
  console.log();
  console.log(report());
  const failed =
    found.axe.length > 0 ||
    found.reflow.length > 0 ||
    found.journeys.some((j) => !j.ok) ||
    found.focus.length > 0 ||
    found.other.length > 0;
  process.exitCode = failed ? 1 : 0;
}

main().catch((error) => {
  console.error(error.stack || String(error));
  process.exitCode = 2;
});
