// Every demo user: log in through the form, see the dashboard, axe, screenshot, sign out.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_USERS,
  dumpProblems,
  expectAxeClean,
  expectLayout,
  headerText,
  loginOk,
  logout,
  newPage,
  pathname,
  shot,
} from './helpers.mjs';

for (const user of DEMO_USERS) {
  describe(`dashboard as ${user.username} (${user.role})`, () => {
    let context;
    let page;
    let loggedIn = false;

    before(async () => {
      ({ context, page } = await newPage());
    });
    after(async () => {
      await context?.close();
    });

    test('logs in through the form and lands on / with an h1 and the full name in the header', async (t) => {
      try {
        const resp = await loginOk(page, user.username);
        loggedIn = true;
        assert.equal(resp?.status(), 200, `dashboard answered ${resp?.status()}`);
        await assert.doesNotReject(page.locator('h1').first().waitFor({ state: 'visible', timeout: 5000 }), 'no visible <h1>');
        const header = await headerText(page);
        assert.ok(
          header.includes(user.fullName),
          `header should show "${user.fullName}"; it reads: ${header.trim().replace(/\s+/g, ' ').slice(0, 300)}`,
        );
        await expectLayout(page, `dashboard (${user.username})`);
        assert.ok((await page.locator('form[action="/logout"]').count()) > 0, 'no sign-out form[action="/logout"]');
      } finally {
        dumpProblems(t, page);
      }
    });

    test('dashboard is axe clean (screenshot taken)', async (t) => {
      assert.ok(loggedIn, 'not logged in (see previous step)');
      await shot(page, `dashboard-${user.username}`);
      await expectAxeClean(page, `dashboard (${user.username})`);
    });

    test('signs out via the header form and is back on /login', async (t) => {
      assert.ok(loggedIn, 'not logged in (see previous step)');
      await page.goto('/');
      await logout(page);
      assert.equal(pathname(page), '/login', `after sign-out the browser is on ${page.url()}`);
      // The session is really gone: the dashboard now sends us to the login page.
      await page.goto('/');
      assert.equal(pathname(page), '/login', `after sign-out, / shows ${page.url()} instead of redirecting to /login`);
    });
  });
}
