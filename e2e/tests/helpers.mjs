// Shared helpers for the tilsyn end-to-end tests.
//
// One Chromium (Debian's /usr/bin/chromium, driven by playwright-core) is launched lazily
// for the whole run and closed by a root-level `after` hook; each test makes its own
// browser context, so cookies/sessions never leak between users.

import { after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

export const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
export const SHOTS = path.resolve(process.env.SHOTS || 'out');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const PASSWORD = 'demo';

/** The demo users the server seeds (`tilsyn demo`), with the full names it gives them. */
export const DEMO_USERS = [
  { username: 'admin', fullName: 'Anders Admin', role: 'admin' },
  { username: 'leder', fullName: 'Lise Holm', role: 'leader' },
  { username: 'koordinator', fullName: 'Karsten Berg', role: 'coordinator' },
  { username: 'raadgiver', fullName: 'Rikke Dam', role: 'caseworker' },
  { username: 'jurist', fullName: 'Jonas Juul', role: 'lawyer' },
  { username: 'udvalg', fullName: 'Ulla Vang', role: 'viewer' },
  { username: 'panel', fullName: 'Peter Lund', role: 'panelist' },
];

export const ADMIN_PAGES = ['/admin/units', '/admin/users', '/admin/audit'];

const AXE_PATH = require.resolve('axe-core/axe.min.js');
let axeSource; // read on first use
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

mkdirSync(SHOTS, { recursive: true });

let browserPromise = null;

export function browser() {
  if (!browserPromise) {
    browserPromise = chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }
  return browserPromise;
}

after(async () => {
  if (browserPromise) {
    const b = await browserPromise.catch(() => null);
    await b?.close();
  }
});

/**
 * A fresh context + page. The page records console errors, failed requests and uncaught
 * page errors in `page.problems` so a failing test can print them. `baseURL` defaults to the
 * server run.sh started (a test that starts its own server passes that one's).
 */
export async function newPage({ baseURL = BASE_URL } = {}) {
  const b = await browser();
  const context = await b.newContext({
    baseURL,
    viewport: { width: 1280, height: 900 },
    locale: 'da-DK',
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    // Our own axe injection under the page's CSP, and the browser's note on a 4xx main
    // document (an expected 401/403/422 page), are not the page's problems.
    if (page.injectingAxe && /Content Security Policy/.test(text)) return;
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
    page.problems.push(`console.error: ${text}`);
  });
  page.on('requestfailed', (r) =>
    page.problems.push(`requestfailed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`),
  );
  return { context, page };
}

export function pathname(page) {
  return new URL(page.url()).pathname;
}

/**
 * Click something that submits a form / follows a link and wait until the main frame has
 * loaded the resulting document (also for a POST that re-renders the same URL).
 * Returns the final main-document response (after redirects) if one was seen.
 */
export async function clickAndWaitForLoad(page, locator, { timeout = 20_000 } = {}) {
  let lastDocResponse = null;
  const onResponse = (r) => {
    if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) lastDocResponse = r;
  };
  page.on('response', onResponse);
  try {
    const navigated = page.waitForEvent('framenavigated', {
      predicate: (f) => f === page.mainFrame(),
      timeout,
    });
    await locator.click();
    await navigated;
    await page.waitForLoadState('load', { timeout });
  } finally {
    page.off('response', onResponse);
  }
  return lastDocResponse;
}

/** The login form's submit button (the page also has e.g. a language form with buttons). */
export function loginSubmit(page) {
  return page.locator('form:has(#username) button[type="submit"]').first();
}

