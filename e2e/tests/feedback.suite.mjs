// Feedback around a round through the pages, in Danish (issue 7):
//
//  - the demo's baseline round ("Ledelsestilsyn forår 2025") has an information meeting and a
//    results meeting with one case as an example; `leder` records a stop-op meeting: an empty
//    form is refused with a message per field and what was typed kept, a filled one is stored;
//  - `raadgiver` (Rikke Dam, the caseworker of three of its cases) opens her feedback from the
//    dashboard, confirms reading the leader's written feedback, answers it, and agrees that a
//    second case may be used as an example;
//  - `leder` sees the answer, can no longer rewrite the feedback, is refused an example
//    without consent and adds the case Rikke agreed to.
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
const DEMO_NOTE = 'Børnesamtalen er gennemført, men ikke altid dokumenteret';
const ANSWER = 'Tak. Jeg bruger tjeklisten fra nu af; kan vi tage den op på teammødet?';
const NO_CONSENT = 'Sagen kan ikke bruges som eksempel: rådgiveren har ikke givet samtykke.';

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

/** A meeting's article on the meetings page, by the kind its heading starts with. */
const meetingOf = (page, kind) =>
  page.locator('main article.meeting', { has: page.locator('h3', { hasText: new RegExp(`^${kind}`) }) });

/** Shared between the steps: the baseline round and the case Rikke agrees to. */
const S = { id: null, agreed: null, refused: null };

