// Rounds (tilsynsrunder) and reviews (gennemgange) through the pages, in Danish:
//
//  - `leder` plans a thematic round, first too small (the plan check recommends 20 cases),
//    then 30 → 15; draws a sample of 30 with 15 on level 2 on /samples/new, attaches it,
//    assigns level 1 (to the leaders/coordinators over the cases) and level 2 (to the lawyer)
//    automatically and starts the review;
//  - a level-1 review is answered with autosave (kept over a reload), refused when submitted
//    incomplete (error summary linking the missing questions), completed and submitted;
//  - `jurist` reviews the same case on level 2 blind (level 1's answers stay hidden until
//    every level has submitted), answers one question differently and submits;
//  - `leder` sees the two answers side by side on the case page and records an agreed answer;
//  - one review done with the keyboard only; blinding per role; two tabs saving the same
//    question (conflict, not a silent overwrite); and a server killed with SIGKILL between an
//    autosave and the submit (a server of the test's own on its own database).
//
// The demo may seed rounds of its own (e.g. "Ledelsestilsyn forår 2026"); this suite finds
// its round and reviews by the unique name it gives its round and never counts on the rest.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  clickAndWaitForLoad,
  dumpProblems,
  englishButton,
  expectAxeClean,
  expectLayout,
  loginOk,
  newPage,
  pathname,
  shot,
} from './helpers.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** A suffix that keeps this run's rounds apart from the demo's and from earlier runs. */
const RUN = `${Date.now().toString(36).slice(-5)}`;
const ROUND_NAME = `E2E tematisk runde ${RUN}`;
/** The published template the round uses: 8–9 questions, each "I lav/nogen/høj grad". */
const TEMPLATE = /inddragelse og børnesamtale/;
const THEME = 'Inddragelse og børnesamtale';
const LABEL = { lav: 'I lav grad', nogen: 'I nogen grad', hoej: 'I høj grad' };
const L1_REMARK = `E2E niveau 1 bemærkning ${RUN}`;
const AGREED_NOTE = `E2E afstemt efter drøftelse ${RUN}`;
const BLINDED = 'Svarene på dette niveau vises først, når alle niveauer har afleveret sagen.';
const WAITING = 'Sammenligningen vises, når alle niveauer har afleveret sagen.';
const NAMES = { leder: 'Lise Holm', koordinator: 'Karsten Berg', jurist: 'Jonas Juul' };
/** The units under leder's (and koordinator's) grant on "Myndighed Børn og Unge". */
const MY_TEAMS = ['Team Nord', 'Team Syd'];
const USER_OF = Object.fromEntries(Object.entries(NAMES).map(([u, n]) => [n, u]));

const squash = (s) => (s ?? '').replace(/\s+/g, ' ').trim();
const mainText = async (page) => squash(await page.locator('main').textContent());

// ------------------------------------------------------------------------------ page helpers

/** Fill the plan form (/rounds/new or /rounds/{id}/plan) and submit it; returns the response. */
async function submitPlan(page, { name, kind, template, sizes, themes, group }) {
  if (name !== undefined) await page.locator('#name').fill(name);
  if (kind !== undefined) await page.locator(`input[name="kind"][value="${kind}"]`).check();
  if (template !== undefined) {
    const select = page.locator('#template_version');
    const options = await select.locator('option').evaluateAll((os) =>
      os.map((o) => ({ value: o.value, text: (o.textContent || '').trim() })),
    );
    const hit = options.find((o) => o.value && template.test(o.text));
    assert.ok(hit, `no published template matches ${template}: ${options.map((o) => o.text).join(' | ')}`);
    await select.selectOption(hit.value);
  }
  if (sizes !== undefined) {
    for (const [i, n] of [0, 1, 2].map((i) => [i, sizes[i] ?? ''])) {
      await page.locator(`input[name="size${i + 1}"]`).fill(String(n));
    }
  }
  if (themes !== undefined) await page.locator('#themes').fill(themes);
  if (group !== undefined) {
    for (const box of await page.locator('input[name="group"]').all()) {
      const label = squash(await box.locator('xpath=..').textContent());
      if (group.some((g) => label.startsWith(g))) await box.check();
      else await box.uncheck();
    }
  }
  return clickAndWaitForLoad(page, page.locator('main form.plan-form button[type="submit"]'));
}

/** Draw a sample on /samples/new (the user's units, the proposed frame); returns its id. */
async function drawSample(page, size, level2 = '') {
  const resp = await page.goto('/samples/new');
  assert.equal(resp?.status(), 200, `/samples/new answered ${resp?.status()}`);
  await page.locator('#size').fill(String(size));
  await page.locator('#level2').fill(String(level2));
  const drawn = await clickAndWaitForLoad(
    page,
    page.locator('main form button[type="submit"]', { hasText: 'Træk stikprøven' }),
  );
  assert.equal(drawn?.status(), 200, `drawing the sample answered ${drawn?.status()}`);
  const m = pathname(page).match(/^\/samples\/([0-9a-f-]{36})$/);
  assert.ok(m, `drawing the sample led to ${page.url()}`);
  return m[1];
}

/** Attach a sample on the round page (it must be a draft). */
async function attachSample(page, roundId, sampleId) {
  await page.goto(`/rounds/${roundId}`);
  const select = page.locator('#sample');
  assert.equal(await select.count(), 1, 'the draft round has no sample select');
  const values = await select.locator('option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(values.includes(sampleId), `the sample select does not offer the sample just drawn (${sampleId})`);
  await select.selectOption(sampleId);
  const resp = await clickAndWaitForLoad(page, page.locator('main button', { hasText: 'Brug stikprøven' }));
  assert.equal(resp?.status(), 200, `attaching the sample answered ${resp?.status()}`);
  assert.equal(pathname(page), `/rounds/${roundId}`);
  assert.equal(new URL(page.url()).searchParams.get('ok'), 'round-sampled', `attaching led to ${page.url()}`);
}

/** The "Fordel niveau N automatisk" form of a level on the round page. */
function assignForm(page, level) {
  return page.locator(`main form[action$="/assign"]:has(input[name="level"][value="${level}"])`);
}

async function assignLevel(page, level) {
  const form = assignForm(page, level);
  assert.equal(await form.count(), 1, `the round page has no form to assign level ${level}`);
  const resp = await clickAndWaitForLoad(
    page,
    form.locator('button', { hasText: `Fordel niveau ${level} automatisk` }),
  );
  assert.equal(resp?.status(), 200, `assigning level ${level} answered ${resp?.status()}`);
  const summary = page.locator('main .error-summary');
  if ((await summary.count()) > 0) assert.fail(`assigning level ${level}: ${squash(await summary.textContent())}`);
  assert.equal(new URL(page.url()).searchParams.get('ok'), 'round-assigned', `assigning level ${level} led to ${page.url()}`);
}

/** Press a state button on the round page ("Start gennemgangen" …). */
async function changeState(page, label) {
  const button = page.locator('main form[action$="/state"] button', { hasText: label });
  assert.equal(await button.count(), 1, `the round page has no "${label}" button`);
  const resp = await clickAndWaitForLoad(page, button);
  assert.equal(resp?.status(), 200, `"${label}" answered ${resp?.status()}`);
  const summary = page.locator('main .error-summary');
  if ((await summary.count()) > 0) assert.fail(`"${label}": ${squash(await summary.textContent())}`);
}

/** The rows of the "Fordeling og fremdrift" table: level → { cases, assigned, submitted }. */
async function levelRows(page) {
  const rows = await page
    .locator('main section:has(#levels-h) table tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('th, td')].slice(0, 4).map((c) => (c.textContent || '').trim())),
    );
  return Object.fromEntries(
    rows.map(([level, cases, assigned, submitted]) => [
      Number(level.replace(/\D/g, '')),
      { cases: Number(cases), assigned: Number(assigned), submitted: Number(submitted) },
    ]),
  );
}

/** The cases of the round page with their reviews (level, link, reviewer, status). */
async function roundCases(page) {
  return page.locator('main section:has(#cases-h) table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const a = tr.querySelector('th a');
      return {
        key: (a?.textContent || '').trim(),
        href: a?.getAttribute('href'),
        unit: (tr.querySelectorAll('td')[1]?.textContent || '').trim(),
        complete: !!tr.querySelector('th .badge'),
        reviews: [...tr.querySelectorAll('ul.review-cells li')].map((li) => {
          const link = li.querySelector('a[href^="/reviews/"]');
          const text = (li.textContent || '').replace(/\s+/g, ' ').trim();
          const [, reviewer = '', status = ''] = text.match(/^Niveau \d+: ([^·]+?) · ([^·]+?) ·/) || [];
          return {
            level: Number((link?.textContent || '').replace(/\D/g, '')),
            href: link?.getAttribute('href'),
            reviewer,
            status,
          };
        }),
      };
    }),
  );
}

