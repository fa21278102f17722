// Administration as `admin`: every admin page is axe clean; units, users and grants can be
// created through the forms; form errors are summarised accessibly.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_PAGES,
  chooseOption,
  clickAndWaitForLoad,
  dumpProblems,
  expectAxeClean,
  expectLayout,
  loginOk,
  newPage,
  pathname,
  shot,
} from './helpers.mjs';

const stamp = Date.now();
const UNIT_NAME = `E2E enhed ${stamp}`;
const USERNAME = `e2e${stamp}`;
const FULL_NAME = `E2E Testperson ${stamp}`;
const NEW_PASSWORD = `e2e-password-${stamp}`;
const GRANT_UNIT = 'Team Nord';

async function expectNoErrorSummary(page, what) {
  const summary = page.locator('.error-summary');
  if ((await summary.count()) > 0) {
    const text = ((await summary.first().textContent()) ?? '').trim().replace(/\s+/g, ' ');
    assert.fail(`error summary after ${what}: ${text}`);
  }
}

function slug(p) {
  return p.replace(/^\//, '').replace(/[^a-z0-9]+/gi, '-');
}

/** Elements of <main> (not form controls) whose text contains `text`. */
function contentWith(page, text) {
  return page
    .locator('main')
    .locator('li, td, th, a, summary, dt, dd, p, span, [role="treeitem"]')
    .filter({ hasText: text });
}

describe('admin', () => {
  let context;
  let page;
  let userPageUrl = null;

  before(async () => {
    ({ context, page } = await newPage());
    await loginOk(page, 'admin');
  });
  after(async () => {
    await context?.close();
  });

  for (const p of ADMIN_PAGES) {
    test(`${p} answers 200, has the layout and is axe clean`, async (t) => {
      try {
        const resp = await page.goto(p);
        assert.equal(resp?.status(), 200, `${p} answered ${resp?.status()}`);
        await expectLayout(page, p);
        await shot(page, slug(p));
        await expectAxeClean(page, p);
      } finally {
        dumpProblems(t, page);
      }
    });
  }

  test('/admin/audit has the filter form and filtering works', async (t) => {
    await page.goto('/admin/audit');
    const form = page.locator('form:has([name="action"])').first();
    const missing = [];
    for (const f of ['action', 'actor', 'outcome', 'since', 'until']) {
      if ((await form.locator(`[name="${f}"]`).count()) === 0) missing.push(f);
    }
    assert.deepEqual(missing, [], `audit filter form lacks field(s): ${missing.join(', ')}`);
    const actor = form.locator('[name="actor"]');
    if ((await actor.evaluate((e) => e.tagName)) === 'SELECT') {
      await chooseOption(actor, (v, text) => /admin/i.test(v) || /admin/i.test(text));
    } else {
      await actor.fill('admin');
    }
    const resp = await clickAndWaitForLoad(page, form.locator('button, [type="submit"]').first());
    assert.equal(resp?.status(), 200, `filtered audit log answered ${resp?.status()}`);
    assert.equal(pathname(page), '/admin/audit');
    await shot(page, 'admin-audit-filtered');
    await expectAxeClean(page, '/admin/audit (filtered)');
  });

  test('creates a unit through the form and sees it in the tree', async (t) => {
    try {
      await page.goto('/admin/units');
      const form = page.locator('form:has([name="kind"])').first();
      await chooseOption(form.locator('select[name="parent_id"]'), (v, text) => text.includes('Demo Kommune'));
      await chooseOption(form.locator('select[name="kind"]'), (v) => v === 'team');
      await form.locator('[name="name"]').fill(UNIT_NAME);
      const resp = await clickAndWaitForLoad(page, form.locator('button[type="submit"], button:not([type])').first());
      assert.ok(resp && resp.status() < 400, `creating a unit answered ${resp?.status()}`);
      await expectNoErrorSummary(page, 'creating a unit');
      await page.goto('/admin/units');
      assert.ok((await contentWith(page, UNIT_NAME).count()) > 0, `the tree does not show "${UNIT_NAME}"`);
    } finally {
      dumpProblems(t, page);
    }
  });

  test('creates a user through the form and sees it listed', async (t) => {
    try {
      await page.goto('/admin/users');
      const form = page.locator('form:has([name="full_name"])').first();
      await form.locator('[name="username"]').fill(USERNAME);
      await form.locator('[name="full_name"]').fill(FULL_NAME);
      await form.locator('[name="password"]').fill(NEW_PASSWORD);
      const resp = await clickAndWaitForLoad(page, form.locator('button[type="submit"], button:not([type])').first());
      assert.ok(resp && resp.status() < 400, `creating a user answered ${resp?.status()}`);
      await expectNoErrorSummary(page, 'creating a user');
      if (/^\/admin\/users\/[^/]+$/.test(pathname(page))) userPageUrl = pathname(page);
      await page.goto('/admin/users');
      assert.ok((await contentWith(page, USERNAME).count()) > 0, `the user list does not show "${USERNAME}"`);
      const link = page
        .locator(`main tr:has-text("${USERNAME}") a[href^="/admin/users/"], main li:has-text("${USERNAME}") a[href^="/admin/users/"], main a[href^="/admin/users/"]:has-text("${USERNAME}")`)
        .first();
      if ((await link.count()) > 0) userPageUrl = await link.getAttribute('href');
      assert.ok(userPageUrl, `no link to /admin/users/{id} for "${USERNAME}" in the list`);
    } finally {
      dumpProblems(t, page);
    }
  });

  test("the new user's page is axe clean, and a role can be granted there", async (t) => {
    assert.ok(userPageUrl, 'user was not created (see previous step)');
    try {
      const resp = await page.goto(userPageUrl);
      assert.equal(resp?.status(), 200, `${userPageUrl} answered ${resp?.status()}`);
      await expectLayout(page, userPageUrl);
      const mainText = (await page.locator('main').textContent()) ?? '';
      assert.ok(mainText.includes(USERNAME) || mainText.includes(FULL_NAME), 'the user page does not name the user');
      const toggle = page.locator('main form button', { hasText: /deaktiv|aktiv|spær|disable|enable|luk|åbn/i });
      if ((await toggle.count()) === 0) t.diagnostic('no disable/enable button recognised by its text on the user page');
      await shot(page, 'admin-user');
      await expectAxeClean(page, userPageUrl);

      const form = page.locator('form:has(select[name="role"])').first();
      await chooseOption(form.locator('select[name="role"]'), (v) => v === 'caseworker');
      const unit = await chooseOption(form.locator('select[name="unit_id"]'), (v, text) => text.includes(GRANT_UNIT));
      const unitText = unit.text.replace(/^[\s\u00a0\-–—·.|└├│]+/, '').trim();
      const r2 = await clickAndWaitForLoad(page, form.locator('button[type="submit"], button:not([type])').first());
      assert.ok(r2 && r2.status() < 400, `granting a role answered ${r2?.status()}`);
      await page.goto(userPageUrl);
      const grants = page.locator('main table').filter({ hasText: unitText });
      assert.ok((await grants.count()) > 0, `no grants table row shows "${unitText}" after granting`);
      await shot(page, 'admin-user-granted');
      await expectAxeClean(page, `${userPageUrl} (after grant)`);
    } finally {
      dumpProblems(t, page);
    }
  });

  test('an empty username gives an accessible error summary linking to the field', async (t) => {
    try {
      await page.goto('/admin/users');
      const form = page.locator('form:has([name="full_name"])').first();
      // Skip browser-side validation (e.g. `required`) so the server's answer is tested.
      await form.evaluate((f) => f.setAttribute('novalidate', ''));
      await form.locator('[name="username"]').fill('');
      await form.locator('[name="full_name"]').fill(FULL_NAME);
      await form.locator('[name="password"]').fill(NEW_PASSWORD);
      const resp = await clickAndWaitForLoad(page, form.locator('button[type="submit"], button:not([type])').first());
      t.diagnostic(`create user with empty username answered ${resp?.status()}`);
      assert.ok(resp && resp.status() < 500, `server error ${resp?.status()}`);
      const summary = page.locator('.error-summary').first();
      await assert.doesNotReject(summary.waitFor({ state: 'visible', timeout: 5000 }), 'no visible .error-summary');
      const link = summary.locator('a[href="#username"]');
      assert.equal(await link.count(), 1, 'the error summary has no a[href="#username"]');
      const input = page.locator('#username');
      assert.equal(await input.count(), 1, 'there is no element with id="username" for the summary link to point at');
      if ((await input.getAttribute('aria-invalid')) !== 'true') t.diagnostic('#username has no aria-invalid="true"');
      await shot(page, 'admin-users-error');
      await expectAxeClean(page, '/admin/users (form error)');
      await link.click();
      assert.ok(
        await page.evaluate(() => document.activeElement?.id === 'username'),
        'following the summary link does not focus #username',
      );
    } finally {
      dumpProblems(t, page);
    }
  });
});
