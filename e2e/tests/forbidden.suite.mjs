// A caseworker is refused the admin pages with a 403 that still has the full layout.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_PAGES,
  dumpProblems,
  expectAxeClean,
  expectLayout,
  headerText,
  loginOk,
  newPage,
  shot,
} from './helpers.mjs';

describe('forbidden as raadgiver', () => {
  let context;
  let page;

  before(async () => {
    ({ context, page } = await newPage());
    await loginOk(page, 'raadgiver');
  });
  after(async () => {
    await context?.close();
  });

  test('/admin/users answers 403 with an axe-clean error page in the layout', async (t) => {
    try {
      const resp = await page.goto('/admin/users');
      assert.equal(resp?.status(), 403, `/admin/users answered ${resp?.status()}`);
      await expectLayout(page, '/admin/users (403)');
      const header = await headerText(page);
      assert.ok(header.includes('Rikke Dam'), 'the 403 page header does not show the signed-in user');
      assert.ok((await page.locator('h1').count()) > 0, 'the 403 page has no <h1>');
      await shot(page, 'forbidden-admin-users');
      await expectAxeClean(page, '/admin/users (403)');
    } finally {
      dumpProblems(t, page);
    }
  });

  for (const p of ADMIN_PAGES.filter((p) => p !== '/admin/users')) {
    test(`${p} answers 403`, async () => {
      const resp = await page.goto(p);
      assert.equal(resp?.status(), 403, `${p} answered ${resp?.status()}`);
      await expectLayout(page, `${p} (403)`);
    });
  }
});