/** The review items that apply (answerable) on a review page, in order, with their answer. */
async function reviewItems(page) {
  return page.locator('#review-form div.review-item[data-item]').evaluateAll((divs) =>
    divs.map((d) => ({
      key: d.getAttribute('data-item'),
      number: (d.querySelector('legend .num')?.textContent || '').trim(),
      value: d.querySelector('input[type=radio]:checked')?.value ?? null,
      remark: d.querySelector('textarea[name^="r."]')?.value ?? '',
      choices: [...d.querySelectorAll('input[type=radio]')].map((r) => r.value),
    })),
  );
}

/** `item-A.B` as a CSS id selector. */
function cssId(key) {
  return key.replace(/[^a-zA-Z0-9_-]/g, (c) => `\\${c}`);
}

function radio(page, item, value) {
  return page.locator(`#review-form input[type="radio"][name="a.${item}"][value="${value}"]`);
}

function remarkBox(page, item) {
  return page.locator(`#review-form textarea[name="r.${item}"]`);
}

/** Wait for the autosave the action sets off, and for the status line to say it is saved. */
async function autosaved(page, action) {
  const response = page.waitForResponse(
    (r) => r.url().endsWith('/autosave') && r.request().method() === 'POST',
    { timeout: 10_000 },
  );
  await action();
  const r = await response;
  await page.waitForFunction(
    () => /^Gemt \d{4}-\d{2}-\d{2}/.test((document.getElementById('save-status')?.textContent || '').trim()),
    null,
    { timeout: 10_000 },
  );
  return r;
}

/** Answer one question with the mouse (and a remark when the answer needs one); autosaved. */
async function answer(page, item, value, remark) {
  const r = await autosaved(page, () => radio(page, item, value).check());
  assert.equal(r.status(), 200, `autosaving ${item}=${value} answered ${r.status()}`);
  if (remark !== undefined) {
    const rr = await autosaved(page, () => remarkBox(page, item).fill(remark));
    assert.equal(rr.status(), 200, `autosaving the remark of ${item} answered ${rr.status()}`);
  }
}

/**
 * Answer every unanswered question on the page with `pick(key, index)` (a remark for "lav"),
 * then submit. Answers can switch further questions on, so it goes round until submitted.
 */
async function completeAndSubmit(page, pick) {
  for (let round = 0; round < 4; round++) {
    const items = await reviewItems(page);
    for (const [i, it] of items.entries()) {
      if (it.value !== null) continue;
      const value = pick(it.key, i);
      await answer(page, it.key, value, value === 'lav' && !it.remark ? `E2E: ${LABEL.lav} (${it.key})` : undefined);
    }
    const resp = await clickAndWaitForLoad(page, page.locator('#review-form button[name="then"][value="submit"]'));
    if (pathname(page) === '/reviews') {
      assert.equal(resp?.status(), 200);
      assert.equal(new URL(page.url()).searchParams.get('ok'), 'review-submitted', `submitting led to ${page.url()}`);
      assert.equal(squash(await page.locator('main .notice').textContent()), 'Gennemgangen er afleveret.');
      return;
    }
    assert.equal(resp?.status(), 422, `submitting answered ${resp?.status()} on ${page.url()}`);
  }
  assert.fail(`the review could not be submitted: ${squash(await page.locator('main .error-summary').textContent())}`);
}

/** The task rows of /reviews of this suite's round: [{ key, level, href, status }]. */
async function myTasks(page, roundName = ROUND_NAME) {
  const resp = await page.goto('/reviews');
  assert.equal(resp?.status(), 200, `/reviews answered ${resp?.status()}`);
  const rows = await page.locator('main table.tasks tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const cells = [...tr.querySelectorAll('th, td')].map((c) => (c.textContent || '').replace(/\s+/g, ' ').trim());
      return {
        key: cells[0],
        round: cells[1],
        level: Number(cells[2]),
        status: cells[4],
        progress: cells[5],
        href: tr.querySelector('th a')?.getAttribute('href'),
      };
    }),
  );
  return rows.filter((r) => r.round === roundName);
}

/** The error summary's links (hrefs) and text. */
async function errorSummary(page) {
  const summary = page.locator('main .error-summary');
  assert.equal(await summary.count(), 1, `no error summary on ${page.url()}`);
  return {
    hrefs: await summary.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
    text: squash(await summary.textContent()),
    focused: await page.evaluate(() => document.activeElement?.classList.contains('error-summary') ?? false),
  };
}

/** Fluent shows a missing message as its key: no key may reach the page's text. */
const RAW_KEY =
  /\b(?:rounds?|reviews?|reconcile|reply|escalat(?:e|ion|ions)|col|counting|milestone|independence|submit|deadline|form|item|plan-(?:warn|err)|case-(?:reviews?|field)|answers?-(?:unknown|not|too|import))-[a-z0-9]+(?:-[a-z0-9]+)*\b/g;
async function expectNoRawKeys(page, label) {
  const text = `${squash(await page.locator('main').textContent())} ${squash(await page.locator('title').textContent())}`;
  const hits = text.match(RAW_KEY) ?? [];
  assert.deepEqual(hits, [], `untranslated message keys on ${label}: ${hits.join(', ')}`);
}

// ------------------------------------------------------------------------------ shared state

/** Filled by the round's life below and used by the later describes. */
const R = {
  id: null,
  cases: [], // roundCases() after assignment
  /** The case reviewed on both levels end to end. */
  main: null, // { key, l1, l2 }
};

function caseWith(pred) {
  return R.cases.find(pred);
}
const review = (c, level) => c.reviews.find((r) => r.level === level);

// ==============================================================================================

