// A learning audit end to end through the pages, in Danish (issue 7). The demo holds audit
// 19.1 (five socialtilsyn × three participants, indicators 8.a, 8.b, 8.c, 9.a) where every
// participant but Peter Lund (`panel`) has prepared and the meeting has agreed on all but 9.a:
//
//  - `panel` opens the audit, tries to save a nomination without reflections (refused, every
//    problem listed), then nominates the best example for each indicator with the four
//    reflections; the board reports are offered only for 8.c;
//  - the referent (`referent`) sees 15 of 15 prepared, reads the tally for 9.a (the counts add
//    up to 15, the most chosen first), adds an attention point and writes the notes and the
//    recommendation for 9.a;
//  - the facilitator (`koordinator`) adds an action to the follow-up plan and downloads the
//    audit report: the PDF holds the new recommendation and action, and its pages are
//    rendered to PNG (pdftoppm) beside the screenshots to be looked at;
//  - the committee's reader (`udvalg`) does not get the audit at all.
//
// Every page is checked with axe-core and photographed.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  SHOTS,
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

const CODE = '19.1';
const BASE = `/learning-audits/${CODE}`;
const INDICATORS = ['8.a', '8.b', '8.c', '9.a'];
const RECOMMENDATION = 'Vurderingen af 9.a sammenholder vagtplaner med borgernes behov og siger, hvilke data den bygger på.';
const PLAN_ACTION = 'Eksempelsamling til 9.a deles med alle tilsynsførende';

const squash = (s) => (s ?? '').replace(/\s+/g, ' ').trim();
const mainText = async (page) => squash(await page.locator('main').textContent());
const idSel = (id) => `#${id.replace(/\./g, '\\.')}`;

