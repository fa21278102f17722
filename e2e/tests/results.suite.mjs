// Results, reports and feedback through the pages, in Danish (issue 6):
//
//  - `leder` (who runs the demo round "Ledelsestilsyn forår 2026", analysing, every review
//    submitted, counting rule "agreed") follows the dashboard's link to the results: the
//    analysts' view (no suppression) with SVG charts that have a title and a description, and
//    the committee's view behind a tab (small cells hidden, with the note);
//  - `leder` makes the committee's PDF and an XLSX through the form (a download, stored as a
//    snapshot) and finds them in "Gemte rapporter"; the stored JSON agrees with the page;
//  - `udvalg` (viewer) gets the committee's view only and no feedback; `jurist` likewise;
//    `raadgiver` and `admin` are refused with 403;
//  - `leder` opens one caseworker's feedback (every level's answers);
//  - the results page in English.
//
// The rounds suite adds rounds of its own; this suite finds the demo's round by its name.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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

const ROUND = 'Ledelsestilsyn forår 2026';
const HEADING = `Resultater: ${ROUND}`;
const DASHBOARD_SECTION = 'Resultater og tilbagemelding';
const TAB = { committee: 'Udvalget', management: 'Ledelsen', analyst: 'Analyse (alle tal)' };
const OVERALL = 'Alle ja/nej-spørgsmål';
const COUNTING = 'Det afstemte svar, ellers det højeste niveaus';
const NO_SUPPRESSION = 'Ingen diskretionering';
const HIDDEN_NOTE = 'Skjult af hensyn til fortroligheden';
const MAKE_REPORT = 'Dan og hent rapport';
const STORED = 'Gemte rapporter';
const FEEDBACK = 'Tilbagemelding til den enkelte rådgiver';
/** A share as the page prints it in Danish: "82,9 %" (with a no-break space). */
const SHARE = /\d+,\d[\s\u00a0]%/;

const squash = (s) => (s ?? '').replace(/\s+/g, ' ').trim();
const mainText = async (page) => squash(await page.locator('main').textContent());

/** Filled by the first test (the round's id, from the dashboard link). */
const R = { id: null, results: null };

// ------------------------------------------------------------------------------ page helpers

/** The dashboard's "Resultater og tilbagemelding" section (null when the page has none). */
function resultsSection(page) {
  return page.locator('main section', { has: page.locator('h2', { hasText: DASHBOARD_SECTION }) });
}

/** On the dashboard: the link to the demo round's results; sets R.id. */
async function dashboardResultsLink(page) {
  const section = resultsSection(page);
  assert.equal(await section.count(), 1, `the dashboard has no "${DASHBOARD_SECTION}" section`);
  const link = section.locator('a[href$="/results"]', { hasText: HEADING });
  assert.equal(await link.count(), 1, `the dashboard has no link "${HEADING}": ${squash(await section.textContent())}`);
  const href = await link.getAttribute('href');
  const m = href.match(/^\/rounds\/([0-9a-f-]{36})\/results$/);
  assert.ok(m, `the results link is ${href}`);
  if (R.id) assert.equal(m[1], R.id, 'the dashboard links to another round');
  R.id = m[1];
  R.results = href;
  return link;
}

/** Make sure R.id is known (when a test runs on its own): through leder's dashboard. */
async function roundId() {
  if (R.id) return R.id;
  const { context, page } = await newPage();
  try {
    await loginOk(page, 'leder');
    await dashboardResultsLink(page);
  } finally {
    await context.close();
  }
  return R.id;
}

/** The audience tabs: [{ code, label, current }]. */
async function tabs(page) {
  return page.locator('main nav.tabs a').evaluateAll((as) =>
    as.map((a) => ({
      code: new URL(a.href).searchParams.get('audience'),
      label: (a.textContent || '').trim(),
      current: a.getAttribute('aria-current') === 'page',
    })),
  );
}

/** The key figure "Alle ja/nej-spørgsmål" (its <dd>). */
async function overall(page) {
  const dd = page.locator('main dl.facts dt', { hasText: OVERALL }).locator('xpath=following-sibling::dd[1]');
  assert.equal(await dd.count(), 1, `no key figure "${OVERALL}"`);
  return {
    text: squash(await dd.textContent()),
    share: squash(await dd.locator('strong.big').textContent()),
  };
}