describe('rounds: a thematic round from plan to reconciliation', () => {
  let leder; // { context, page }
  let jurist;

  before(async () => {
    leder = await newPage();
    await loginOk(leder.page, 'leder');
    jurist = await newPage();
    await loginOk(jurist.page, 'jurist');
  });
  after(async () => {
    await leder?.context.close();
    await jurist?.context.close();
  });

  test('/rounds and the empty plan form are axe clean; an invalid plan is refused with an error summary', async (t) => {
    const { page } = leder;
    try {
      let resp = await page.goto('/rounds');
      assert.equal(resp?.status(), 200, `/rounds answered ${resp?.status()}`);
      await expectLayout(page, '/rounds');
      assert.equal(squash(await page.locator('main h1').textContent()), 'Tilsynsrunder');
      assert.equal(await page.locator('main a.button[href="/rounds/new"]', { hasText: 'Ny tilsynsrunde' }).count(), 1);
      await shot(page, 'rounds-list');
      await expectNoRawKeys(page, 'rounds-list');
      await expectAxeClean(page, '/rounds');

      resp = await clickAndWaitForLoad(page, page.locator('main a.button[href="/rounds/new"]'));
      assert.equal(resp?.status(), 200, `/rounds/new answered ${resp?.status()}`);
      await expectLayout(page, '/rounds/new');
      assert.equal(squash(await page.locator('main h1').textContent()), 'Ny tilsynsrunde');
      assert.deepEqual(
        await page.locator('input[name="kind"]').evaluateAll((is) => is.map((i) => i.value)),
        ['broad', 'thematic', 'continuous'],
      );
      await shot(page, 'round-new');
      await expectNoRawKeys(page, 'round-new');
      await expectAxeClean(page, '/rounds/new');

      // No template (and no name): the form cannot be read without a template.
      resp = await submitPlan(page, { name: '', kind: 'thematic', sizes: [10, 5] });
      assert.equal(resp?.status(), 422, `a plan without a template answered ${resp?.status()}`);
      let s = await errorSummary(page);
      assert.ok(s.hrefs.includes('#template_version'), `the error summary does not link to the template: ${s.hrefs.join(', ')}`);
      assert.match(s.text, /Vælg en offentliggjort skabelon/);
      if (!s.hrefs.includes('#name')) {
        t.diagnostic(`a plan without template and name names only ${s.hrefs.join(', ')}: the missing name is reported only on the next try`);
      }

      // No name, level 2 larger than level 1.
      resp = await submitPlan(page, { name: '', kind: 'thematic', template: TEMPLATE, sizes: [10, 20] });
      assert.equal(resp?.status(), 422, `an invalid plan answered ${resp?.status()}`);
      assert.equal(pathname(page), '/rounds');
      s = await errorSummary(page);
      assert.ok(s.focused, 'focus is not on the error summary');
      assert.deepEqual([...s.hrefs].sort(), ['#level_sizes', '#name'], `the error summary links to ${s.hrefs.join(', ')}`);
      assert.match(s.text, /Giv runden et navn/);
      for (const href of s.hrefs) {
        assert.equal(await page.locator(`[id="${href.slice(1)}"]`).count(), 1, `the error summary links to ${href}, which is not on the page`);
      }
      assert.equal(await page.locator('#name').getAttribute('aria-invalid'), 'true', '#name is not marked invalid');
      assert.equal(await page.locator('input[name="kind"][value="thematic"]').isChecked(), true, 'the kind is not kept');
      assert.equal(await page.locator('input[name="size2"]').inputValue(), '20', 'the sizes are not kept');
      await shot(page, 'round-new-errors');
      await expectNoRawKeys(page, 'round-new-errors');
      await expectAxeClean(page, '/rounds/new (422)');
    } finally {
      dumpProblems(t, page);
    }
  });

  test('a thematic round of 15 cases gets the plan warning (20 recommended); 30 → 15 does not', async (t) => {
    const { page } = leder;
    try {
      await page.goto('/rounds/new');
      let resp = await submitPlan(page, {
        name: ROUND_NAME,
        kind: 'thematic',
        template: TEMPLATE,
        sizes: [15, 8],
        themes: THEME,
        group: [NAMES.leder, NAMES.koordinator, 'Rikke Dam'],
      });
      assert.equal(resp?.status(), 200, `creating the round answered ${resp?.status()}`);
      const m = pathname(page).match(/^\/rounds\/([0-9a-f-]{36})$/);
      assert.ok(m, `creating the round led to ${page.url()}`);
      R.id = m[1];
      assert.equal(new URL(page.url()).searchParams.get('ok'), 'round-created');
      await expectLayout(page, '/rounds/{id}');
      assert.equal(squash(await page.locator('main .notice').textContent()), 'Runden er oprettet. Vælg nu stikprøven.');
      assert.match(squash(await page.locator('main h1').textContent()), new RegExp(`^${ROUND_NAME} Kladde$`));
      const warnings = await page.locator('main section.warnings li').allTextContents();
      assert.ok(
        warnings.map(squash).includes('Stikprøven er mindre end anbefalet: 15 sager, anbefalet mindst 20.'),
        `the plan check does not warn about 15 cases (20 recommended): ${JSON.stringify(warnings)}`,
      );
      const facts = squash(await page.locator('main dl.facts').textContent());
      assert.match(facts, /Planlagte sager pr\. niveau\s*15 → 8/);
      assert.match(facts, /Slags\s*Uddybende \(tematiseret\)/);
      await shot(page, 'round-plan-warning');
      await expectNoRawKeys(page, 'round-plan-warning');
      await expectAxeClean(page, '/rounds/{id} (draft, warnings)');

      // The list names it.
      await page.goto('/rounds');
      const row = page.locator('main table.data tbody tr', { has: page.locator(`a[href="/rounds/${R.id}"]`) });
      assert.equal(await row.count(), 1, '/rounds does not list the new round');
      assert.match(squash(await row.textContent()), /Uddybende \(tematiseret\)\s*Kladde\s*0/);

      // Edit the plan: 30 → 15.
      resp = await page.goto(`/rounds/${R.id}/plan`);
      assert.equal(resp?.status(), 200, `/rounds/{id}/plan answered ${resp?.status()}`);
      assert.equal(squash(await page.locator('main h1').textContent()), 'Ret plan for tilsynsrunde');
      assert.equal(await page.locator('#name').inputValue(), ROUND_NAME);
      assert.equal(await page.locator('input[name="size1"]').inputValue(), '15');
      await expectAxeClean(page, '/rounds/{id}/plan');
      resp = await submitPlan(page, { sizes: [30, 15] });
      assert.equal(resp?.status(), 200, `saving the plan answered ${resp?.status()}`);
      assert.equal(pathname(page), `/rounds/${R.id}`);
      assert.equal(new URL(page.url()).searchParams.get('ok'), 'round-saved');
      assert.match(squash(await page.locator('main dl.facts').textContent()), /Planlagte sager pr\. niveau\s*30 → 15/);
      const after = (await page.locator('main section.warnings li').allTextContents()).map(squash);
      assert.ok(!after.some((w) => w.startsWith('Stikprøven er mindre end anbefalet')), `still warned: ${after.join(' | ')}`);
    } finally {
      dumpProblems(t, page);
    }
  });

  test('a sample of 30 with 15 on level 2 drawn on /samples/new is attached to the round', async (t) => {
    const { page } = leder;
    try {
      assert.ok(R.id, 'no round');
      const sampleId = await drawSample(page, 30, 15);
      await attachSample(page, R.id, sampleId);
      assert.equal(
        squash(await page.locator('main .notice').textContent()),
        'Stikprøven er lagt ind i runden, og en gennemgang pr. sag og niveau er oprettet.',
      );
      assert.match(squash(await page.locator('main h1').textContent()), /Stikprøve valgt$/);
      assert.equal(await page.locator('#sample').count(), 0, 'a sampled round still offers to attach a sample');
      const levels = await levelRows(page);
      assert.deepEqual(levels[1], { cases: 30, assigned: 0, submitted: 0 }, `level 1: ${JSON.stringify(levels[1])}`);
      assert.deepEqual(levels[2], { cases: 15, assigned: 0, submitted: 0 }, `level 2: ${JSON.stringify(levels[2])}`);
      const cases = await roundCases(page);
      assert.equal(cases.length, 30, `the round lists ${cases.length} cases`);
      assert.equal(cases.filter((c) => c.reviews.some((r) => r.level === 2)).length, 15);
      // leder's grant is on "Myndighed Børn og Unge": the frame is Team Nord and Team Syd.
      const outside = cases.filter((c) => !MY_TEAMS.includes(c.unit)).map((c) => `${c.key} (${c.unit})`);
      assert.deepEqual(outside, [], `the round has cases outside leder's units: ${outside.join(', ')}`);
      const warnings = (await page.locator('main section.warnings li').allTextContents()).map(squash);
      assert.ok(!warnings.some((w) => w.startsWith('Stikprøven er mindre end anbefalet')), `warned: ${warnings.join(' | ')}`);
    } finally {
      dumpProblems(t, page);
    }
  });

  test('level 1 and level 2 are assigned automatically (Juristsparring offered) and the review starts', async (t) => {
    const { page } = leder;
    try {
      await page.goto(`/rounds/${R.id}`);
      // Juristsparring: "Ingen" or the lawyer. Sparring would make the lawyer take part on
      // level 1, and the only lawyer could then not take level 2, so "Ingen" is chosen.
      const sparring = page.locator('#sparring');
      assert.equal(await sparring.count(), 1, 'no Juristsparring select on level 1');
      assert.equal(squash(await page.locator('label[for="sparring"]').textContent()), 'Juristsparring på niveau 1');
      const options = (await sparring.locator('option').allTextContents()).map(squash);
      assert.deepEqual(options, ['Ingen', NAMES.jurist], `Juristsparring offers ${JSON.stringify(options)}`);
      assert.equal(await assignForm(page, 2).locator('#sparring').count(), 0, 'level 2 offers Juristsparring');
      await sparring.selectOption({ label: 'Ingen' });
      await assignLevel(page, 1);
      let levels = await levelRows(page);
      assert.equal(levels[1].assigned, 30, `level 1 assigned: ${JSON.stringify(levels[1])}`);
      await assignLevel(page, 2);
      levels = await levelRows(page);
      assert.equal(levels[2].assigned, 15, `level 2 assigned: ${JSON.stringify(levels[2])}`);

      R.cases = await roundCases(page);
      const l1By = new Set(R.cases.map((c) => review(c, 1).reviewer));
      assert.ok([...l1By].every((n) => n === NAMES.leder || n === NAMES.koordinator),
        `level 1 went to ${[...l1By].join(', ')}`);
      const l2By = new Set(R.cases.filter((c) => review(c, 2)).map((c) => review(c, 2).reviewer));
      assert.deepEqual([...l2By], [NAMES.jurist], `level 2 went to ${[...l2By].join(', ')}`);
      await shot(page, 'round-assigned');
      await expectNoRawKeys(page, 'round-assigned');
      await expectAxeClean(page, '/rounds/{id} (sampled, assigned)');

      await changeState(page, 'Start gennemgangen');
      assert.match(squash(await page.locator('main h1').textContent()), /Gennemgang$/);
      assert.equal(squash(await page.locator('main .notice').textContent()), 'Runden er flyttet til næste fase.');
      await shot(page, 'round-reviewing');
      await expectNoRawKeys(page, 'round-reviewing');
      await expectAxeClean(page, '/rounds/{id} (reviewing)');

      const main = caseWith((c) => review(c, 1).reviewer === NAMES.leder && review(c, 2));
      assert.ok(main, 'leder has no level-1 review of a case that also has level 2');
      R.main = { key: main.key, href: main.href, l1: review(main, 1).href, l2: review(main, 2).href };
      t.diagnostic(`the case reviewed end to end: ${main.key} (${R.main.l1}, ${R.main.l2})`);
    } finally {
      dumpProblems(t, page);
    }
  });

  test('level 1: autosaved answers survive a reload; an incomplete submit lists the missing questions', async (t) => {
    const { page } = leder;
    try {
      assert.ok(R.main, 'no case to review');
      // Reached from the task list.
      const tasks = await myTasks(page);
      const task = tasks.find((r) => r.key === R.main.key && r.level === 1);
      assert.ok(task, `/reviews of leder does not list ${R.main.key}, level 1`);
      assert.equal(task.status, 'I gang');
      assert.ok(tasks.every((r) => r.level === 1), 'leder has level-2 reviews in the round');
      await shot(page, 'reviews-list');
      await expectNoRawKeys(page, 'reviews-list');
      await expectAxeClean(page, '/reviews');
      const resp = await clickAndWaitForLoad(page, page.locator(`main table.tasks a[href="${R.main.l1}"]`));
      assert.equal(resp?.status(), 200);
      assert.equal(pathname(page), R.main.l1);
      await expectLayout(page, 'the review page');
      assert.equal(squash(await page.locator('main h1').textContent()), `Sag ${R.main.key}, niveau 1`);

      const items = await reviewItems(page);
      assert.ok(items.length >= 5, `the review has ${items.length} questions`);
      assert.ok(items.every((i) => i.value === null), 'a fresh review has answers');
      assert.deepEqual(items[0].choices, ['lav', 'nogen', 'hoej']);
      R.main.items = items.map((i) => i.key);

      // Answer the first three (the first "I lav grad" with the remark it needs).
      await answer(page, items[0].key, 'lav', L1_REMARK);
      await answer(page, items[1].key, 'hoej');
      await answer(page, items[2].key, 'nogen');
      // The live progress after an autosave uses the page's own words.
      assert.match(squash(await page.locator('#review-progress').textContent()), /^3 af \d+ besvaret/);
      await shot(page, 'review-editable');
      await expectNoRawKeys(page, 'review-editable');
      await expectAxeClean(page, 'the review page (editable)');

      await page.reload();
      assert.match(squash(await page.locator('#review-progress').textContent()), /^3 af \d+ besvaret/);
      const reloaded = await reviewItems(page);
      assert.equal(reloaded[0].value, 'lav', 'the first answer is not kept over a reload');
      assert.equal(reloaded[0].remark, L1_REMARK, 'the remark is not kept over a reload');
      assert.equal(reloaded[1].value, 'hoej', 'the second answer is not kept over a reload');
      assert.equal(reloaded[2].value, 'nogen', 'the third answer is not kept over a reload');
      assert.match(squash(await page.locator(`#item-${cssId(items[0].key)} .saved-by`).textContent()),
        /^Sidst gemt af Lise Holm \d{4}-\d{2}-\d{2}/);

      // Submit incomplete: 422, an error summary naming each missing question with a link.
      const missing = reloaded.filter((i) => i.value === null);
      const r422 = await clickAndWaitForLoad(page, page.locator('#review-form button[name="then"][value="submit"]'));
      assert.equal(r422?.status(), 422, `submitting incomplete answered ${r422?.status()}`);
      const s = await errorSummary(page);
      assert.ok(s.focused, 'focus is not on the error summary');
      assert.deepEqual(
        [...s.hrefs].sort(),
        missing.map((i) => `#item-${i.key}`).sort(),
        `the error summary links to ${s.hrefs.join(', ')}`,
      );
      for (const i of missing) {
        assert.ok(s.text.includes(`${i.number} mangler et svar.`), `the summary does not say "${i.number} mangler et svar.": ${s.text}`);
        assert.equal(await page.locator(`[id="item-${i.key}"]`).count(), 1, `#item-${i.key} is not on the page`);
      }
      await shot(page, 'review-submit-errors');
      await expectNoRawKeys(page, 'review-submit-errors');
      await expectAxeClean(page, 'the review page (422)');
      // A link in the summary takes the reader to the question.
      await page.locator('main .error-summary a').first().click();
      const focusedItem = await page.evaluate(() => document.activeElement?.closest('.review-item')?.id ?? null);
      assert.equal(focusedItem, `item-${missing[0].key}`, 'the error summary link does not move focus to its question');
      // Nothing was lost and nothing submitted.
      assert.equal((await reviewItems(page))[0].value, 'lav');
      assert.equal(await page.locator('#review-form button[name="then"][value="submit"]').count(), 1);
    } finally {
      dumpProblems(t, page);
    }
  });

  test('jurist: level 2 of the same case shows none of level 1\'s answers; the case page waits', async (t) => {
    const { page } = jurist;
    try {
      const tasks = await myTasks(page);
      assert.equal(tasks.length, 15, `jurist has ${tasks.length} reviews in the round`);
      assert.ok(tasks.every((r) => r.level === 2), 'jurist has level-1 reviews');
      const task = tasks.find((r) => r.key === R.main.key);
      assert.ok(task, `jurist has no level-2 review of ${R.main.key}`);
      assert.equal(task.href, R.main.l2);

      let resp = await page.goto(R.main.l2);
      assert.equal(resp?.status(), 200, `jurist's level-2 review answered ${resp?.status()}`);
      assert.equal(squash(await page.locator('main h1').textContent()), `Sag ${R.main.key}, niveau 2`);
      const items = await reviewItems(page);
      assert.deepEqual(items.map((i) => i.key).slice(0, 3), R.main.items.slice(0, 3));
      assert.deepEqual(items.filter((i) => i.value !== null).map((i) => i.key), [], 'level 2 starts with answers');
      assert.ok(!(await mainText(page)).includes(L1_REMARK), 'level 2 shows level 1\'s remark');
      assert.ok(!(await mainText(page)).includes('Lise Holm'), 'level 2 names the level-1 reviewer');
      assert.match(squash(await page.locator('#review-progress').textContent()), /^0 af \d+ besvaret/);

      // The level-1 review itself: the blinded note, no answers.
      resp = await page.goto(R.main.l1);
      assert.equal(resp?.status(), 200, `jurist opening level 1 answered ${resp?.status()}`);
      assert.equal(squash(await page.locator('main .blinded').textContent()), BLINDED);
      assert.equal(await page.locator('#review-form').count(), 0, 'the blinded review has a form');
      assert.equal(await page.locator('main input[type=radio]').count(), 0, 'the blinded review shows answers');
      assert.ok(!(await mainText(page)).includes(L1_REMARK), 'the blinded review shows the remark');
      assert.ok(!(await mainText(page)).includes('mangler et svar'), 'the blinded review shows submit problems');
      await shot(page, 'review-blinded-jurist');
      await expectNoRawKeys(page, 'review-blinded-jurist');
      await expectAxeClean(page, 'the review page (blinded)');

      // The case page: waiting for every level.
      resp = await page.goto(R.main.href);
      assert.equal(resp?.status(), 200, `the case page answered ${resp?.status()} for jurist`);
      assert.equal(squash(await page.locator('main .blinded').textContent()), WAITING);
      assert.equal(await page.locator('main table.reconcile').count(), 0);
      assert.equal(await page.locator(`main a[href="${R.main.l1}"]`).count(), 0, 'jurist is offered a link to level 1');
      assert.equal(await page.locator(`main a[href="${R.main.l2}"]`).count(), 1, 'jurist has no link to level 2');
      await shot(page, 'round-case-waiting');
      await expectNoRawKeys(page, 'round-case-waiting');
      await expectAxeClean(page, '/rounds/{id}/case (waiting)');
    } finally {
      dumpProblems(t, page);
    }
  });

  test('leder completes level 1 and submits it; it is then read-only', async (t) => {
    const { page } = leder;
    try {
      const resp = await page.goto(R.main.href);
      assert.equal(resp?.status(), 200);
      assert.equal(squash(await page.locator('main .blinded').textContent()), WAITING, 'the case page does not wait for level 2');

      await page.goto(R.main.l1);
      await completeAndSubmit(page, () => 'hoej');
      const task = (await myTasks(page)).find((r) => r.key === R.main.key);
      assert.equal(task?.status, 'Afleveret', `the task list shows ${task?.status}`);

      await page.goto(R.main.l1);
      assert.equal(await page.locator('#review-form button[name="then"]').count(), 0, 'a submitted review can still be submitted');
      assert.equal(await page.locator('#review-form fieldset.answer:not([disabled])').count(), 0, 'a submitted review is editable');
      const items = await reviewItems(page);
      assert.equal(items[0].value, 'lav');
      R.main.l1Answers = Object.fromEntries(items.map((i) => [i.key, i.value]));
      // It runs the round, so it may reopen it.
      assert.equal(await page.locator('main form[action$="/reopen"]').count(), 1, 'no reopen form for the round owner');
      await shot(page, 'review-readonly');
      await expectNoRawKeys(page, 'review-readonly');
      await expectAxeClean(page, 'the review page (read-only)');
    } finally {
      dumpProblems(t, page);
    }
  });

  test('jurist, level 1 submitted but not level 2: still blind; answers level 2 differently and submits', async (t) => {
    const { page } = jurist;
    try {
      let resp = await page.goto(R.main.l1);
      assert.equal(resp?.status(), 200);
      assert.equal(squash(await page.locator('main .blinded').textContent()), BLINDED, 'level 1 is shown before level 2 submitted');
      assert.ok(!(await mainText(page)).includes(L1_REMARK));

      resp = await page.goto(R.main.l2);
      assert.equal(resp?.status(), 200);
      const items = await reviewItems(page);
      assert.ok(items.every((i) => i.value === null), 'level 2 shows answers');
      // Level 1: first "lav", then "hoej"; level 2: first "hoej", second "nogen", the rest "hoej".
      R.main.l2Answers = {};
      await completeAndSubmit(page, (key, i) => {
        const v = i === 1 ? 'nogen' : 'hoej';
        R.main.l2Answers[key] = v;
        return v;
      });

      // Now every level has submitted: level 1 is readable, read-only.
      resp = await page.goto(R.main.l1);
      assert.equal(resp?.status(), 200);
      assert.equal(await page.locator('main .blinded').count(), 0, 'level 1 is still blinded after both submitted');
      const l1 = await reviewItems(page);
      assert.equal(l1[0].value, 'lav');
      assert.equal(l1[0].remark, L1_REMARK);
      assert.equal(await page.locator('#review-form fieldset.answer:not([disabled])').count(), 0, 'jurist may edit level 1');
      await expectAxeClean(page, 'the review page (read-only, other level)');
    } finally {
      dumpProblems(t, page);
    }
  });

  test('leder: the case page shows the differing questions side by side and records an agreed answer', async (t) => {
    const { page } = leder;
    try {
      let resp = await page.goto(R.main.href);
      assert.equal(resp?.status(), 200, `the case page answered ${resp?.status()}`);
      await expectLayout(page, 'the case page');
      assert.equal(squash(await page.locator('main h1').textContent()), `Sag ${R.main.key}`);
      assert.equal(await page.locator('main .blinded').count(), 0, 'the case page still waits');
      const table = page.locator('main table.reconcile');
      assert.equal(await table.count(), 1, 'no reconciliation table');
      const heads = (await table.locator('thead th').allTextContents()).map(squash);
      assert.deepEqual(heads, ['Spørgsmål', 'Niveau 1', 'Niveau 2', 'Afstemt svar']);

      const differing = R.main.items.filter((k) => R.main.l1Answers[k] !== R.main.l2Answers[k]);
      assert.ok(differing.length >= 2, `the levels differ on ${differing.length} question(s)`);
      const rows = await table.locator('tbody tr').evaluateAll((trs) =>
        trs.map((tr) => ({
          id: tr.id,
          cells: [...tr.querySelectorAll('td')].slice(0, 2).map((td) => (td.querySelector('strong')?.textContent || '').trim()),
          remarks: [...tr.querySelectorAll('td')].slice(0, 2).map((td) => (td.querySelector('.hint')?.textContent || '').trim()),
        })),
      );
      assert.deepEqual(rows.map((r) => r.id), differing.map((k) => `diff-${k}`), 'the table lists other questions than the differing ones');
      for (const [i, k] of differing.entries()) {
        assert.deepEqual(rows[i].cells, [LABEL[R.main.l1Answers[k]], LABEL[R.main.l2Answers[k]]], `row ${k}`);
      }
      assert.equal(rows[0].remarks[0], L1_REMARK, 'level 1\'s remark is not shown next to its answer');
      assert.match(await mainText(page), /Tæller i rapporterne: Det højeste niveaus svar/);
      await shot(page, 'round-case-reconcile');
      await expectNoRawKeys(page, 'round-case-reconcile');
      await expectAxeClean(page, '/rounds/{id}/case (reconciliation)');

      // Without a note the agreed answer is refused.
      const item = differing[0];
      const row = page.locator(`main tr[id="diff-${item}"]`);
      await row.locator(`input[name="value.${item}"][value="nogen"]`).check();
      resp = await clickAndWaitForLoad(page, row.locator('button', { hasText: 'Gem afstemt svar' }));
      assert.equal(resp?.status(), 422, `an agreed answer without a note answered ${resp?.status()}`);
      const s = await errorSummary(page);
      assert.match(s.text, /Skriv en kort note/);
      assert.deepEqual(s.hrefs, [`#note.${item}`]);
      await shot(page, 'round-case-reconcile-error');
      await expectNoRawKeys(page, 'round-case-reconcile-error');
      await expectAxeClean(page, '/rounds/{id}/case (422)');

      // With a note it is kept, next to the original answers.
      const again = page.locator(`main tr[id="diff-${item}"]`);
      await again.locator(`input[name="value.${item}"][value="nogen"]`).check();
      await again.locator(`[id="note.${item}"]`).fill(AGREED_NOTE);
      resp = await clickAndWaitForLoad(page, again.locator('button', { hasText: 'Gem afstemt svar' }));
      assert.equal(resp?.status(), 200, `recording the agreed answer answered ${resp?.status()}`);
      assert.equal(new URL(page.url()).searchParams.get('ok'), 'reconcile-saved', `recording led to ${page.url()}`);
      assert.equal(
        squash(await page.locator('main .notice').textContent()),
        'Det afstemte svar er gemt. De oprindelige svar er bevaret.',
      );
      const agreed = page.locator(`main tr[id="diff-${item}"] td`).last();
      assert.equal(squash(await agreed.locator('p').first().textContent()), `I nogen grad – ${AGREED_NOTE} (Lise Holm)`);
      assert.equal(
        await page.locator(`main tr[id="diff-${item}"] input[name="value.${item}"][value="nogen"]`).isChecked(),
        true,
        'the agreed answer is not preselected',
      );
      const cells = await page.locator(`main tr[id="diff-${item}"] td strong`).allTextContents();
      assert.deepEqual(cells.map(squash), [LABEL[R.main.l1Answers[item]], LABEL[R.main.l2Answers[item]]],
        'the original answers changed');
      await shot(page, 'round-case-agreed');
      await expectNoRawKeys(page, 'round-case-agreed');
      await expectAxeClean(page, '/rounds/{id}/case (agreed)');

      // The round page marks the case complete.
      await page.goto(`/rounds/${R.id}`);
      const line = (await roundCases(page)).find((c) => c.key === R.main.key);
      assert.ok(line?.complete, 'the round page does not mark the case as complete');
    } finally {
      dumpProblems(t, page);
    }
  });
});