/** Log in through the form. Returns the final response of the submit. */
export async function login(page, username, password = PASSWORD) {
  const resp = await page.goto('/login');
  assert.equal(resp?.status(), 200, `GET /login answered ${resp?.status()}`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  return clickAndWaitForLoad(page, loginSubmit(page));
}

/** Log in and insist on landing on the dashboard. */
export async function loginOk(page, username, password = PASSWORD) {
  const resp = await login(page, username, password);
  const where = pathname(page);
  if (where !== '/') {
    const summary = await page
      .locator('.error-summary')
      .first()
      .textContent({ timeout: 1000 })
      .catch(() => null);
    assert.fail(
      `login as ${username} ended on ${where} (status ${resp?.status()}) instead of /` +
        (summary ? `; error summary: ${summary.trim().replace(/\s+/g, ' ')}` : ''),
    );
  }
  return resp;
}

/** Sign out via the header form. */
export async function logout(page) {
  const button = page.locator('form[action="/logout"] button, form[action="/logout"] [type="submit"]').first();
  await clickAndWaitForLoad(page, button);
}

/** Full-page screenshot to SHOTS/<name>.png. */
export async function shot(page, name) {
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

async function injectAxe(page) {
  if (await page.evaluate(() => typeof window.axe !== 'undefined')) return;
  // A strict Content-Security-Policy (script-src 'self') blocks the inline <script> that
  // addScriptTag creates; evaluating the source through the DevTools protocol is not
  // subject to CSP, so fall back to that rather than weakening the page's policy.
  // (The browser's CSP complaint about our own injected tag is not a page problem.)
  page.injectingAxe = true;
  try {
    await page.addScriptTag({ path: AXE_PATH }).catch(() => {});
    if (await page.evaluate(() => typeof window.axe !== 'undefined')) return;
    axeSource ??= readFileSync(AXE_PATH, 'utf8');
    await page.evaluate(axeSource);
    assert.ok(
      await page.evaluate(() => typeof window.axe !== 'undefined'),
      'could not inject axe-core into the page',
    );
  } finally {
    page.injectingAxe = false;
  }
}

/** Human-readable description of axe violations (empty string when there are none). */
export function describeViolations(violations) {
  return violations
    .map((v) => {
      const n = v.nodes[0];
      const more = v.nodes.length > 1 ? ` (+${v.nodes.length - 1} more node(s))` : '';
      return [
        `  - ${v.id} [${v.impact}] ${v.help}`,
        `      ${v.helpUrl}`,
        n ? `      target: ${JSON.stringify(n.target)}${more}` : '',
        n ? `      html:   ${n.html.slice(0, 300)}` : '',
        n?.failureSummary ? `      why:    ${n.failureSummary.replace(/\s*\n\s*/g, ' | ')}` : '',
      ]
        .filter(Boolean)
        .join('\n');
    })
    .join('\n');
}

/** Run axe-core (WCAG 2.1 A/AA) on the current page and fail with details on any violation. */
export async function expectAxeClean(page, label) {
  await injectAxe(page);
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }),
    AXE_TAGS,
  );
  const v = result.violations;
  if (v.length > 0) {
    const msg = `axe: ${v.length} violation(s) on ${label} (${page.url()}):\n${describeViolations(v)}`;
    assert.fail(msg);
  }
}

/** Text of the page header (header element or role=banner). */
export async function headerText(page) {
  const header = page.locator('header, [role="banner"]').first();
  return (await header.textContent()) ?? '';
}

/** Basic layout contract every page must honour. */
export async function expectLayout(page, label) {
  const problems = [];
  if ((await page.locator('main#main').count()) !== 1) problems.push('no <main id="main">');
  const firstLinkIsSkip = await page.evaluate(() => {
    const first = document.body.querySelector(
      'a[href], button, input:not([type="hidden"]), select, textarea, [tabindex]:not([tabindex="-1"])',
    );
    return !!first && first.matches('a.skip-link[href="#main"]');
  });
  if (!firstLinkIsSkip) problems.push('first focusable element in <body> is not a.skip-link[href="#main"]');
  const lang = await page.locator('html').getAttribute('lang');
  if (!lang) problems.push('<html> has no lang attribute');
  assert.deepEqual(problems, [], `layout problems on ${label} (${page.url()}): ${problems.join('; ')}`);
}

/** Pick an <option> value of a <select> by a predicate on (value, text); falls back to the first non-empty value. */
export async function chooseOption(select, predicate) {
  const options = await select.locator('option').evaluateAll((os) =>
    os.map((o) => ({ value: o.value, text: (o.textContent || '').trim(), disabled: o.disabled })),
  );
  const usable = options.filter((o) => o.value !== '' && !o.disabled);
  const hit = usable.find((o) => predicate(o.value, o.text)) ?? usable[0];
  assert.ok(hit, `select has no usable options: ${JSON.stringify(options)}`);
  await select.selectOption(hit.value);
  return hit;
}

/** Print the page's console/network problems as a diagnostic (helps when a test fails). */
export function dumpProblems(t, page) {
  for (const p of page?.problems ?? []) t.diagnostic(p);
  if (page?.problems) page.problems.length = 0;
}

/** The button of the language form that switches to English. */
export async function englishButton(page) {
  const forms = page.locator('form[action="/language"]');
  assert.ok((await forms.count()) > 0, 'no form[action="/language"] on the page');
  const candidates = [
    forms.locator('button[name="lang"][value="en"]'),
    forms.filter({ has: page.locator('input[name="lang"][value="en"]') }).locator('button, [type="submit"]'),
    forms.locator('button', { hasText: /english/i }),
  ];
  for (const c of candidates) {
    if ((await c.count()) > 0) return c.first();
  }
  assert.fail('the language form has no button that switches to English (lang=en)');
}
