// The case register (sagsregistret), importing an extract through the upload → mapping →
// check → confirm pages, and drawing samples (stikprøver). `koordinator` (grants on
// "Myndighed Børn og Unge": Team Nord and Team Syd) may do all of it; the users without a
// case grant are refused with 403 and see no links to the pages.
//
// The demo seeds 600 made-up DUBU cases (S-0000000 … S-0000599) spread over six teams. The
// tests import under the source Nexus so the demo's DUBU cases are never marked as gone.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  clickAndWaitForLoad,
  dumpProblems,
  englishButton,
  expectAxeClean,
  expectLayout,
  headerText,
  loginOk,
  newPage,
  pathname,
  shot,
} from './helpers.mjs';

/** The units `koordinator` and `leder` see cases from. */
const MY_TEAMS = ['Team Nord', 'Team Syd'];
const PER_PAGE = 50;
/** The demo users with no grant that covers cases. */
const NO_CASES = ['admin', 'raadgiver', 'jurist', 'udvalg', 'panel'];
const CASE_PAGES = ['/cases', '/cases/import', '/samples', '/samples/new'];
/** The header of the demo's extract (crates/intake/src/synthetic.rs). */
const HEADER =
  'Sagsnr;CPR-nr;Rådgiver;Team;Område;Paragraf;Startdato;Slutdato;Afgørelsesdato;Underretning modtaget;Anbringelsessted;Bemærkning';
const PROFILE_NAME = 'E2E Nexus-opsætning';
const TMP = mkdtempSync(path.join(os.tmpdir(), 'tilsyn-e2e-cases-'));

const squash = (s) => (s ?? '').replace(/\s+/g, ' ').trim();
const mainText = async (page) => squash(await page.locator('main').textContent());

after(() => rmSync(TMP, { recursive: true, force: true }));

/** Write an extract (header + `;`-separated rows, CRLF) to the temp dir; returns its path. */
function writeExtract(name, rows) {
  const file = path.join(TMP, name);
  writeFileSync(file, [HEADER, ...rows].map((r) => `${r}\r\n`).join(''), 'utf8');
  return file;
}

/** The rows of the register table on the current page. */
async function registerRows(page) {
  return page.locator('main table.data tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const cells = [...tr.querySelectorAll('th, td')].map((c) => (c.textContent || '').trim());
      const [id, source, caseType, unit, caseworker, start, end] = cells;
      return { id, source, caseType, unit, caseworker, start, end };
    }),
  );
}

/** "Viser 1–50 af 197 sager" → { first, last, total } (fails on any other caption). */
async function registerCaption(page) {
  const text = squash(await page.locator('main table.data caption').textContent());
  const m = text.match(/^Viser (\d+)–(\d+) af (\d+) sager$/);
  assert.ok(m, `the register's caption is "${text}", expected "Viser A–B af N sager"`);
  return { first: Number(m[1]), last: Number(m[2]), total: Number(m[3]), text };
}

/** Fill the register's search form and submit it. */
async function searchRegister(page, q, caseType = '') {
  await page.locator('#q').fill(q);
  await page.locator('#type').selectOption(caseType);
  const resp = await clickAndWaitForLoad(page, page.locator('main form[role="search"] button[type="submit"]'));
  assert.equal(resp?.status(), 200, `searching the register for "${q}" answered ${resp?.status()}`);
  assert.equal(pathname(page), '/cases');
  assert.equal(new URL(page.url()).searchParams.get('q'), q);
}

/** Upload a file on /cases/import with the given source system; returns the response. */
async function uploadExtract(page, file, source) {
  const resp = await page.goto('/cases/import');
  assert.equal(resp?.status(), 200, `/cases/import answered ${resp?.status()}`);
  await page.locator('#file').setInputFiles(file);
  await page.locator('#source').selectOption(source);
  return clickAndWaitForLoad(page, page.locator('main form button[type="submit"]', { hasText: 'Læs filen' }));
}

/** Submit the mapping form ("Tjek filen"). */
function checkMapping(page) {
  return clickAndWaitForLoad(page, page.locator('main form#mapping button[type="submit"]', { hasText: 'Tjek filen' }));
}

/** The report table of an unclean check as [{ line, column, value, problem }]. */
async function reportIssues(page) {
  return page.locator('main table.data tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const [line, column, value, problem] = [...tr.querySelectorAll('td')].map((c) =>
        (c.textContent || '').replace(/\s+/g, ' ').trim(),
      );
      return { line: Number(line), column, value, problem };
    }),
  );
}

/** Assert an error summary that has focus and links to exactly `fields` (ids), in any order. */
async function expectErrorSummary(page, fields, label) {
  const summary = page.locator('main .error-summary');
  assert.equal(await summary.count(), 1, `no error summary on ${label}`);
  const hrefs = await summary.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(
    [...hrefs].sort(),
    fields.map((f) => `#${f}`).sort(),
    `the error summary on ${label} links to ${hrefs.join(', ')}`,
  );
  for (const f of fields) {
    assert.equal(await page.locator(`[id="${f}"]`).count(), 1, `the error summary links to #${f}, which is not on the page`);
    assert.equal(
      await page.locator(`[id="${f}"]`).getAttribute('aria-invalid'),
      'true',
      `#${f} is not marked aria-invalid on ${label}`,
    );
  }
  assert.equal(
    await page.evaluate(() => document.activeElement?.classList.contains('error-summary')),
    true,
    `focus is not on the error summary on ${label}`,
  );
  return squash(await summary.textContent());
}