// ==============================================================================================

describe('rounds: a review done with the keyboard only', () => {
  test('leder answers a level-1 review and submits it with Tab, Space, typing and Enter', async (t) => {
    const { context, page } = await newPage();
    try {
      assert.ok(R.cases.length, 'the round was not set up');
      await loginOk(page, 'leder');
      const c = caseWith((x) => x.key !== R.main?.key && review(x, 1).reviewer === NAMES.leder);
      assert.ok(c, 'leder has no second level-1 review');
      const href = review(c, 1).href;
      R.keyboardCase = c.key;
      const resp = await page.goto(href);
      assert.equal(resp?.status(), 200);

      const total = (await reviewItems(page)).length;
      const answered = new Set();
      let submitted = false;
      for (let presses = 0; presses < 400 && !submitted; presses++) {
        await page.keyboard.press('Tab');
        const el = await page.evaluate(() => {
          const a = document.activeElement;
          if (!a) return null;
          const box = a.closest('.review-item[data-item]');
          return {
            tag: a.tagName,
            type: a.getAttribute('type'),
            name: a.getAttribute('name'),
            value: a.value,
            item: box?.getAttribute('data-item') ?? null,
            itemAnswered: !!box?.querySelector('input[type=radio]:checked'),
            checked: a.checked ?? false,
          };
        });
        if (!el) continue;
        if (el.type === 'radio' && el.item && !el.itemAnswered) {
          // The first choice of an unanswered question ("I lav grad"): Space picks it; its
          // remark box is the next stop.
          await autosaved(page, () => page.keyboard.press('Space'));
          assert.ok(await page.evaluate(() => document.activeElement.checked), `Space did not check ${el.name}`);
          answered.add(el.item);
          continue;
        }
        if (el.tag === 'TEXTAREA' && el.name?.startsWith('r.') && answered.has(el.item) && !el.value) {
          await autosaved(page, () => page.keyboard.type(`Tastatur: ${el.item}`));
          continue;
        }
        if (el.tag === 'BUTTON' && el.name === 'then' && el.value === 'submit') {
          if (answered.size < total) {
            // Questions switched on by answers appear after the post; go round again.
            t.diagnostic(`submit reached with ${answered.size}/${total} answered`);
          }
          // Let a save under way finish first (leaving the page while one is pending asks).
          await page.waitForFunction(() => !/Gemmer/.test(document.getElementById('save-status')?.textContent || ''));
          const nav = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() });
          await page.keyboard.press('Enter');
          await nav;
          await page.waitForLoadState('load');
          if (pathname(page) === '/reviews') {
            submitted = true;
          } else {
            // Refused (questions switched on by the answers): focus is on the error summary;
            // go on tabbing from there.
            const s = await errorSummary(page);
            t.diagnostic(`keyboard submit refused: ${s.text}`);
          }
        }
      }
      assert.ok(submitted, `the review was not submitted with the keyboard (answered ${answered.size} of ${total})`);
      assert.equal(new URL(page.url()).searchParams.get('ok'), 'review-submitted');
      assert.equal(squash(await page.locator('main .notice').textContent()), 'Gennemgangen er afleveret.');
      await page.goto(href);
      const items = await reviewItems(page);
      assert.ok(items.every((i) => i.value === 'lav'), `answers after the keyboard run: ${JSON.stringify(items.map((i) => i.value))}`);
      assert.ok(items.every((i) => i.remark.startsWith('Tastatur: ')), 'a remark typed with the keyboard is missing');
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });
});