/** Every chart: caption, and its svg's role, <title>, <desc>. */
async function charts(page) {
  return page.locator('main figure.chart').evaluateAll((figs) =>
    figs.map((f) => {
      const svg = f.querySelector('svg');
      const title = svg?.querySelector(':scope > title');
      const desc = svg?.querySelector(':scope > desc');
      return {
        caption: (f.querySelector('figcaption')?.textContent || '').trim(),
        hasSvg: !!svg,
        role: svg?.getAttribute('role') ?? null,
        title: (title?.textContent || '').trim(),
        desc: (desc?.textContent || '').trim(),
        labelledby: svg?.getAttribute('aria-labelledby') ?? null,
        width: svg ? svg.getBoundingClientRect().width : 0,
        figureWidth: f.getBoundingClientRect().width,
      };
    }),
  );
}

/** The rows of the "Gemte rapporter" table: [{ audience, when, fingerprint, links }]. */
async function storedReports(page) {
  const table = page.locator('main table', { has: page.locator('caption', { hasText: STORED }) });
  if ((await table.count()) === 0) return [];
  return table.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const td = [...tr.querySelectorAll('td')].map((c) => (c.textContent || '').replace(/\s+/g, ' ').trim());
      return {
        audience: td[0],
        when: td[1],
        fingerprint: td[2],
        links: [...tr.querySelectorAll('a')].map((a) => a.getAttribute('href')),
      };
    }),
  );
}

/**
 * Choose a format in the report form and press "Dan og hent rapport": the answer is a
 * download (the page stays). Returns { response, download, bytes, name }.
 */
