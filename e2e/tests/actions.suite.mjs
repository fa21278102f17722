// Follow-up actions (tiltag) through the pages, in Danish (issue 7):
//
//  - the demo's baseline round ("Ledelsestilsyn forår 2025") decided four actions; the one
//    `leder` owns is overdue: her dashboard says so and links to the overdue list;
//  - the next round ("Ledelsestilsyn forår 2026") shows what is to be reviewed again, and its
//    results page shows the status of last round's actions;
//  - `leder` creates an action: an empty form is refused with every problem and the text
//    kept, a filled one is stored and listed;
//  - she finishes the overdue one: without evidence it is refused, with evidence it is saved.
//
// Every page is checked with axe-core and photographed.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
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

const BASELINE = 'Ledelsestilsyn forår 2025';
const NEXT = 'Ledelsestilsyn forår 2026';
const OVERDUE_ACTION = 'Frister for den børnefaglige undersøgelse';

const squash = (s) => (s ?? '').replace(/\s+/g, ' ').trim();
const mainText = async (page) => squash(await page.locator('main').textContent());

/** The id of a round by its name, from the rounds list. */
async function roundId(page, name) {
  await page.goto('/rounds');
  const link = page.locator('main a', { hasText: name }).first();
  const href = await link.getAttribute('href');
  const m = href?.match(/^\/rounds\/([0-9a-f-]{36})$/);
  assert.ok(m, `no link to the round "${name}" on /rounds (${href})`);
  return m[1];
}