// ==============================================================================================

describe('rounds: two tabs of the same reviewer save the same question', () => {
  test('the second save shows a conflict instead of overwriting; a reload shows the first until saved again', async (t) => {
    const a = await newPage();
    const b = await newPage();
    try {
      assert.ok(R.cases.length, 'the round was not set up');
      const c = caseWith((x) => review(x, 1).reviewer === NAMES.koordinator && review(x, 2));
      assert.ok(c, 'koordinator has no level-1 review of a level-2 case');
      R.conflictCase = { key: c.key, l1: review(c, 1).href, l2: review(c, 2).href };
      const href = R.conflictCase.l1;
      await loginOk(a.page, 'koordinator');
      await loginOk(b.page, 'koordinator');
      await a.page.goto(href);
      await b.page.goto(href);
      const item = (await reviewItems(a.page))[1].key;
      R.conflictCase.item = item;

      // Tab A saves "I nogen grad".
      const ra = await autosaved(a.page, () => radio(a.page, item, 'nogen').check());
      assert.equal(ra.status(), 200);
      // Tab B, opened before, saves "I høj grad" on top: refused as a conflict.
      const response = b.page.waitForResponse((r) => r.url().endsWith('/autosave'));
      await radio(b.page, item, 'hoej').check();
      const rb = await response;
      assert.equal(rb.status(), 409, `the second autosave answered ${rb.status()}`);
      const body = await rb.json();
      assert.equal(body.conflicts?.[0]?.item, item);
      assert.equal(body.conflicts?.[0]?.value, 'nogen');
      const conflict = b.page.locator(`[id="item-${item}"] .conflict`);
      await conflict.waitFor();
      const text = squash(await conflict.textContent());
      assert.match(text, new RegExp(`^Karsten Berg gemte et andet svar .*«${LABEL.nogen}»`), `the conflict message: ${text}`);
      // The page now shows the other answer, as the message says.
      assert.ok(await radio(b.page, item, 'nogen').isChecked(), 'the other answer is shown after a conflict');
      assert.ok(!(await radio(b.page, item, 'hoej').isChecked()));
      await shot(b.page, 'review-conflict');
      await expectNoRawKeys(b.page, 'review-conflict');
      await expectAxeClean(b.page, 'the review page (autosave conflict)');

      // Nothing was overwritten: a reload shows the first value.
      await a.page.reload();
      assert.equal(await radio(a.page, item, 'nogen').isChecked(), true, 'the first tab\'s answer was overwritten');
      const fresh = await newPage();
      try {
        await loginOk(fresh.page, 'koordinator');
        await fresh.page.goto(href);
        assert.equal(await radio(fresh.page, item, 'nogen').isChecked(), true, 'a fresh load does not show the first answer');
      } finally {
        await fresh.context.close();
      }

      // Tab B chooses its own answer again: the autosave now builds on the newer version and counts.
      await autosaved(b.page, () => radio(b.page, item, 'hoej').check());
      assert.equal(await radio(b.page, item, 'hoej').isChecked(), true);
      await a.page.reload();
      assert.equal(await radio(a.page, item, 'hoej').isChecked(), true, 'the second save did not take after the conflict');

      // The plain post (no script needed): tab B's page is now behind tab A's next autosave,
      // so its Gem is refused with 409 and the page shows the other answer with the note.
      const stale = b.page;
      await autosaved(a.page, () => radio(a.page, item, 'lav').check());
      const posted = await clickAndWaitForLoad(stale, stale.locator('#review-form button[name="then"][value="save"]'));
      assert.equal(posted?.status(), 409, `a stale plain save answered ${posted?.status()}`);
      const s = await errorSummary(stale);
      assert.match(s.text, /1 svar blev ændret af en anden/);
      assert.equal(await radio(stale, item, 'lav').isChecked(), true, 'the conflict page does not show the other answer');
      assert.equal(await stale.locator(`[id="item-${item}"] .conflict`).count(), 1);
      await expectAxeClean(stale, 'the review page (409 after a plain save)');
    } finally {
      dumpProblems(t, a.page);
      dumpProblems(t, b.page);
      await a.context.close();
      await b.context.close();
    }
  });
});

