// Switching the interface language to English.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clickAndWaitForLoad,
  dumpProblems,
  englishButton,
  expectAxeClean,
  loginOk,
  newPage,
  pathname,
  shot,
} from './helpers.mjs';

async function switchToEnglish(page) {
  assert.equal(await page.locator('html').getAttribute('lang'), 'da', 'expected Danish before switching');
  await clickAndWaitForLoad(page, await englishButton(page));
  assert.equal(await page.locator('html').getAttribute('lang'), 'en', 'after switching, <html lang> is not "en"');
}

describe('language', () => {
  test('on /login: switch to English, html[lang=en], axe clean', async (t) => {
    const { context, page } = await newPage();
    try {
      await page.goto('/login');
      await switchToEnglish(page);
      if (pathname(page) !== '/login') t.diagnostic(`after switching language the browser is on ${page.url()}, not back on /login`);
      await page.goto('/login');
      assert.equal(await page.locator('html').getAttribute('lang'), 'en', 'the English choice does not stick on the next page load');
      await shot(page, 'login-en');
      await expectAxeClean(page, 'login (English)');
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });

  test('signed in (udvalg): switch to English on the dashboard, axe clean', async (t) => {
    const { context, page } = await newPage();
    try {
      await loginOk(page, 'udvalg');
      await switchToEnglish(page);
      if (pathname(page) !== '/') t.diagnostic(`after switching language the browser is on ${page.url()}, not back on /`);
      await page.goto('/');
      assert.equal(await page.locator('html').getAttribute('lang'), 'en', 'the English choice does not stick on the next page load');
      await shot(page, 'dashboard-udvalg-en');
      await expectAxeClean(page, 'dashboard (English)');
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });
});