async function makeReport(page, format) {
  const form = page.locator(`main form[action="/rounds/${R.id}/reports"]`);
  assert.equal(await form.count(), 1, 'the results page has no report form');
  await form.locator('select#format').selectOption(format);
  const response = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/rounds/${R.id}/reports`,
  );
  const download = page.waitForEvent('download');
  await form.locator('button[type="submit"]', { hasText: MAKE_REPORT }).click();
  const [resp, dl] = await Promise.all([response, download]);
  const file = await dl.path();
  assert.ok(file, `the ${format} download failed: ${await dl.failure()}`);
  // A post answered with an attachment ends the navigation the browser had begun: Chromium
  // reports that request as aborted, which is how a download looks, not a page problem.
  page.problems = page.problems.filter((p) => !/^requestfailed: POST \S+\/reports net::ERR_ABORTED/.test(p));
  return { response: resp, download: dl, bytes: readFileSync(file), name: dl.suggestedFilename() };
}

/** Fluent shows a missing message as its key: no key may reach the page's text. */
const RAW_KEY = /\b(?:report|results?|feedback|audience|dimension|counting)-[a-z0-9]+(?:-[a-z0-9]+)*\b/g;
async function expectNoRawKeys(page, label) {
  const text = `${await mainText(page)} ${squash(await page.locator('head > title').textContent())}`;
  const hits = text.match(RAW_KEY) ?? [];
  assert.deepEqual(hits, [], `untranslated message keys on ${label}: ${hits.join(', ')}`);
}

// ==============================================================================================

describe('results: the round owner reads the results', () => {
  test('leder: dashboard link → analysts\' view and committee view, charts with title and description', async (t) => {
    const { context, page } = await newPage();
    try {
      await loginOk(page, 'leder');
      const link = await dashboardResultsLink(page);
      let resp = await clickAndWaitForLoad(page, link);
      assert.equal(resp?.status(), 200, `the results page answered ${resp?.status()}`);
      assert.equal(pathname(page), `/rounds/${R.id}/results`);
      assert.equal(squash(await page.locator('main h1').textContent()), HEADING);

      // The owners' default: the analysts' view, with tabs for every audience.
      const tb = await tabs(page);
      assert.deepEqual(tb.map((x) => x.code), ['committee', 'management', 'analyst'], `tabs: ${JSON.stringify(tb)}`);
      assert.deepEqual(tb.map((x) => x.label), [TAB.committee, TAB.management, TAB.analyst]);
      assert.deepEqual(tb.filter((x) => x.current).map((x) => x.code), ['analyst'], 'the analysts\' tab is not the current one');
      assert.equal(await page.locator('main nav.tabs').getAttribute('aria-label'), 'Modtager');
      const text = await mainText(page);
      assert.ok(text.includes(NO_SUPPRESSION), `the analysts' view does not say "${NO_SUPPRESSION}"`);
      assert.ok(!text.includes(HIDDEN_NOTE), 'the analysts\' view has the suppression note');
      assert.equal(await page.locator('main input[name="audience"]').inputValue(), 'analyst');

      // Key figures.
      const o = await overall(page);
      assert.match(o.share, SHARE, `"${OVERALL}" shows ${o.text}`);
      assert.match(o.text, /n = \d+/, `"${OVERALL}" shows no n: ${o.text}`);
      const counting = page.locator('main dl.facts dt', { hasText: 'Hvilket svar tæller' }).locator('xpath=following-sibling::dd[1]');
      assert.equal(squash(await counting.textContent()), COUNTING);
      assert.match(text, /(\d+) af \1 sager er færdiggennemgået på alle niveauer/, 'not every case of the round counts');

      // Charts: at least 4, each an svg role=img with a <title> and a <desc>.
      const ch = await charts(page);
      assert.ok(ch.length >= 4, `${ch.length} chart(s) on the page`);
      for (const [i, c] of ch.entries()) {
        const label = `chart ${i + 1} ("${c.caption}")`;
        assert.ok(c.hasSvg, `${label} has no svg`);
        assert.equal(c.role, 'img', `${label}: svg role=${c.role}`);
        assert.ok(c.title.length > 0, `${label} has an empty <title>`);
        assert.ok(c.desc.length > 0, `${label} has an empty <desc>`);
        assert.ok(c.width <= c.figureWidth + 1, `${label} is wider (${c.width}px) than its figure (${c.figureWidth}px)`);
      }
      // The charts' numbers are in tables as well: every share of the table by section is in
      // the description of the chart by section.
      const secChart = ch.find((c) => c.title === 'Andel overholdt pr. sagsskridt');
      assert.ok(secChart, `no chart "Andel overholdt pr. sagsskridt": ${ch.map((c) => c.title).join(' | ')}`);
      const secShares = await page.locator('main section:has(#sec-h) tbody tr td.num:nth-child(2)').allTextContents();
      assert.ok(secShares.length >= 5, `the table by section has ${secShares.length} rows`);
      for (const share of secShares) {
        assert.match(share, SHARE, `a share in the table by section: ${share}`);
        assert.ok(secChart.desc.includes(share.trim()), `the chart by section does not describe ${share}: ${secChart.desc.slice(0, 200)}`);
      }
      // Owners get the caseworkers' feedback.
      assert.equal(await page.locator('main details summary', { hasText: FEEDBACK }).count(), 1, `no "${FEEDBACK}"`);

      await expectLayout(page, 'results (analyst)');
      await expectNoRawKeys(page, 'results (analyst)');
      await shot(page, 'results-analyst');
      await expectAxeClean(page, 'results (analyst)');

      // The committee's tab: small cells hidden, with the note.
      resp = await clickAndWaitForLoad(page, page.locator('main nav.tabs a', { hasText: TAB.committee }));
      assert.equal(resp?.status(), 200, `the committee's view answered ${resp?.status()}`);
      assert.equal(new URL(page.url()).searchParams.get('audience'), 'committee');
      assert.deepEqual((await tabs(page)).filter((x) => x.current).map((x) => x.code), ['committee']);
      const ctext = await mainText(page);
      assert.ok(ctext.includes(HIDDEN_NOTE), `the committee's view has no "${HIDDEN_NOTE}" note`);
      assert.ok(!ctext.includes(NO_SUPPRESSION), `the committee's view says "${NO_SUPPRESSION}"`);
      assert.equal(await page.locator('main input[name="audience"]').inputValue(), 'committee');
      const co = await overall(page);
      assert.equal(co.share, o.share, 'the overall share differs between the analysts\' and the committee\'s view');
      const hidden = await page.locator('main td.num', { hasText: /^\*$/ }).count();
      t.diagnostic(`committee view: ${hidden} hidden cell(s)`);
      assert.ok((await charts(page)).length >= 4, 'the committee\'s view has fewer than 4 charts');
      await expectLayout(page, 'results (committee)');
      await expectNoRawKeys(page, 'results (committee)');
      await shot(page, 'results-committee');
      await expectAxeClean(page, 'results (committee)');
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });

  test('leder makes the committee\'s PDF and an XLSX; both are stored; the stored JSON agrees with the page', async (t) => {
    const { context, page } = await newPage();
    try {
      await roundId();
      await loginOk(page, 'leder');
      let resp = await page.goto(`/rounds/${R.id}/results?audience=committee`);
      assert.equal(resp?.status(), 200);
      const before = await storedReports(page);
      const share = (await overall(page)).share;

      const pdf = await makeReport(page, 'pdf');
      assert.equal(pdf.response.status(), 200, `making the PDF answered ${pdf.response.status()}`);
      assert.match(pdf.response.headers()['content-type'] ?? '', /application\/pdf/);
      assert.match(pdf.response.headers()['content-disposition'] ?? '', /^attachment/);
      assert.ok(pdf.name.endsWith('.pdf'), `the PDF is called ${pdf.name}`);
      assert.match(pdf.name, /committee/, `the PDF's name does not say committee: ${pdf.name}`);
      assert.equal(pdf.bytes.subarray(0, 4).toString('latin1'), '%PDF', 'the PDF does not start with %PDF');
      assert.equal(pathname(page), `/rounds/${R.id}/results`, 'the download navigated away');

      const xlsx = await makeReport(page, 'xlsx');
      assert.equal(xlsx.response.status(), 200, `making the XLSX answered ${xlsx.response.status()}`);
      assert.ok(xlsx.name.endsWith('.xlsx'), `the XLSX is called ${xlsx.name}`);
      assert.equal(xlsx.bytes.subarray(0, 2).toString('latin1'), 'PK', 'the XLSX is not a zip');

      // Both are stored as snapshots.
      resp = await page.reload();
      assert.equal(resp?.status(), 200);
      const after = await storedReports(page);
      assert.ok(after.length >= before.length + 2, `"${STORED}" lists ${after.length} report(s), ${before.length} before`);
      assert.ok(after.length >= 2);
      // The two just made: new rows, the committee's, by leder (newest first).
      const old = new Set(before.map((r) => r.links[0]));
      const mine = after.filter((r) => !old.has(r.links[0]));
      assert.equal(mine.length, 2, `the stored reports: ${JSON.stringify(after)}`);
      for (const r of mine) {
        assert.equal(r.audience, TAB.committee, `a stored report: ${JSON.stringify(r)}`);
        assert.match(r.when, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})? · (leder|Lise Holm)$/, `a stored report: ${JSON.stringify(r)}`);
        assert.match(r.fingerprint, /^[0-9a-f]{12}$/);
      }
      for (const r of after) {
        for (const f of ['pdf', 'docx', 'xlsx', 'csv', 'json']) {
          assert.ok(r.links.some((h) => new RegExp(`^/reports/[0-9a-f-]{36}/${f}$`).test(h)), `no ${f} link in ${JSON.stringify(r)}`);
        }
      }
      await shot(page, 'results-stored');
      await expectAxeClean(page, 'results (committee, stored reports)');

      // The stored JSON: the same figures as the page.
      const jsonLink = mine[0].links.find((h) => h.endsWith('/json'));
      const j = await page.request.get(jsonLink);
      assert.equal(j.status(), 200, `${jsonLink} answered ${j.status()}`);
      assert.match(j.headers()['content-type'] ?? '', /application\/json/);
      const data = await j.json();
      assert.equal(data.round, ROUND);
      assert.equal(data.round_id, R.id);
      assert.equal(data.audience, 'committee');
      assert.equal(data.counting_text, COUNTING);
      assert.ok(data.threshold >= 2, `the committee's JSON has threshold ${data.threshold}`);
      const all = data.figures.find((f) => f.level === 'overall');
      assert.ok(all && typeof all.share === 'number', `no overall figure: ${JSON.stringify(data.figures?.[0])}`);
      const formatted = `${(all.share * 100).toFixed(1).replace('.', ',')}\u00a0%`;
      assert.equal(formatted, share.replace(/\s/g, '\u00a0'), `the JSON's overall share ${all.share} is not the page's ${share}`);
      const sections = data.figures.filter((f) => f.level === 'section' && !f.hidden);
      const pageSections = await page.locator('main section:has(#sec-h) tbody tr').evaluateAll((trs) =>
        trs.map((tr) => (tr.querySelector('td.num')?.textContent || '').trim()),
      );
      for (const s of sections) {
        const f = `${(s.share * 100).toFixed(1).replace('.', ',')}\u00a0%`;
        assert.ok(pageSections.includes(f), `section ${s.number} ${s.label}: ${f} is not on the page (${pageSections.join(' | ')})`);
      }
      // The other formats of the same snapshot: DOCX (a zip) and the PDF again.
      const docx = await page.request.get(mine[0].links.find((h) => h.endsWith('/docx')));
      assert.equal(docx.status(), 200, `the stored DOCX answered ${docx.status()}`);
      assert.equal((await docx.body()).subarray(0, 2).toString('latin1'), 'PK', 'the DOCX is not a zip');
      const again = await page.request.get(mine[0].links.find((h) => h.endsWith('/pdf')));
      assert.equal(again.status(), 200);
      assert.equal((await again.body()).subarray(0, 4).toString('latin1'), '%PDF');
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });

  test('leder opens the feedback for caseworker AB: the cases with every level\'s answers', async (t) => {
    const { context, page } = await newPage();
    try {
      await roundId();
      await loginOk(page, 'leder');
      await page.goto(`/rounds/${R.id}/results`);
      const details = page.locator('main details', { has: page.locator('summary', { hasText: FEEDBACK }) });
      assert.equal(await details.count(), 1, `no "${FEEDBACK}"`);
      await details.locator('summary').click();
      const link = details.locator('a', { hasText: /^AB$/ });
      assert.equal(await link.count(), 1, `no link to AB: ${squash(await details.textContent())}`);
      assert.ok(await link.isVisible(), 'the AB link is not visible after opening the details');
      const resp = await clickAndWaitForLoad(page, link);
      assert.equal(resp?.status(), 200, `the feedback answered ${resp?.status()}`);
      assert.equal(pathname(page), `/rounds/${R.id}/feedback`);
      assert.equal(new URL(page.url()).searchParams.get('caseworker'), 'AB');
      assert.equal(squash(await page.locator('main h1').textContent()), `Tilbagemelding: ${ROUND}`);
      const cases = page.locator('main section.panel', { has: page.locator('table') });
      assert.ok((await cases.count()) >= 1, 'the feedback shows no case');
      const text = await mainText(page);
      assert.match(text, /Niveau 1: \S/, 'no level-1 answer');
      assert.match(text, /Niveau 2: \S/, 'no level-2 answer');
      assert.match(text, /\d+ af \d+ ja\/nej-spørgsmål overholdt/);
      assert.equal(await page.locator('main a.button', { hasText: 'Hent som PDF' }).count(), 1);
      await expectLayout(page, 'feedback (AB)');
      await expectNoRawKeys(page, 'feedback (AB)');
      await shot(page, 'results-feedback');
      await expectAxeClean(page, 'feedback (AB)');
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });
});