// ==============================================================================================

describe('rounds: blinding and access per role', () => {
  test('jurist: a level-1 review not yet submitted shows no answers (blinded note, or 404 without level 2)', async (t) => {
    const { context, page } = await newPage();
    try {
      assert.ok(R.conflictCase, 'the conflict test did not pick a case');
      await loginOk(page, 'jurist');
      // Koordinator's level-1 review has answers now (the conflict test), not submitted.
      let resp = await page.goto(R.conflictCase.l1);
      assert.equal(resp?.status(), 200, `jurist opening level 1 of ${R.conflictCase.key} answered ${resp?.status()}`);
      assert.equal(squash(await page.locator('main .blinded').textContent()), BLINDED);
      assert.equal(await page.locator('main input[type=radio]').count(), 0, 'answers are shown to jurist');
      assert.ok(!/Sidst gemt af/.test(await mainText(page)), 'the blinded page says who saved answers');

      // A case with no level 2: jurist takes no part in it at all.
      const only1 = caseWith((x) => !review(x, 2) && review(x, 1).status !== 'Afleveret');
      assert.ok(only1, 'no case with level 1 only');
      resp = await page.goto(review(only1, 1).href);
      assert.equal(resp?.status(), 404, `jurist opening a level-1-only case answered ${resp?.status()}`);
      assert.equal(await page.locator('main input[type=radio]').count(), 0);
      resp = await page.goto(only1.href);
      assert.equal(resp?.status(), 404, `jurist opening the case page of a level-1-only case answered ${resp?.status()}`);
      // The round itself is not jurist's to run.
      resp = await page.goto(`/rounds/${R.id}`);
      assert.ok([403, 404].includes(resp?.status()), `jurist opening the round answered ${resp?.status()}`);
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });

  test('leder runs the round but takes no part in koordinator\'s review: blinded until the case is complete', async (t) => {
    const { context, page } = await newPage();
    try {
      await loginOk(page, 'leder');
      const resp = await page.goto(R.conflictCase.l1);
      assert.equal(resp?.status(), 200);
      assert.equal(squash(await page.locator('main .blinded').textContent()), BLINDED);
      assert.equal(await page.locator('main input[type=radio]').count(), 0);
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });

  test('raadgiver (caseworker, not on the case) cannot open the reviews or case pages; no round pages', async (t) => {
    const { context, page } = await newPage();
    try {
      await loginOk(page, 'raadgiver');
      for (const p of [R.conflictCase.l1, R.conflictCase.l2, R.main.l1, `/rounds/${R.id}/case?key=${encodeURIComponent(R.conflictCase.key)}`]) {
        const resp = await page.goto(p);
        assert.equal(resp?.status(), 404, `${p} answered ${resp?.status()} for raadgiver`);
        assert.equal(await page.locator('main input[type=radio]').count(), 0, `${p} shows answers to raadgiver`);
        assert.ok(!(await mainText(page)).includes(L1_REMARK), `${p} shows a remark to raadgiver`);
      }
      let resp = await page.goto('/rounds');
      assert.equal(resp?.status(), 403, `/rounds answered ${resp?.status()} for raadgiver`);
      resp = await page.goto(`/rounds/${R.id}`);
      assert.equal(resp?.status(), 403, `/rounds/{id} answered ${resp?.status()} for raadgiver`);
      resp = await page.goto('/reviews');
      assert.equal(resp?.status(), 200, `/reviews answered ${resp?.status()} for raadgiver`);
      assert.equal(await page.locator('main table.tasks td', { hasText: ROUND_NAME }).count(), 0, 'raadgiver has tasks in the round');
      // A post is refused as well.
      const token = await page.locator('input[name="csrf_token"]').first().getAttribute('value');
      const post = await page.request.post(`${R.conflictCase.l1}/autosave`, {
        headers: { 'x-csrf-token': token },
        form: { csrf_token: token, [`v.${R.conflictCase.item}`]: '0', [`a.${R.conflictCase.item}`]: 'lav' },
        maxRedirects: 0,
      });
      assert.equal(post.status(), 404, `an autosave by raadgiver answered ${post.status()}`);
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });

  test('udvalg (viewer) is refused /rounds, /reviews and a review with 403', async (t) => {
    const { context, page } = await newPage();
    try {
      await loginOk(page, 'udvalg');
      const links = await page.locator('nav.main-nav a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      assert.ok(!links.some((h) => /^\/(rounds|reviews)/.test(h)), `udvalg has nav links to ${links.join(', ')}`);
      for (const p of ['/rounds', '/rounds/new', `/rounds/${R.id}`, '/reviews', R.main.l1, R.main.href]) {
        const resp = await page.goto(p);
        assert.ok([403, 404].includes(resp?.status()), `${p} answered ${resp?.status()} for udvalg`);
        if (p === '/rounds' || p.startsWith('/reviews')) assert.equal(resp?.status(), 403, `${p} answered ${resp?.status()}`);
        assert.equal(await page.locator('main input[type=radio]').count(), 0);
        assert.ok(!(await mainText(page)).includes(L1_REMARK));
      }
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });
});

// ==============================================================================================

describe('rounds: the pages in English', () => {
  test('leder switches to English: the round, review and case pages are English, with no message keys', async (t) => {
    const { context, page } = await newPage();
    try {
      assert.ok(R.main, 'the round was not set up');
      await loginOk(page, 'leder');
      await page.goto('/rounds');
      await clickAndWaitForLoad(page, await englishButton(page));
      const danish = ['Næste skridt', 'Gennemgange af sagen', 'Afstemt svar', 'Aflever gennemgangen', 'Mine gennemgange',
        'Tilsynsrunder', 'Sager i runden', 'Fordeling og fremdrift', 'Planlagte sager', 'Samlet fremdrift', 'besvaret', 'Gennemgår'];
      const open = caseWith((x) => review(x, 1).reviewer === NAMES.leder && ![R.main.key, R.keyboardCase].includes(x.key));
      assert.ok(open, 'leder has no open level-1 review left');
      const pages = [
        ['/rounds', 'Rounds', 'rounds-list-en'],
        [`/rounds/${R.id}`, null, 'round-en'],
        [review(open, 1).href, null, 'review-en'],
        [R.main.l1, null, 'review-readonly-en'],
        [R.main.href, null, 'round-case-en'],
        ['/reviews', 'My reviews', 'reviews-en'],
        ['/rounds/new', null, 'round-new-en'],
      ];
      for (const [p, h1, name] of pages) {
        const resp = await page.goto(p);
        assert.equal(resp?.status(), 200, `${p} answered ${resp?.status()} in English`);
        assert.equal(await page.locator('html').getAttribute('lang'), 'en', `${p} is not in English`);
        if (h1) assert.equal(squash(await page.locator('main h1').textContent()), h1);
        await shot(page, name);
        await expectNoRawKeys(page, `${p} (English)`);
        // The chrome is English (the questions of a Danish-only template may stay Danish).
        const chrome = squash(
          (await page.locator('main :is(h1, h2, th[scope="col"], dt, button, .breadcrumb, .hint, .notice, .progress, summary)').allTextContents()).join(' | '),
        );
        const left = danish.filter((w) => chrome.includes(w));
        assert.deepEqual(left, [], `Danish text on ${p} in English: ${left.join(', ')}`);
      }
      await page.goto(review(open, 1).href);
      assert.equal(await page.locator('#review-form button[name="then"][value="submit"]').textContent(), 'Submit the review');
      await expectAxeClean(page, 'the review page (English, editable)');
      await page.goto(R.main.href);
      await expectAxeClean(page, '/rounds/{id}/case (English)');
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });
});

// ==============================================================================================

const BIN = (() => {
  const raw = process.env.TILSYN_BIN || path.join(process.env.CARGO_TARGET_DIR || 'target', 'debug', 'tilsyn');
  return path.isAbsolute(raw) ? raw : path.join(ROOT, raw);
})();

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A `tilsyn demo` of the test's own: start(), kill(signal), and its log file. */
function ownServer(dir, port) {
  const db = `sqlite://${path.join(dir, 'kill.db')}`;
  const log = path.join(dir, 'server.log');
  let child = null;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    async start() {
      const fd = openSync(log, 'a');
      child = spawn(BIN, ['demo', '--addr', `127.0.0.1:${port}`, '--database-url', db], {
        stdio: ['ignore', fd, fd],
      });
      closeSync(fd);
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}); see ${log}`);
        const ok = await fetch(`${this.url}/healthz`).then((r) => r.status === 200, () => false);
        if (ok) return;
        if (Date.now() > deadline) throw new Error(`the server did not answer /healthz within 60 s; see ${log}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async kill(signal) {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
    },
  };
}

describe('rounds: the server is killed between autosave and submit', () => {
  let dir;
  let server;

  after(async () => {
    await server?.kill('SIGTERM');
    if (dir && !process.env.E2E_KEEP) rmSync(dir, { recursive: true, force: true });
  });

  test('an autosaved answer survives SIGKILL and a restart; the review is then submitted', async (t) => {
    if (!existsSync(BIN)) {
      t.skip(`no server binary at ${BIN} (set TILSYN_BIN)`);
      return;
    }
    dir = mkdtempSync(path.join(os.tmpdir(), 'tilsyn-e2e-kill-'));
    server = ownServer(dir, await freePort());
    await server.start();
    let s1 = await newPage({ baseURL: server.url });
    let page = s1.page;
    try {
      // A one-level round of two cases, set up through the pages.
      await loginOk(page, 'leder');
      await page.goto('/rounds/new');
      const name = `E2E kill-test ${RUN}`;
      const created = await submitPlan(page, { name, kind: 'broad', template: TEMPLATE, sizes: [2] });
      assert.equal(created?.status(), 200);
      const id = pathname(page).split('/').pop();
      const sampleId = await drawSample(page, 2);
      await attachSample(page, id, sampleId);
      await assignLevel(page, 1);
      await changeState(page, 'Start gennemgangen');
      const cases = await roundCases(page);
      const cell = review(cases[0], 1);
      const reviewer = USER_OF[cell.reviewer];
      assert.ok(reviewer, `the review went to ${cell.reviewer}`);
      if (reviewer !== 'leder') {
        await s1.context.close();
        s1 = await newPage({ baseURL: server.url });
        page = s1.page;
        await loginOk(page, reviewer);
      }
      await page.goto(cell.href);
      const items = await reviewItems(page);
      const first = items[0].key;
      await answer(page, first, 'nogen');
      const remark = `Skrevet før nedbruddet ${RUN}`;
      await autosaved(page, () => remarkBox(page, first).fill(remark));

      // SIGKILL: no graceful shutdown.
      await server.kill('SIGKILL');
      const offline = await page.goto(cell.href).then(() => 'answered', (e) => e.message);
      assert.notEqual(offline, 'answered', 'the killed server still answers');
      await s1.context.close();

      await server.start();
      const s2 = await newPage({ baseURL: server.url });
      try {
        page = s2.page;
        await loginOk(page, reviewer);
        const resp = await page.goto(cell.href);
        assert.equal(resp?.status(), 200, `the review after the restart answered ${resp?.status()}`);
        const after = await reviewItems(page);
        assert.equal(after[0].value, 'nogen', 'the autosaved answer is gone after SIGKILL and restart');
        assert.equal(after[0].remark, remark, 'the autosaved remark is gone after SIGKILL and restart');
        await completeAndSubmit(page, () => 'hoej');
        await page.goto(cell.href);
        const done = await reviewItems(page);
        assert.equal(done[0].value, 'nogen');
        assert.equal(await page.locator('#review-form button[name="then"]').count(), 0, 'the review is not submitted');
      } finally {
        dumpProblems(t, page);
        await s2.context.close();
      }
    } catch (e) {
      t.diagnostic(`server log: ${server.log}`);
      throw e;
    } finally {
      dumpProblems(t, page);
    }
  });
});