describe('learning audit: preparation, meeting, follow-up plan and report', () => {
  test('panel: nominates the best example per indicator with the reflections', async (t) => {
    const { context, page } = await newPage();
    try {
      await loginOk(page, 'panel');
      await clickAndWaitForLoad(page, page.locator('nav.main-nav a', { hasText: 'Lærende audit' }));
      assert.equal(pathname(page), '/learning-audits');
      const rows = await page.locator('main table tbody tr').allTextContents();
      assert.equal(rows.length, 1, `Peter Lund is on one audit: ${rows.map(squash).join(' | ')}`);
      await expectAxeClean(page, '/learning-audits');
      await clickAndWaitForLoad(page, page.locator('main a', { hasText: CODE }));
      assert.equal(pathname(page), BASE);
      const overview = await mainText(page);
      for (const s of ['Socialtilsyn Nord', 'Socialtilsyn Hovedstaden', 'Peter Lund', 'Udeladt', 'Hvorfor er eksemplet særligt godt?']) {
        assert.ok(overview.includes(s), `the overview lacks "${s}"`);
      }
      // A participant does not set up the panel.
      assert.equal(await page.locator('main form[action$="/members"]').count(), 0);
      await expectLayout(page, BASE);
      await expectAxeClean(page, BASE);
      await shot(page, 'la-overview');

      await clickAndWaitForLoad(page, page.locator('nav.tabs a', { hasText: 'Min forberedelse' }));
      assert.equal(pathname(page), `${BASE}/preparation`);
      assert.match(await mainText(page), /Du har gemt 0 af 4 indikatorer/);
      // The board reports are offered for 8.c only.
      const options = async (ind) =>
        page.locator(`${idSel(`material-${ind}`)} option`).allTextContents();
      assert.ok(!(await options('8.a')).some((o) => o.includes('bestyrelse')), '8.a offers a board report');
      assert.ok((await options('8.c')).some((o) => o.includes('bestyrelse')), '8.c offers no board report');
      await expectAxeClean(page, 'preparation');

      // Refused whole: an example without the reflections.
      const form = (ind) => page.locator('main section.nomination', { has: page.locator(`input[name="indicator"][value="${ind}"]`) }).locator('form');
      await chooseOption(form('8.a').locator('select[name="material"]'), () => true);
      await clickAndWaitForLoad(page, form('8.a').locator('button[type="submit"]'));
      const errors = await page.locator('.error-summary li').allTextContents();
      assert.equal(errors.length, 4, `four unanswered questions: ${errors.map(squash).join(' | ')}`);
      assert.match(await mainText(page), /Du har gemt 0 af 4 indikatorer/);
      await expectAxeClean(page, 'preparation refused');
      await shot(page, 'la-preparation-refused');

      for (const ind of INDICATORS) {
        const f = form(ind);
        await chooseOption(f.locator('select[name="material"]'), (_, text) => text.includes('Praksisbeskrivelse, Socialtilsyn Nord') || (ind === '8.c' && text.includes('Fonden Lyngbakken')));
        await f.locator('textarea[name="excerpt"]').fill(`Afsnit om ${ind}, s. 5`);
        for (let i = 1; i <= 4; i++) {
          await f.locator(`textarea[name="answer${i}"]`).fill(`Peter Lund om ${ind}, spørgsmål ${i}: konkret og dokumenteret.`);
        }
        await clickAndWaitForLoad(page, f.locator('button[type="submit"]'));
        assert.match(await mainText(page), /Din nominering er gemt/, `saving ${ind}`);
      }
      assert.match(await mainText(page), /Du har gemt 4 af 4 indikatorer/);
      await expectAxeClean(page, 'preparation done');
      await shot(page, 'la-preparation-done');
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });

  test('referent: the tally, an attention point, notes and the recommendation for 9.a', async (t) => {
    const { context, page } = await newPage();
    try {
      await loginOk(page, 'referent');
      await page.goto(`${BASE}/meeting`);
      const text = await mainText(page);
      assert.match(text, /15 af 15 deltagere har nomineret/);
      const block = page.locator(idSel('ind-9.a'));
      const counts = (await block.locator('table.tally tbody tr td.num').allTextContents()).map((s) => Number(squash(s)));
      assert.ok(counts.length >= 2, `9.a tally: ${counts}`);
      assert.equal(counts.reduce((a, b) => a + b, 0), 15, `the 9.a tally adds up to ${counts}`);
      assert.deepEqual([...counts].sort((a, b) => b - a), counts, 'the most chosen example is not first');
      // The reflections are collated under the examples.
      assert.ok(squash(await block.locator('details').textContent()).includes('Hvorfor er eksemplet særligt godt?'));
      await expectAxeClean(page, 'meeting');
      await shot(page, 'la-meeting');

      const point = block.locator('form[action$="/points"]');
      await point.locator('input[name="heading"]').fill('Datakilder og metoder');
      await point.locator('input[name="point"]').fill('Vagtplaner indhentes sjældent før tilsynsbesøget.');
      await clickAndWaitForLoad(page, point.locator('button[type="submit"]'));
      assert.match(await mainText(page), /Opmærksomheden er tilføjet/);

      const minutes = page.locator(idSel('ind-9.a')).locator('form[action$="/minutes"]');
      await minutes.locator('textarea[name="notes"]').fill('Panelet er enigt om, at bemandingen vurderes ud fra borgernes behov, ikke ud fra normeringen alene.');
      await minutes.locator('textarea[name="recommendation"]').fill(RECOMMENDATION);
      await clickAndWaitForLoad(page, minutes.locator('button[type="submit"]'));
      assert.match(await mainText(page), /Noter og anbefaling er gemt/);
      const after = squash(await page.locator(idSel('ind-9.a')).textContent());
      assert.ok(after.includes('Vagtplaner indhentes sjældent'), 'the attention point is not shown');
      assert.equal(await page.locator(`${idSel('ind-9.a')} textarea[name="recommendation"]`).inputValue(), RECOMMENDATION);
      await expectAxeClean(page, 'meeting after minutes');
      await shot(page, 'la-meeting-9a');
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });

  test('koordinator: the follow-up plan and the audit report as PDF', async (t) => {
    const { context, page } = await newPage();
    try {
      await loginOk(page, 'koordinator');
      await page.goto(`${BASE}/follow-up`);
      const before = await page.locator('main table.action-list tbody tr').count();
      assert.equal(before, 3, 'the demo plan has three actions');
      const form = page.locator('main form[action$="/follow-up"]');
      await form.locator('textarea[name="description"]').fill(PLAN_ACTION);
      await chooseOption(form.locator('select[name="owner"]'), (_, text) => text === 'Peter Lund');
      const due = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
      await form.locator('input[name="due"]').fill(due);
      await form.locator('select[name="indicator"]').selectOption('9.a');
      await clickAndWaitForLoad(page, form.locator('button[type="submit"]'));
      const rows = await page.locator('main table.action-list tbody tr').allTextContents();
      assert.equal(rows.length, 4);
      assert.ok(rows.some((r) => squash(r).includes(PLAN_ACTION) && squash(r).includes('Anbefaling 9.a')), rows.map(squash).join(' | '));
      await expectAxeClean(page, 'follow-up plan');
      await shot(page, 'la-plan');

      const [dl] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('nav.tabs a', { hasText: 'Auditrapport (PDF)' }).click(),
      ]);
      const file = await dl.path();
      assert.ok(file, `the report download failed: ${await dl.failure()}`);
      const bytes = readFileSync(file);
      assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
      const pdf = path.join(SHOTS, 'la-report.pdf');
      writeFileSync(pdf, bytes);
      // Words typst hyphenated at a line end are joined again before searching.
      const txt = squash(execFileSync('pdftotext', [pdf, '-']).toString().replace(/[\u00AD-]\n/g, ''));
      for (const s of ['19.1', 'Socialtilsyn Midt', RECOMMENDATION.slice(0, 40), PLAN_ACTION, '9.b']) {
        assert.ok(txt.includes(squash(s)), `the report lacks "${s}"`);
      }
      execFileSync('pdftoppm', ['-png', '-r', '60', pdf, path.join(SHOTS, 'la-report-page')]);
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });

  test('udvalg: not on the panel, so the audit does not exist for her', async (t) => {
    const { context, page } = await newPage();
    try {
      await loginOk(page, 'udvalg');
      const resp = await page.goto(BASE);
      assert.equal(resp?.status(), 404);
      assert.equal(await page.locator('nav.main-nav a', { hasText: 'Lærende audit' }).count(), 0);
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });
});