// ==============================================================================================

describe('results: who else may read them', () => {
  test('udvalg (viewer): the dashboard link, the committee\'s view only, no analysts\' view, no feedback', async (t) => {
    const { context, page } = await newPage();
    try {
      await roundId();
      await loginOk(page, 'udvalg');
      const link = await dashboardResultsLink(page);
      let resp = await clickAndWaitForLoad(page, link);
      assert.equal(resp?.status(), 200, `the results page answered ${resp?.status()} for udvalg`);
      assert.equal(squash(await page.locator('main h1').textContent()), HEADING);
      const tb = await tabs(page);
      assert.ok(!tb.some((x) => x.code === 'analyst'), `udvalg is offered the analysts' view: ${JSON.stringify(tb)}`);
      const current = tb.find((x) => x.current);
      if (current) assert.equal(current.code, 'committee', 'udvalg\'s default view is not the committee\'s');
      assert.equal(await page.locator('main input[name="audience"]').inputValue(), 'committee');
      const text = await mainText(page);
      assert.ok(text.includes(HIDDEN_NOTE), `udvalg's view has no "${HIDDEN_NOTE}" note`);
      assert.ok(!text.includes(NO_SUPPRESSION));
      assert.match((await overall(page)).share, SHARE);
      assert.equal(await page.locator('main a[href*="/feedback"]').count(), 0, 'udvalg has feedback links');
      assert.equal(await page.locator('main details summary', { hasText: FEEDBACK }).count(), 0);
      // No figures per caseworker (or level) for the committee.
      const headings = (await page.locator('main :is(h2, figcaption)').allTextContents()).map(squash);
      const perPerson = headings.filter((h) => /Opdelinger: (Rådgiver|Niveau)/.test(h));
      assert.deepEqual(perPerson, [], `the committee's view breaks the figures down by ${perPerson.join(', ')}`);
      // Not the round's page either: the breadcrumb leads to the dashboard.
      assert.equal(await page.locator(`main a[href="/rounds/${R.id}"]`).count(), 0, 'udvalg is linked to the round page');
      await expectLayout(page, 'results (udvalg)');
      await shot(page, 'results-udvalg');
      await expectAxeClean(page, 'results (udvalg)');

      resp = await page.goto(`/rounds/${R.id}/results?audience=analyst`);
      assert.equal(resp?.status(), 404, `?audience=analyst answered ${resp?.status()} for udvalg`);
      assert.ok(!(await mainText(page)).includes(NO_SUPPRESSION));
      resp = await page.goto(`/rounds/${R.id}/feedback?caseworker=AB`);
      assert.ok([403, 404].includes(resp?.status()), `the feedback answered ${resp?.status()} for udvalg`);
      // A report for the analysts cannot be made by a post either.
      const token = await page.goto(`/rounds/${R.id}/results`).then(() =>
        page.locator('input[name="csrf_token"]').first().getAttribute('value'),
      );
      const post = await page.request.post(`/rounds/${R.id}/reports`, {
        form: { csrf_token: token, audience: 'analyst', format: 'json' },
        maxRedirects: 0,
      });
      assert.equal(post.status(), 404, `an analysts' report made by udvalg answered ${post.status()}`);
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });

  test('udvalg and jurist get the committee\'s figures only: one view, no other audience', async (t) => {
    await roundId();
    for (const user of ['udvalg', 'jurist']) {
      const { context, page } = await newPage();
      try {
        await loginOk(page, user);
        let resp = await page.goto(`/rounds/${R.id}/results`);
        assert.equal(resp?.status(), 200, `the results answered ${resp?.status()} for ${user}`);
        const tb = await tabs(page);
        assert.ok(tb.length <= 1, `${user} is offered ${tb.length} views: ${tb.map((x) => x.label).join(', ')}`);
        for (const a of ['management', 'analyst']) {
          resp = await page.goto(`/rounds/${R.id}/results?audience=${a}`);
          assert.equal(resp?.status(), 404, `?audience=${a} answered ${resp?.status()} for ${user}`);
        }
      } finally {
        dumpProblems(t, page);
        await context.close();
      }
    }
  });

  test('raadgiver and admin are refused the results with 403 and have no dashboard link', async (t) => {
    await roundId();
    for (const user of ['raadgiver', 'admin']) {
      const { context, page } = await newPage();
      try {
        await loginOk(page, user);
        assert.equal(
          await page.locator(`main a[href="/rounds/${R.id}/results"]`).count(),
          0,
          `${user}'s dashboard links to the results`,
        );
        for (const q of ['', '?audience=committee', '?audience=analyst']) {
          const resp = await page.goto(`/rounds/${R.id}/results${q}`);
          assert.equal(resp?.status(), 403, `/rounds/{id}/results${q} answered ${resp?.status()} for ${user}`);
          assert.ok(!(await mainText(page)).includes(OVERALL), `${user} sees the key figures`);
          assert.equal(await page.locator('main figure.chart').count(), 0);
        }
      } finally {
        dumpProblems(t, page);
        await context.close();
      }
    }
  });
});

// ==============================================================================================

describe('results: in English', () => {
  test('leder switches to English: the results page reads "Results: …"', async (t) => {
    const { context, page } = await newPage();
    try {
      await roundId();
      await loginOk(page, 'leder');
      await page.goto(`/rounds/${R.id}/results`);
      await clickAndWaitForLoad(page, await englishButton(page));
      let resp = await page.goto(`/rounds/${R.id}/results`);
      assert.equal(resp?.status(), 200);
      assert.equal(await page.locator('html').getAttribute('lang'), 'en');
      assert.equal(squash(await page.locator('main h1').textContent()), `Results: ${ROUND}`);
      const o = await overall(page).catch(() => null);
      assert.ok(!o, 'the English page still says "Alle ja/nej-spørgsmål"');
      const chrome = squash(
        (await page.locator('main :is(h2, dt, th[scope="col"], button, summary, figcaption, nav.tabs a, .hint)').allTextContents()).join(' | '),
      );
      const danish = ['Nøgletal', 'Hvilket svar tæller', 'Andel overholdt', 'Dan og hent rapport', 'Spørgsmål', 'Sagsskridt', 'Udvalget', 'Ledelsen'];
      const left = danish.filter((w) => chrome.includes(w));
      assert.deepEqual(left, [], `Danish text on the English results page: ${left.join(', ')}`);
      await expectNoRawKeys(page, 'results (English)');
      await shot(page, 'results-en');
      resp = await page.goto(`/rounds/${R.id}/results?audience=committee`);
      assert.equal(resp?.status(), 200);
      await expectAxeClean(page, 'results (English, committee)');
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });
});