/** The links of the main navigation (text and href). */
async function navLinks(page) {
  return page.locator('nav.main-nav a').evaluateAll((as) =>
    as.map((a) => ({ text: (a.textContent || '').trim(), href: a.getAttribute('href') })),
  );
}

/** The <dd> of a <dt> in the sample's facts list. */
async function fact(page, term) {
  const row = page.locator('main dl.facts > div').filter({ has: page.locator(`dt:text-is("${term}")`) });
  assert.equal(await row.count(), 1, `the sample's facts have no "${term}"`);
  return squash(await row.locator('dd').textContent());
}

/** A level section of the sample page ("Niveau 1" …). */
function levelSection(page, n) {
  return page.locator('main section').filter({ has: page.locator(`h2:text-is("Niveau ${n}")`) });
}

/** The case keys (e.g. "DUBU/S-0000123") and units listed in a level's <details>. */
async function levelCases(page, n) {
  const section = levelSection(page, n);
  assert.equal(await section.count(), 1, `the sample page has no section "Niveau ${n}"`);
  const details = section.locator('details').filter({ has: page.locator('summary', { hasText: 'Sager i stikprøven' }) });
  assert.equal(await details.count(), 1, `"Niveau ${n}" has no <details> "Sager i stikprøven"`);
  const summary = squash(await details.locator('summary').textContent());
  const m = summary.match(/^Sager i stikprøven \((\d+)\)$/);
  assert.ok(m, `the summary of the cases of level ${n} is "${summary}"`);
  const rows = await details.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const [id, source, caseType, unit] = [...tr.querySelectorAll('th, td')].map((c) => (c.textContent || '').trim());
      return { key: `${source}/${id}`, caseType, unit };
    }),
  );
  assert.equal(rows.length, Number(m[1]), `"${summary}" but the table of level ${n} has ${rows.length} row(s)`);
  return { rows, keys: rows.map((r) => r.key), details };
}

/** Fill the sample form's sizes and seed (the rest stays as the form proposes) and submit. */
async function drawSample(page, { size, level2 = '', seed, referenceDate }) {
  await page.locator('#size').fill(String(size));
  await page.locator('#level2').fill(String(level2));
  if (seed !== undefined) await page.locator('#seed').fill(String(seed));
  if (referenceDate !== undefined) await page.locator('#reference_date').fill(referenceDate);
  return clickAndWaitForLoad(page, page.locator('main form button[type="submit"]', { hasText: 'Træk stikprøven' }));
}

// ---------------------------------------------------------------------------------------------

