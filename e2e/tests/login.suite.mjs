// The login page: accessibility of its normal and error states, the shared error text for
// unknown users and wrong passwords, and keyboard access to the skip link.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clickAndWaitForLoad,
  dumpProblems,
  expectAxeClean,
  expectLayout,
  loginSubmit,
  newPage,
  pathname,
  shot,
} from './helpers.mjs';

async function failedLogin(page, username, password) {
  await page.goto('/login');
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  const resp = await clickAndWaitForLoad(page, loginSubmit(page));
  return resp;
}

describe('login page', () => {
  test('renders the form, has the layout, is axe clean', async (t) => {
    const { context, page } = await newPage();
    try {
      const resp = await page.goto('/login');
      assert.equal(resp?.status(), 200);
      assert.equal(await page.locator('html').getAttribute('lang'), 'da', 'default <html lang> should be "da"');
      await expectLayout(page, 'login');
      await assert.doesNotReject(page.locator('input#username[name="username"]').waitFor(), 'no #username input');
      assert.equal(await page.locator('input#password[name="password"]').getAttribute('type'), 'password');
      assert.equal(await loginSubmit(page).count(), 1, 'no submit button in the login form');
      await shot(page, 'login');
      await expectAxeClean(page, 'login');
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });

  test('a wrong password shows an error summary that is axe clean', async (t) => {
    const { context, page } = await newPage();
    try {
      const resp = await failedLogin(page, 'panel', 'not-the-password');
      assert.ok([200, 401, 429].includes(resp?.status()), `failed login answered ${resp?.status()}`);
      assert.equal(pathname(page), '/login', 'a failed login should stay on /login');
      const summary = page.locator('.error-summary');
      await assert.doesNotReject(summary.first().waitFor({ state: 'visible', timeout: 5000 }), 'no visible .error-summary');
      assert.equal(await summary.first().getAttribute('role'), 'alert', '.error-summary should have role="alert"');
      await shot(page, 'login-error');
      await expectAxeClean(page, 'login with error');
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });

  test('an unknown user gets the same error text as a wrong password', async (t) => {
    const { context, page } = await newPage();
    try {
      await failedLogin(page, 'panel', 'also-not-the-password');
      const wrongPw = (await page.locator('.error-summary').first().textContent())?.trim().replace(/\s+/g, ' ');
      await failedLogin(page, `ingen-e2e-${Date.now()}`, 'whatever-password');
      const unknown = (await page.locator('.error-summary').first().textContent())?.trim().replace(/\s+/g, ' ');
      assert.ok(wrongPw, 'no error text for a wrong password');
      assert.equal(unknown, wrongPw, 'unknown user and wrong password must read the same');
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });
});

describe('keyboard', () => {
  test('on /login, the first Tab focuses the skip link, which is then visible', async (t) => {
    const { context, page } = await newPage();
    try {
      await page.goto('/login');
      await page.locator('body').waitFor();
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const a = document.activeElement;
        return a ? { tag: a.tagName, cls: a.className, href: a.getAttribute('href'), text: a.textContent?.trim() } : null;
      });
      assert.ok(
        await page.evaluate(() => document.activeElement?.matches('a.skip-link[href="#main"]') ?? false),
        `first Tab focused ${JSON.stringify(focused)}, not a.skip-link[href="#main"]`,
      );
      const box = await page.locator('a.skip-link').first().boundingBox();
      const vp = page.viewportSize();
      assert.ok(
        box && box.width > 1 && box.height > 1 && box.x >= 0 && box.y >= 0 && box.x < vp.width && box.y < vp.height,
        `focused skip link is not visible in the viewport (box ${JSON.stringify(box)})`,
      );
      await shot(page, 'login-skiplink-focused');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => location.hash === '#main', null, { timeout: 3000 }).catch(() => {});
      assert.equal(new URL(page.url()).hash, '#main', 'activating the skip link should go to #main');
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });
});