describe('actions: follow-up on what a round decided', () => {
  test('leder: the dashboard flags her overdue action and links to the overdue list', async (t) => {
    const { context, page } = await newPage();
    try {
      await loginOk(page, 'leder');
      const section = page.locator('main section', { has: page.locator('h2', { hasText: 'Tiltag' }) });
      assert.equal(await section.count(), 1, 'the dashboard has no "Tiltag" section');
      const text = squash(await section.textContent());
      assert.ok(text.includes(OVERDUE_ACTION), `the overdue action is not listed: ${text}`);
      assert.match(text, /1 tiltag har overskredet fristen/);
      await expectAxeClean(page, 'dashboard with actions');
      await shot(page, 'actions-dashboard');

      await clickAndWaitForLoad(page, section.locator('a', { hasText: 'overskredet fristen' }));
      assert.equal(pathname(page), '/actions');
      const rows = await page.locator('main table.action-list tbody tr').allTextContents();
      assert.equal(rows.length, 1, `overdue list: ${rows.map(squash).join(' | ')}`);
      assert.ok(squash(rows[0]).includes(OVERDUE_ACTION));
      assert.ok(squash(rows[0]).includes('Overskredet'));
      await expectLayout(page, '/actions?overdue=1');
      await expectAxeClean(page, '/actions?overdue=1');
      await shot(page, 'actions-overdue');
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });

  test('the next round shows what is reviewed again, and its results last round\'s actions', async (t) => {
    const { context, page } = await newPage();
    try {
      await loginOk(page, 'leder');
      const id = await roundId(page, NEXT);
      await page.goto(`/rounds/${id}`);
      const box = page.locator('main section', { has: page.locator('h2', { hasText: 'Genmåles i denne runde' }) });
      assert.equal(await box.count(), 1, 'the next round has no re-review box');
      assert.ok(squash(await box.textContent()).includes(BASELINE));
      await expectAxeClean(page, 'round page with re-review');

      await page.goto(`/rounds/${id}/results?audience=committee`);
      const fu = page.locator('main section', { has: page.locator('h2', { hasText: 'Opfølgning på tiltag' }) });
      assert.equal(await fu.count(), 1, 'the results have no follow-up section');
      const text = squash(await fu.textContent());
      for (const s of ['Udført', 'I gang', 'Opgivet', BASELINE]) {
        assert.ok(text.includes(s), `"${s}" missing in the follow-up: ${text}`);
      }
      await expectAxeClean(page, 'results with follow-up');
      await fu.screenshot({ path: `${process.env.SHOTS ?? 'out'}/actions-follow-up.png` });
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });

  test('leder creates an action: refused whole when empty, then stored', async (t) => {
    const { context, page } = await newPage();
    try {
      await loginOk(page, 'leder');
      const id = await roundId(page, NEXT);
      await page.goto(`/rounds/${id}/actions`);
      const form = page.locator(`main form[action="/rounds/${id}/actions"]`);
      assert.equal(await form.count(), 1, 'no form for a new action');
      await form.locator('#recommendation').fill('Ankestyrelsens anbefaling om børnesamtaler');
      await clickAndWaitForLoad(page, form.locator('button[type="submit"]'));
      const summary = squash(await page.locator('.error-summary').textContent());
      for (const s of ['Skriv en beskrivelse af tiltaget.', 'Vælg en ansvarlig fra listen.', 'Skriv fristen som en dato']) {
        assert.ok(summary.includes(s), `"${s}" missing: ${summary}`);
      }
      assert.equal(await page.locator('#recommendation').inputValue(), 'Ankestyrelsens anbefaling om børnesamtaler');
      await expectAxeClean(page, 'refused action form');
      await shot(page, 'actions-refused');

      await page.locator('#description').fill('Sparring om handleplaner hver måned i Team Nord');
      await chooseOption(page.locator('#owner'), (_, text) => text.includes('Koordinator') || text.includes('Karsten'));
      const due = new Date(Date.now() + 45 * 864e5).toISOString().slice(0, 10);
      await page.locator('#due').fill(due);
      await chooseOption(page.locator('#sections'), () => true);
      await clickAndWaitForLoad(page, page.locator(`main form[action="/rounds/${id}/actions"] button[type="submit"]`));
      assert.equal(pathname(page), `/rounds/${id}/actions`);
      assert.ok((await mainText(page)).includes('Tiltaget er oprettet.'));
      const rows = (await page.locator('main table.action-list tbody tr').allTextContents()).map(squash);
      assert.ok(rows.some((r) => r.includes('Sparring om handleplaner')), rows.join(' | '));
      await expectAxeClean(page, 'round actions');
      await shot(page, 'actions-round');
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });

  test('leder finishes her overdue action: evidence is required', async (t) => {
    const { context, page } = await newPage();
    try {
      await loginOk(page, 'leder');
      await page.goto('/actions?overdue=1');
      await clickAndWaitForLoad(page, page.locator('main table.action-list a', { hasText: OVERDUE_ACTION }));
      await page.locator('#status').selectOption('done');
      await clickAndWaitForLoad(page, page.locator('main form button[type="submit"]', { hasText: 'Gem status' }));
      assert.ok(
        squash(await page.locator('.error-summary').textContent()).includes('Skriv hvad der viser, at tiltaget er udført.'),
      );
      await expectAxeClean(page, 'refused status');
      await page.locator('#evidence').fill('Fristerne vises nu i opgavelisten (skærmbillede i teamets mappe)');
      await clickAndWaitForLoad(page, page.locator('main form button[type="submit"]', { hasText: 'Gem status' }));
      const text = await mainText(page);
      assert.ok(text.includes('Status er gemt.'), text);
      assert.ok(text.includes('Udført'), text);
      await expectAxeClean(page, 'action page');
      await shot(page, 'actions-done');
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });

  test('leder: the year wheel flags the year with one round and exports the milestones', async (t) => {
    const { context, page } = await newPage();
    try {
      await loginOk(page, 'leder');
      // The demo has one round in 2025 (the baseline) and two in 2026 (spring and autumn).
      let resp = await page.goto('/year-wheel?year=2025');
      assert.equal(resp?.status(), 200);
      const row = (await page.locator('main table.data tbody tr', { hasText: 'Myndighed Børn og Unge' }).textContent()) ?? '';
      assert.ok(squash(row).includes('Under anbefalingen'), `2025: ${squash(row)}`);
      await expectLayout(page, '/year-wheel 2025');
      await expectAxeClean(page, '/year-wheel 2025');
      await shot(page, 'yearwheel-2025');
      resp = await page.goto('/year-wheel?year=2026');
      const row26 = squash(await page.locator('main table.data tbody tr', { hasText: 'Myndighed Børn og Unge' }).textContent());
      assert.ok(!row26.includes('Under anbefalingen'), `2026: ${row26}`);
      assert.ok(row26.includes(NEXT), row26);
      await expectAxeClean(page, '/year-wheel 2026');
      await shot(page, 'yearwheel-2026');
      const ics = await page.request.get('/year-wheel.ics?year=2026');
      assert.equal(ics.status(), 200);
      assert.match(ics.headers()['content-type'], /^text\/calendar/);
      const text = await ics.text();
      assert.ok(text.startsWith('BEGIN:VCALENDAR'), text.slice(0, 80));
      assert.ok(text.includes('BEGIN:VEVENT'), 'no events in the calendar');
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });
});