describe('case register as koordinator', () => {
  let context;
  let page;
  /** Every case id koordinator may see (filled by the first test). */
  const visible = new Set();

  before(async () => {
    ({ context, page } = await newPage());
    await loginOk(page, 'koordinator');
  });
  after(async () => {
    await context?.close();
  });

  test('/cases shows only Team Nord/Team Syd cases, 50 a page, and the pager walks them all', async (t) => {
    try {
      const resp = await page.goto('/cases');
      assert.equal(resp?.status(), 200, `/cases answered ${resp?.status()}`);
      await expectLayout(page, '/cases');
      assert.equal(squash(await page.locator('main h1').textContent()), 'Sagsregistret');
      const intro = await mainText(page);
      const scope = intro.match(/Du ser sager fra: ([^.]*)\./);
      assert.ok(scope, `no "Du ser sager fra: …" line on /cases: ${intro.slice(0, 300)}`);
      for (const team of MY_TEAMS) assert.ok(scope[1].includes(team), `the scope line "${scope[0]}" does not name ${team}`);
      assert.equal(await page.locator('main a.button[href="/cases/import"]', { hasText: 'Indlæs udtræk' }).count(), 1,
        'no "Indlæs udtræk" button to /cases/import');
      assert.equal(await page.locator('main a.button[href="/samples/new"]', { hasText: 'Træk en stikprøve' }).count(), 1,
        'no "Træk en stikprøve" button to /samples/new');
      // An import's counts cover every unit of its file, so only people who see the whole
      // municipality get the list of recent imports; the coordinator covers two teams.
      const imports = page.locator('main section', { has: page.locator('h2', { hasText: 'Seneste indlæsninger' }) });
      assert.equal(await imports.count(), 0, 'a coordinator sees "Seneste indlæsninger" with counts beyond their units');

      const cap = await registerCaption(page);
      assert.equal(cap.first, 1);
      assert.equal(cap.last, PER_PAGE, `the first page shows ${cap.text}`);
      assert.ok(cap.total > PER_PAGE && cap.total < 600, `koordinator sees ${cap.total} of the demo's 600 cases`);
      assert.equal(await page.locator('main nav.pager a', { hasText: 'Forrige side' }).count(), 0,
        'page 1 has a "Forrige side" link');
      await shot(page, 'cases-register');
      await expectAxeClean(page, '/cases');

      // Walk every page with "Næste side"; every row must be one of koordinator's teams.
      const pages = Math.ceil(cap.total / PER_PAGE);
      const wrongUnit = [];
      for (let p = 1; p <= pages; p++) {
        const rows = await registerRows(page);
        const c = await registerCaption(page);
        assert.equal(c.first, (p - 1) * PER_PAGE + 1, `page ${p}: ${c.text}`);
        assert.equal(c.last, Math.min(p * PER_PAGE, cap.total), `page ${p}: ${c.text}`);
        assert.equal(c.total, cap.total, `page ${p}: ${c.text}`);
        assert.equal(rows.length, c.last - c.first + 1, `page ${p} has ${rows.length} row(s) but says ${c.text}`);
        for (const r of rows) {
          if (!MY_TEAMS.includes(r.unit)) wrongUnit.push(`${r.id} (${r.unit})`);
          assert.equal(r.source, 'DUBU', `case ${r.id} has source ${r.source}`);
          assert.match(r.id, /^S-\d{7}$/, `unexpected case id ${r.id}`);
          assert.ok(!visible.has(r.id), `case ${r.id} is listed twice (page ${p})`);
          visible.add(r.id);
        }
        const next = page.locator('main nav.pager a[rel="next"]', { hasText: 'Næste side' });
        if (p < pages) {
          assert.equal(await next.count(), 1, `page ${p} of ${pages} has no "Næste side" link`);
          const r = await clickAndWaitForLoad(page, next);
          assert.equal(r?.status(), 200, `"Næste side" from page ${p} answered ${r?.status()}`);
          assert.equal(new URL(page.url()).searchParams.get('page'), String(p + 1));
        } else {
          assert.equal(await next.count(), 0, `the last page (${p}) still has a "Næste side" link`);
        }
      }
      assert.deepEqual(wrongUnit, [], `cases outside Team Nord/Team Syd are listed: ${wrongUnit.join(', ')}`);
      assert.equal(visible.size, cap.total, `walking the pages found ${visible.size} cases, the caption says ${cap.total}`);

      // "Forrige side" leads back.
      const prev = page.locator('main nav.pager a[rel="prev"]', { hasText: 'Forrige side' });
      assert.equal(await prev.count(), 1, 'the last page has no "Forrige side" link');
      const back = await clickAndWaitForLoad(page, prev);
      assert.equal(back?.status(), 200);
      assert.equal(new URL(page.url()).searchParams.get('page'), String(pages - 1));
      const c = await registerCaption(page);
      assert.equal(c.first, (pages - 2) * PER_PAGE + 1, `after "Forrige side": ${c.text}`);
      await shot(page, 'cases-register-pager');
    } finally {
      dumpProblems(t, page);
    }
  });

  test('searching a case id narrows the list; a case of another team is not found', async (t) => {
    try {
      assert.ok(visible.size > 0, 'the previous test collected no case ids');
      await page.goto('/cases');
      const id = [...visible].sort()[Math.floor(visible.size / 2)];
      await searchRegister(page, id);
      const rows = await registerRows(page);
      assert.deepEqual(rows.map((r) => r.id), [id], `searching "${id}" lists ${rows.map((r) => r.id).join(', ')}`);
      assert.equal((await registerCaption(page)).text, 'Viser 1–1 af 1 sager');
      assert.equal(await page.locator('#q').inputValue(), id, 'the search box does not keep the search');
      assert.equal(await page.locator('main nav.pager').count(), 0, 'a one-row result has a pager');
      await shot(page, 'cases-register-search');
      await expectAxeClean(page, `/cases?q=${id}`);

      // The demo has S-0000000 … S-0000599; one koordinator did not see belongs to another team.
      const other = Array.from({ length: 600 }, (_, i) => `S-${String(i).padStart(7, '0')}`).find((k) => !visible.has(k));
      assert.ok(other, 'koordinator sees all 600 demo cases');
      await searchRegister(page, other);
      assert.equal(await page.locator('main table.data').count(), 0, `searching "${other}" (another team) shows a table`);
      assert.match(await mainText(page), /Der er ingen sager at vise/);
      await expectAxeClean(page, `/cases?q=${other} (no hits)`);
    } finally {
      dumpProblems(t, page);
    }
  });

  test('the case-type filter lists only that type, as many as the option says', async (t) => {
    try {
      await page.goto('/cases');
      const option = page.locator('#type option').filter({ hasText: /^§ 46 \(\d+\)$/ });
      assert.equal(await option.count(), 1, 'the case-type select has no "§ 46 (N)" option');
      const n = Number(squash(await option.textContent()).match(/\((\d+)\)/)[1]);
      await searchRegister(page, '', '§ 46');
      assert.equal(new URL(page.url()).searchParams.get('type'), '§ 46');
      const rows = await registerRows(page);
      assert.ok(rows.length > 0, 'no § 46 cases listed');
      assert.deepEqual([...new Set(rows.map((r) => r.caseType))], ['§ 46'], 'other case types are listed');
      assert.equal((await registerCaption(page)).total, n, `the option says ${n} § 46 cases`);
      assert.equal(await page.locator('#type').inputValue(), '§ 46', 'the select does not keep the chosen type');
    } finally {
      dumpProblems(t, page);
    }
  });
});