describe('feedback: meetings, written feedback and consent to examples', () => {
  test('leder records a stop-op meeting: refused whole when empty, then stored', async (t) => {
    const { context, page } = await newPage();
    try {
      await loginOk(page, 'leder');
      S.id = await roundId(page, BASELINE);
      await page.goto(`/rounds/${S.id}`);
      await clickAndWaitForLoad(page, page.locator('main a', { hasText: 'Møder og tilbagemelding' }));
      assert.equal(pathname(page), `/rounds/${S.id}/meetings`);
      const text = await mainText(page);
      for (const s of ['Informationsmøde', 'Resultatmøde', '16-02-2025', 'Sager brugt som eksempler']) {
        assert.ok(text.includes(s), `"${s}" missing on the meetings page: ${text.slice(0, 400)}`);
      }
      assert.equal(await page.locator('main ul.examples li').count(), 1, 'the demo example is not listed');
      const rows = (await page.locator('main table.note-overview tbody tr').allTextContents()).map(squash);
      const rikke = rows.find((r) => r.includes('Rikke Dam'));
      assert.ok(rikke?.includes('Skrevet, ikke læst'), `the overview: ${rows.join(' | ')}`);
      await expectLayout(page, 'meetings');
      await expectAxeClean(page, 'meetings');

      const form = page.locator(`main form[action="/rounds/${S.id}/meetings"]`);
      assert.equal(await form.count(), 1, 'no form for a new meeting');
      await form.locator('#participants').fill('Lise Holm\nKarsten Berg');
      await clickAndWaitForLoad(page, form.locator('button[type="submit"]'));
      const summary = (await page.locator('.error-summary li').allTextContents()).map(squash);
      assert.deepEqual(summary, [
        'Vælg mødetypen fra listen.',
        'Skriv datoen for mødet.',
        'Skriv mødets hovedpunkter.',
      ]);
      assert.equal(await page.locator('#participants').inputValue(), 'Lise Holm\nKarsten Berg');
      assert.equal(await page.locator('#kind').getAttribute('aria-invalid'), 'true');
      await expectAxeClean(page, 'refused meeting form');
      await shot(page, 'feedback-meeting-refused');

      await page.locator('#kind').selectOption('stop_op');
      await page.locator('#held_on').fill('2025-04-27');
      await page.locator('#key_points').fill('Niveauerne var uenige om fristerne i tre sager.\nKriterierne for spørgsmål 2.3 præciseres.');
      await clickAndWaitForLoad(page, page.locator(`main form[action="/rounds/${S.id}/meetings"] button[type="submit"]`));
      assert.equal(pathname(page), `/rounds/${S.id}/meetings`);
      const after = await mainText(page);
      assert.ok(after.includes('Mødet er registreret.'), after.slice(0, 300));
      const stop = meetingOf(page, 'Stop op-møde');
      assert.equal(await stop.count(), 1, 'the stop-op meeting is not listed');
      assert.ok(squash(await stop.textContent()).includes('Kriterierne for spørgsmål 2.3 præciseres.'));
      await expectAxeClean(page, 'meetings after recording');
      await shot(page, 'feedback-meetings');
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });

  test('raadgiver reads, acknowledges and answers her feedback and agrees to an example', async (t) => {
    assert.ok(S.id, 'the baseline round was not found (see the first step)');
    const { context, page } = await newPage();
    try {
      await loginOk(page, 'raadgiver');
      await clickAndWaitForLoad(page, page.locator('main a', { hasText: `Tilbagemelding: ${BASELINE}` }));
      assert.equal(pathname(page), `/rounds/${S.id}/feedback`);
      const note = page.locator('main section#note');
      assert.ok(squash(await note.textContent()).includes(DEMO_NOTE), 'the demo feedback is not shown');
      await expectLayout(page, 'own feedback');
      await expectAxeClean(page, 'own feedback');
      await shot(page, 'feedback-own');

      await clickAndWaitForLoad(page, note.locator('button', { hasText: 'Jeg har læst tilbagemeldingen' }));
      assert.ok((await mainText(page)).includes('Du har kvitteret for at have læst tilbagemeldingen.'));
      assert.equal(await page.locator('main button', { hasText: 'Jeg har læst tilbagemeldingen' }).count(), 0);

      await clickAndWaitForLoad(page, page.locator('main section#note button', { hasText: 'Gem svar' }));
      const summary = squash(await page.locator('.error-summary').textContent());
      assert.ok(summary.includes('Skriv dit svar.'), summary);
      assert.equal(await page.locator('#answer').getAttribute('aria-invalid'), 'true');
      await expectAxeClean(page, 'refused answer');
      await page.locator('#answer').fill(ANSWER);
      await clickAndWaitForLoad(page, page.locator('main section#note button', { hasText: 'Gem svar' }));
      const text = await mainText(page);
      assert.ok(text.includes('Dit svar er gemt.'), text.slice(0, 300));
      assert.ok(text.includes(ANSWER));

      // Her cases: the demo's consent stands for the first; she agrees for the next one.
      const rows = page.locator('main table.consents tbody tr');
      assert.equal(await rows.count(), 3, 'she has three cases in the round');
      assert.ok(squash(await rows.nth(0).textContent()).includes('Givet'));
      S.agreed = squash(await rows.nth(1).locator('th').textContent());
      S.refused = squash(await rows.nth(2).locator('th').textContent());
      await clickAndWaitForLoad(page, rows.nth(1).locator('button', { hasText: 'Giv samtykke' }));
      assert.ok((await mainText(page)).includes('Dit samtykke er registreret.'));
      const row = page.locator('main table.consents tbody tr', { hasText: S.agreed });
      assert.ok(squash(await row.textContent()).includes('Givet'));
      await expectAxeClean(page, 'own feedback after consent');
      await shot(page, 'feedback-own-answered');
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });

  test('leder reads the answer, cannot rewrite, and adds only the example agreed to', async (t) => {
    assert.ok(S.agreed && S.refused, 'no case was agreed to (see the previous step)');
    const { context, page } = await newPage();
    try {
      await loginOk(page, 'leder');
      await page.goto(`/rounds/${S.id}/meetings`);
      const rows = (await page.locator('main table.note-overview tbody tr').allTextContents()).map(squash);
      const rikke = rows.find((r) => r.includes('Rikke Dam'));
      assert.ok(rikke?.includes('Besvaret'), `the overview: ${rows.join(' | ')}`);
      await clickAndWaitForLoad(page, page.locator('main table.note-overview a', { hasText: /raadgiver/i }));
      assert.equal(pathname(page), `/rounds/${S.id}/feedback`);
      const note = squash(await page.locator('main section#note').textContent());
      assert.ok(note.includes(ANSWER), note);
      assert.ok(note.includes('den kan ikke ændres'), note);
      assert.equal(await page.locator('main textarea#body').count(), 0, 'the read feedback can still be edited');
      await expectAxeClean(page, "leader's view of the feedback");
      await shot(page, 'feedback-leader-view');

      await page.goto(`/rounds/${S.id}/meetings`);
      const results = () => meetingOf(page, 'Resultatmøde');
      await chooseOption(results().locator('select[name="case"]'), (v) => v === S.refused);
      await clickAndWaitForLoad(page, results().locator('button', { hasText: 'Tilføj eksempel' }));
      const summary = squash(await page.locator('.error-summary').textContent());
      assert.ok(summary.includes(NO_CONSENT), summary);
      assert.equal(await results().locator('select[name="case"]').getAttribute('aria-invalid'), 'true');
      await expectAxeClean(page, 'refused example');
      await shot(page, 'feedback-example-refused');

      await chooseOption(results().locator('select[name="case"]'), (v) => v === S.agreed);
      await results().locator('input[name="note"]').fill('Mål i handleplanen formuleret sammen med barnet');
      await clickAndWaitForLoad(page, results().locator('button', { hasText: 'Tilføj eksempel' }));
      assert.ok((await mainText(page)).includes('Sagen er tilføjet som eksempel.'));
      const examples = (await results().locator('ul.examples li').allTextContents()).map(squash);
      assert.equal(examples.length, 2, examples.join(' | '));
      assert.ok(examples.some((e) => e.startsWith(S.agreed)), examples.join(' | '));
      await expectAxeClean(page, 'meetings with the new example');
      await shot(page, 'feedback-examples');
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });
});