describe('case import as koordinator', () => {
  let context;
  let page;

  before(async () => {
    ({ context, page } = await newPage());
    await loginOk(page, 'koordinator');
  });
  after(async () => {
    await context?.close();
  });

  test('the upload page is axe clean', async (t) => {
    try {
      const resp = await page.goto('/cases/import');
      assert.equal(resp?.status(), 200, `/cases/import answered ${resp?.status()}`);
      await expectLayout(page, '/cases/import');
      assert.equal(squash(await page.locator('main h1').textContent()), 'Indlæs sagsudtræk');
      const sources = await page.locator('#source option').evaluateAll((os) => os.map((o) => o.value));
      assert.deepEqual(sources, ['DUBU', 'Nexus', 'DXC', 'SBSYS']);
      assert.ok(await page.locator('#file').isVisible(), 'no visible file field');
      assert.ok(await page.locator('#profile').isVisible(), 'no visible profile select');
      assert.equal(await page.locator('#encoding').isVisible(), false, 'the encoding is not tucked into a <details>');
      await page.locator('main details summary').click();
      assert.ok(await page.locator('#encoding').isVisible(), 'opening the <details> does not show the encoding');
      assert.ok(await page.locator('#sheet').isVisible(), 'opening the <details> does not show the sheet');
      await shot(page, 'cases-import-upload');
      await expectAxeClean(page, '/cases/import');
    } finally {
      dumpProblems(t, page);
    }
  });

  test('imports a CSV (Nexus): mapping, check report, confirm, and the new cases are in the register', async (t) => {
    try {
      const file = writeExtract('e2e-nexus.csv', [
        'E2E-0001;230120-4156;CD;Team Nord;Handicap;§ 87;03-01-2024;;13-12-2023;08-12-2023;Plejefamilie;ok',
        'E2E-0002;150312-4021;AB;Team Syd;Udsatte børn;§ 52;10-02-2024;;01-02-2024;15-01-2024;;ok',
        'E2E-0003;041115-4310;EF;Team Nord;Udsatte børn;§ 32;05-03-2024;;20-02-2024;02-02-2024;;ok',
        'E2E-0004;220909-4602;GH;Team Syd;Udsatte børn;§ 46;11-04-2024;;01-04-2024;10-03-2024;Døgninstitution;ok',
      ]);
      let resp = await uploadExtract(page, file, 'Nexus');
      assert.equal(resp?.status(), 200, `uploading answered ${resp?.status()}`);
      assert.match(pathname(page), /^\/cases\/import\/[0-9a-f-]{36}$/, `the upload led to ${page.url()}`);
      const token = pathname(page).split('/').pop();

      // The mapping page: one select per field, proposed from the headers.
      await expectLayout(page, 'the mapping page');
      assert.equal(squash(await page.locator('main h1').textContent()), 'Vælg kolonner');
      assert.match(await mainText(page), /e2e-nexus\.csv fra Nexus: .*12 kolonner/);
      const proposed = {
        external_id: 'Sagsnr',
        person_key: 'CPR-nr',
        caseworker: 'Rådgiver',
        unit: 'Team',
        area: 'Område',
        case_type: 'Paragraf',
        measure_start: 'Startdato',
        measure_end: 'Slutdato',
        decision_date: 'Afgørelsesdato',
        underretning_received: 'Underretning modtaget',
        bfu_start: '',
      };
      const wrong = [];
      for (const [field, column] of Object.entries(proposed)) {
        const select = page.locator(`main form#mapping select[id="${field}"]`);
        if ((await select.count()) !== 1) {
          wrong.push(`${field}: no select`);
          continue;
        }
        const value = await select.inputValue();
        if (value !== column) wrong.push(`${field}: "${value}" (expected "${column}")`);
      }
      assert.deepEqual(wrong, [], `the mapping page proposes: ${wrong.join('; ')}`);
      await page.locator('#profile_name').fill(PROFILE_NAME);
      await shot(page, 'cases-import-mapping');
      await expectAxeClean(page, 'the mapping page');

      // The check report: clean, with the counts; nothing written yet.
      resp = await checkMapping(page);
      assert.equal(resp?.status(), 200, `checking answered ${resp?.status()}`);
      assert.equal(pathname(page), `/cases/import/${token}/check`);
      await expectLayout(page, 'the check report');
      assert.equal(squash(await page.locator('main h1').textContent()), 'Tjek af udtrækket');
      const status = squash(await page.locator('main .notice[role="status"]').textContent());
      assert.equal(
        status,
        'Alle 4 rækker er i orden: 4 nye sager, 0 ændrede, 0 uændrede og 0 ikke længere i udtrækket.',
        'the clean report says something else',
      );
      assert.equal(await page.locator('main .warning').count(), 0, 'the report warns about cases no longer in the extract');
      const counts = await page.locator('main dl.counts > div').evaluateAll((ds) =>
        Object.fromEntries(ds.map((d) => [d.querySelector('dt').textContent.trim(), d.querySelector('dd').textContent.trim()])),
      );
      assert.deepEqual(counts, { 'Nye sager': '4', Ændrede: '0', Uændrede: '0', 'Ikke længere i udtrækket': '0' });
      await shot(page, 'cases-import-report-clean');
      await expectAxeClean(page, 'the clean check report');

      // Confirm → the register with a notice.
      resp = await clickAndWaitForLoad(page, page.locator('main form button[type="submit"]', { hasText: 'Bekræft og indlæs' }));
      assert.equal(resp?.status(), 200, `confirming answered ${resp?.status()}`);
      assert.equal(pathname(page), '/cases');
      assert.equal(new URL(page.url()).searchParams.get('ok'), 'cases-imported');
      assert.equal(squash(await page.locator('main .notice').textContent()), 'Udtrækket er indlæst i sagsregistret.');
      await shot(page, 'cases-import-done');
      await expectAxeClean(page, '/cases?ok=cases-imported');

      // The new cases are found (a coordinator may only import cases of their own units).
      await searchRegister(page, 'E2E-');
      const rows = await registerRows(page);
      assert.deepEqual(rows.map((r) => r.id).sort(), ['E2E-0001', 'E2E-0002', 'E2E-0003', 'E2E-0004']);
      for (const r of rows) {
        assert.equal(r.source, 'Nexus', `${r.id} has source ${r.source}`);
        assert.ok(MY_TEAMS.includes(r.unit), `${r.id} has unit ${r.unit}`);
      }
      const one = rows.find((r) => r.id === 'E2E-0001');
      assert.equal(one.caseType, '§ 87');
      assert.equal(one.caseworker, 'CD');
      assert.match(one.start, /^(2024-01-03|03-01-2024)$/, `E2E-0001 starts ${one.start}`);

      // The DUBU cases are untouched: koordinator's register still has every DUBU case.
      await searchRegister(page, 'S-');
      assert.ok((await registerCaption(page)).total > 50, 'the DUBU cases are gone from the register');

      // The mapping was saved as a profile for the next extract.
      await page.goto('/cases/import');
      const profiles = await page.locator('#profile option').evaluateAll((os) => os.map((o) => o.textContent.trim()));
      assert.ok(profiles.includes(`${PROFILE_NAME} (Nexus)`), `the saved profile is not offered: ${profiles.join(' | ')}`);
    } finally {
      dumpProblems(t, page);
    }
  });

  test('an unmapped mandatory field is refused with 422 and an error summary linking to it', async (t) => {
    try {
      const file = writeExtract('e2e-unmapped.csv', [
        'E2E-0201;230120-4156;CD;Team Nord;Handicap;§ 87;03-01-2024;;13-12-2023;08-12-2023;Plejefamilie;ok',
      ]);
      let resp = await uploadExtract(page, file, 'Nexus');
      assert.equal(resp?.status(), 200, `uploading answered ${resp?.status()}`);
      const mapping = pathname(page);
      await page.locator('#external_id').selectOption({ label: '(ingen kolonne)' });
      resp = await checkMapping(page);
      assert.equal(resp?.status(), 422, `checking without a case id column answered ${resp?.status()}`);
      assert.equal(squash(await page.locator('main h1').textContent()), 'Vælg kolonner', 'not back on the mapping page');
      const text = await expectErrorSummary(page, ['external_id'], 'the mapping page without a case id');
      assert.match(text, /Vælg en kolonne til «Sagsnummer»/);
      assert.match(squash(await page.locator('#external_id-error').textContent()), /Vælg en kolonne til feltet/);
      assert.equal(await page.locator('#external_id').inputValue(), '', 'the refused choice is not kept');
      assert.equal(await page.locator('#caseworker').inputValue(), 'Rådgiver', 'the other choices are not kept');
      // The summary's link moves focus to the select.
      await page.locator('main .error-summary a[href="#external_id"]').click();
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'external_id',
        'the error summary link does not move focus to the select');
      await shot(page, 'cases-import-mapping-error');
      await expectAxeClean(page, 'the mapping page (422)');
      // Nothing was written.
      await page.goto('/cases?q=E2E-0201');
      assert.equal(await page.locator('main table.data').count(), 0, 'E2E-0201 was imported');
      // The staged file is still there: choosing the column again passes the check.
      await page.goto(mapping);
      resp = await checkMapping(page);
      assert.equal(resp?.status(), 200, `checking the proposed mapping afterwards answered ${resp?.status()}`);
      assert.match(squash(await page.locator('main .notice').textContent()), /^Alle 1 rækker er i orden/);
    } finally {
      dumpProblems(t, page);
    }
  });

  test('a file with line errors lists each with its line, and imports nothing', async (t) => {
    try {
      const file = writeExtract('e2e-fejl.csv', [
        'E2E-0101;230120-4156;CD;Team Nord;Handicap;§ 87;03-01-2024;;13-12-2023;08-12-2023;Plejefamilie;ok', // line 2
        'E2E-0102;150312-4021;AB;Team Syd;Udsatte børn;§ 999;10-02-2024;;01-02-2024;15-01-2024;;ok', //        line 3
        'E2E-0103;041115-4310;EF;Team Nord;Udsatte børn;§ 32;31-02-2024;;20-02-2024;02-02-2024;;ok', //        line 4
        'E2E-0101;220909-4602;GH;Team Syd;Udsatte børn;§ 46;11-04-2024;;01-04-2024;10-03-2024;;ok', //         line 5
      ]);
      let resp = await uploadExtract(page, file, 'Nexus');
      assert.equal(resp?.status(), 200, `uploading answered ${resp?.status()}`);
      resp = await checkMapping(page);
      assert.equal(resp?.status(), 422, `checking a file with errors answered ${resp?.status()}`);
      assert.equal(squash(await page.locator('main h1').textContent()), 'Tjek af udtrækket');
      const summary = squash(await page.locator('main .error-summary').textContent());
      assert.equal(
        summary,
        '4 rækker læst, men 3 fejl. Intet er skrevet i sagsregistret. Ret fejlene i filen, og indlæs den igen.',
      );
      assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('error-summary')), true,
        'focus is not on the error summary of the report');
      assert.equal(await page.locator('main button', { hasText: 'Bekræft og indlæs' }).count(), 0,
        'a report with errors can be confirmed');
      const issues = await reportIssues(page);
      const expected = [
        { line: 3, column: 'Paragraf', value: '§ 999', problem: /Linje 3.*kendt paragraf/ },
        { line: 4, column: 'Startdato', value: '31-02-2024', problem: /Linje 4.*ikke en gyldig dato/ },
        { line: 5, column: 'Sagsnr', value: 'E2E-0101', problem: /Linje 5.*også i linje 2/ },
      ];
      for (const e of expected) {
        const hit = issues.find((i) => i.line === e.line && i.column === e.column && i.value === e.value);
        assert.ok(hit, `the report has no line ${e.line} / ${e.column} / ${e.value}: ${JSON.stringify(issues)}`);
        assert.match(hit.problem, e.problem, `line ${e.line}: ${hit.problem}`);
      }
      assert.equal(issues.length, expected.length, `the report lists ${issues.length} problems: ${JSON.stringify(issues)}`);
      await shot(page, 'cases-import-report-errors');
      await expectAxeClean(page, 'the check report with errors');

      await page.goto('/cases');
      await searchRegister(page, 'E2E-01');
      assert.equal(await page.locator('main table.data').count(), 0, 'cases of the refused file are in the register');
      assert.match(await mainText(page), /Der er ingen sager at vise/);
    } finally {
      dumpProblems(t, page);
    }
  });

  test('an HTML page saved as .csv is refused on the upload page (422)', async (t) => {
    try {
      const file = path.join(TMP, 'udtraek.csv');
      writeFileSync(
        file,
        '<!DOCTYPE html>\n<html lang="da"><head><meta charset="utf-8"><title>DUBU</title></head>\n' +
          '<body><table><tr><th>Sagsnr</th><th>CPR-nr</th></tr><tr><td>E2E-0301</td><td>230120-4156</td></tr></table></body></html>\n',
      );
      const resp = await uploadExtract(page, file, 'Nexus');
      assert.equal(resp?.status(), 422, `uploading an HTML file answered ${resp?.status()}`);
      assert.equal(squash(await page.locator('main h1').textContent()), 'Indlæs sagsudtræk', 'not back on the upload page');
      const fieldError = squash(await page.locator('#file-error').textContent());
      assert.match(fieldError, /webside \(HTML\)/, `the message under the file field: ${fieldError}`);
      const text = await expectErrorSummary(page, ['file'], 'the upload page (HTML file)');
      assert.match(text, /webside \(HTML\)/);
      assert.equal(await page.locator('#source').inputValue(), 'Nexus', 'the chosen source is not kept');
      await shot(page, 'cases-import-html-refused');
      await expectAxeClean(page, '/cases/upload (HTML file)');
    } finally {
      dumpProblems(t, page);
    }
  });
});

describe('samples as koordinator', () => {
  /** What the first draw submitted and got, for the redraw test. */
  let first = null;

  test('draws a sample of 30 with 10 on level 2 and the proposed seed', async (t) => {
    const { context, page } = await newPage();
    try {
      await loginOk(page, 'koordinator');
      const resp = await page.goto('/samples/new');
      assert.equal(resp?.status(), 200, `/samples/new answered ${resp?.status()}`);
      await expectLayout(page, '/samples/new');
      assert.equal(squash(await page.locator('main h1').textContent()), 'Træk en stikprøve');
      assert.match(await mainText(page), /\d+ sager i dit sagsregister\./);
      const seed = await page.locator('#seed').inputValue();
      assert.match(seed, /^\d+$/, `the proposed seed is "${seed}"`);
      const referenceDate = await page.locator('#reference_date').inputValue();
      assert.match(referenceDate, /^\d{4}-\d{2}-\d{2}$/, `the proposed reference date is "${referenceDate}"`);
      assert.equal(await page.locator('#size').inputValue(), '30', 'the proposed size is not 30');
      assert.equal(await page.locator('#look_back___46').isVisible(), false, 'the per-type look-back is not in a <details>');
      await shot(page, 'samples-new');
      await expectAxeClean(page, '/samples/new');

      const drawn = await drawSample(page, { size: 30, level2: 10 });
      assert.equal(drawn?.status(), 200, `drawing answered ${drawn?.status()}`);
      assert.match(pathname(page), /^\/samples\/[0-9a-f-]{36}$/, `drawing led to ${page.url()}`);
      assert.equal(new URL(page.url()).searchParams.get('ok'), 'sample-drawn');
      await expectLayout(page, 'the sample page');
      assert.equal(squash(await page.locator('main .notice').textContent()), 'Stikprøven er trukket og gemt.');
      assert.equal(await page.locator('main h2', { hasText: 'Sådan er stikprøven trukket' }).count(), 1);
      assert.equal(await fact(page, 'Frø'), seed, 'the sample shows another seed than the one submitted');
      const fingerprint = await fact(page, 'Sagsregistrets fingeraftryk (SHA-256)');
      assert.match(fingerprint, /^[0-9a-f]{64}$/, `fingerprint: ${fingerprint}`);
      assert.equal(await fact(page, 'Strata'), 'Sagstype × Enhed');
      const scope = await fact(page, 'Enheder');
      for (const team of MY_TEAMS) assert.ok(scope.includes(team), `the sample's units "${scope}" do not name ${team}`);

      assert.equal(await page.locator('main section h2', { hasText: /^Niveau \d$/ }).count(), 2, 'not exactly two levels');
      const l1 = await levelCases(page, 1);
      const l2 = await levelCases(page, 2);
      assert.ok(l1.keys.length > 0 && l1.keys.length <= 30, `level 1 has ${l1.keys.length} cases`);
      assert.ok(l2.keys.length > 0 && l2.keys.length <= 10, `level 2 has ${l2.keys.length} cases`);
      assert.equal(new Set(l1.keys).size, l1.keys.length, 'a case is twice in level 1');
      const notInL1 = l2.keys.filter((k) => !l1.keys.includes(k));
      assert.deepEqual(notInL1, [], `level-2 cases not in level 1: ${notInL1.join(', ')}`);
      const outside = l1.rows.filter((r) => !MY_TEAMS.includes(r.unit)).map((r) => `${r.key} (${r.unit})`);
      assert.deepEqual(outside, [], `sampled cases outside koordinator's units: ${outside.join(', ')}`);
      assert.match(
        squash(await levelSection(page, 1).locator('p').first().textContent()),
        new RegExp(`^${l1.keys.length} sager trukket blandt \\d+ mulige \\(ønsket: 30\\)\\.$`),
      );
      assert.ok((await levelSection(page, 1).locator('table.data').first().locator('tbody tr').count()) > 1,
        'level 1 has no strata rows');
      await expectAxeClean(page, 'the sample page');
      await l1.details.locator('summary').click();
      await l2.details.locator('summary').click();
      await shot(page, 'sample-drawn');
      await expectAxeClean(page, 'the sample page (cases expanded)');
      first = { id: pathname(page), seed, referenceDate, fingerprint, l1: l1.keys, l2: l2.keys };

      // The list of samples links to it.
      const list = await page.goto('/samples');
      assert.equal(list?.status(), 200, `/samples answered ${list?.status()}`);
      await expectLayout(page, '/samples');
      const link = page.locator(`main table.data a[href="${first.id}"]`);
      assert.equal(await link.count(), 1, `/samples does not link to ${first.id}`);
      const row = squash(
        await page.locator('main table.data tbody tr').filter({ has: page.locator(`a[href="${first.id}"]`) }).textContent(),
      );
      assert.ok(/Karsten Berg|koordinator/.test(row), `the row does not name who drew it: ${row}`);
      if (!row.includes('Karsten Berg')) t.diagnostic(`/samples names the drawer by user name, not full name: ${row}`);
      await shot(page, 'samples-list');
      await expectAxeClean(page, '/samples');
      const back = await clickAndWaitForLoad(page, link);
      assert.equal(back?.status(), 200);
      assert.equal(pathname(page), first.id);
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });

  test('the same seed and frame give the same cases again (in a new session)', async (t) => {
    assert.ok(first, 'the first draw did not succeed');
    const { context, page } = await newPage();
    try {
      await loginOk(page, 'koordinator');
      await page.goto('/samples/new');
      const resp = await drawSample(page, { size: 30, level2: 10, seed: first.seed, referenceDate: first.referenceDate });
      assert.equal(resp?.status(), 200, `drawing again answered ${resp?.status()}`);
      assert.match(pathname(page), /^\/samples\/[0-9a-f-]{36}$/);
      assert.notEqual(pathname(page), first.id, 'the redraw did not save a new sample');
      assert.equal(await fact(page, 'Frø'), first.seed);
      assert.equal(await fact(page, 'Sagsregistrets fingeraftryk (SHA-256)'), first.fingerprint,
        'the register changed between the two draws');
      assert.deepEqual((await levelCases(page, 1)).keys, first.l1, 'level 1 differs on the redraw');
      assert.deepEqual((await levelCases(page, 2)).keys, first.l2, 'level 2 differs on the redraw');

      // Another seed gives (almost surely) another sample.
      await page.goto('/samples/new');
      const other = String((BigInt(first.seed) + 1n) % 2n ** 64n);
      await drawSample(page, { size: 30, level2: 10, seed: other, referenceDate: first.referenceDate });
      assert.equal(await fact(page, 'Frø'), other);
      assert.notDeepEqual((await levelCases(page, 1)).keys, first.l1, `seed ${other} drew the same cases as ${first.seed}`);
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });

  test('an invalid form is refused with 422, an error summary naming the fields, and the values kept', async (t) => {
    const { context, page } = await newPage();
    try {
      await loginOk(page, 'koordinator');
      await page.goto('/samples');
      const before = await page.locator('main table.data tbody tr').count();
      await page.goto('/samples/new');
      const resp = await drawSample(page, { size: 0, level2: '', seed: 'x', referenceDate: '1.1.2026' });
      assert.equal(resp?.status(), 422, `an invalid sample form answered ${resp?.status()}`);
      assert.equal(pathname(page), '/samples');
      await expectLayout(page, '/samples (422)');
      const text = await expectErrorSummary(page, ['size', 'seed', 'reference_date'], 'the sample form (422)');
      assert.match(text, /Skriv antallet af sager som et helt tal fra 1/);
      assert.match(text, /Frøet skal være et helt tal/);
      assert.match(text, /Skriv datoen som åååå-mm-dd/);
      assert.equal(await page.locator('#size').inputValue(), '0');
      assert.equal(await page.locator('#seed').inputValue(), 'x');
      assert.equal(await page.locator('#reference_date').inputValue(), '1.1.2026');
      await shot(page, 'samples-new-errors');
      await expectAxeClean(page, 'the sample form (422)');
      await page.goto('/samples');
      assert.equal(await page.locator('main table.data tbody tr').count(), before, 'the refused form saved a sample');
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });
});

describe('leder sees the register of its units', () => {
  test('/cases as leder lists only Team Nord/Team Syd cases', async (t) => {
    const { context, page } = await newPage();
    try {
      await loginOk(page, 'leder');
      const resp = await page.goto('/cases');
      assert.equal(resp?.status(), 200, `/cases answered ${resp?.status()} for leder`);
      const rows = await registerRows(page);
      assert.ok(rows.length > 0, 'leder sees no cases');
      const outside = rows.filter((r) => !MY_TEAMS.includes(r.unit)).map((r) => `${r.id} (${r.unit})`);
      assert.deepEqual(outside, [], `leder sees cases outside Team Nord/Team Syd: ${outside.join(', ')}`);
      const links = await navLinks(page);
      assert.ok(links.some((l) => l.href === '/cases'), `leder has no "Sager" link: ${JSON.stringify(links)}`);
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });
});

describe('users without a case grant are refused', () => {
  for (const username of NO_CASES) {
    test(`${username}: 403 on the case and sample pages, no nav links to them`, async (t) => {
      const { context, page } = await newPage();
      try {
        await loginOk(page, username);
        const links = await navLinks(page);
        const leaks = links.filter(
          (l) => /^\/(cases|samples)/.test(l.href ?? '') || /^(Sager|Stikprøver)$/.test(l.text),
        );
        assert.deepEqual(leaks, [], `${username} sees nav links to the case pages: ${JSON.stringify(leaks)}`);
        assert.ok(!/\bSager\b|Stikprøver/.test(squash(await headerText(page))), `the header of ${username} names Sager/Stikprøver`);
        for (const p of CASE_PAGES) {
          const resp = await page.goto(p);
          assert.equal(resp?.status(), 403, `${p} answered ${resp?.status()} for ${username}`);
          await expectLayout(page, `${p} (403, ${username})`);
          assert.equal(squash(await page.locator('main h1').textContent()), 'Ingen adgang', `${p} for ${username}`);
          assert.equal(await page.locator('main table').count(), 0, `the 403 page of ${p} shows a table`);
        }
        if (username === 'udvalg' || username === 'admin') {
          await page.goto('/cases');
          await shot(page, `cases-403-${username}`);
          await expectAxeClean(page, `/cases (403, ${username})`);
        }

        // The form posts are refused as well.
        await page.goto('/');
        const token = await page.locator('input[name="csrf_token"]').first().getAttribute('value');
        assert.ok(token, 'no CSRF token on the page');
        const sample = await page.request.post('/samples', {
          headers: { 'x-csrf-token': token },
          maxRedirects: 0,
          form: { csrf_token: token, size: '5', seed: '1', reference_date: '2026-01-01', strata: 'unit' },
        });
        assert.equal(sample.status(), 403, `POST /samples answered ${sample.status()} for ${username}`);
        const upload = await page.request.post(`/cases/upload?csrf_token=${token}`, {
          maxRedirects: 0,
          multipart: {
            source: 'Nexus',
            file: { name: 'x.csv', mimeType: 'text/csv', buffer: Buffer.from(`${HEADER}\r\n`) },
          },
        });
        assert.equal(upload.status(), 403, `POST /cases/upload answered ${upload.status()} for ${username}`);
      } finally {
        dumpProblems(t, page);
        await context.close();
      }
    });
  }
});

describe('case register in English', () => {
  test('koordinator switches to English on /cases', async (t) => {
    const { context, page } = await newPage();
    try {
      await loginOk(page, 'koordinator');
      await page.goto('/cases');
      assert.equal(await page.locator('html').getAttribute('lang'), 'da');
      await clickAndWaitForLoad(page, await englishButton(page));
      if (pathname(page) !== '/cases') t.diagnostic(`after switching language the browser is on ${page.url()}`);
      await page.goto('/cases');
      assert.equal(await page.locator('html').getAttribute('lang'), 'en');
      assert.equal(squash(await page.locator('main h1').textContent()), 'Case register');
      assert.match(squash(await page.locator('main table.data caption').textContent()), /^Showing 1–50 of \d+ cases$/);
      assert.equal(await page.locator('main a', { hasText: 'Next page' }).count(), 1, 'no "Next page" link');
      const links = await navLinks(page);
      assert.ok(links.some((l) => l.href === '/cases' && l.text === 'Cases'), `no "Cases" nav link: ${JSON.stringify(links)}`);
      assert.ok(links.some((l) => l.href === '/samples' && l.text === 'Samples'), `no "Samples" nav link: ${JSON.stringify(links)}`);
      await shot(page, 'cases-register-en');
      await expectAxeClean(page, '/cases (English)');
      await page.goto('/samples/new');
      assert.equal(await page.locator('html').getAttribute('lang'), 'en');
      await shot(page, 'samples-new-en');
      await expectAxeClean(page, '/samples/new (English)');
    } finally {
      dumpProblems(t, page);
      await context.close();
    }
  });
});
