//! `tilsyn import cases` with bad extracts, end to end: the real binary, a real database (the
//! engine TILSYN_TEST_DATABASE_URL names), one test per kind of bad input. Each refusal must
//! exit 2, say in Danish what is wrong and where (line, column, value), and leave nothing
//! behind: no row in `cases`, `case_imports` or `mapping_profiles`, and no `cases.imported`
//! audit event, with and without `--dry-run`. A good extract is imported first (and again at
//! the end of each test, into the same database) so a broken setup cannot make the refusals
//! pass vacuously.

use rust_xlsxwriter::{Format as XFormat, Workbook, Worksheet};
use sqlx::Connection;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use tilsyn_store::testing::TestDb;

const SECRET: &str = "en-lang-hemmelighed-til-test";
const HEADER: &str = "Sagsnummer;Paragraf;Startdato;Sagsbehandler;Team";
const XLSX_HEADER: [&str; 5] = [
    "Sagsnummer",
    "Paragraf",
    "Startdato",
    "Sagsbehandler",
    "Team",
];
/// The end of every refusal with line errors (`import-cli-refused`).
const REFUSED: &str = "Intet er gemt. Ret fejlene i filen og indlæs den igen.";

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// What is in the database that an import could have written.
#[derive(Debug, PartialEq, Eq)]
struct Written {
    cases: i64,
    case_imports: i64,
    mapping_profiles: i64,
    /// `cases.imported` events, counted in SQL …
    imported_events: i64,
    /// … and in `tilsyn audit-log export --format json`.
    exported_imported_events: usize,
}

const NOTHING: Written = Written {
    cases: 0,
    case_imports: 0,
    mapping_profiles: 0,
    imported_events: 0,
    exported_imported_events: 0,
};

/// One database and one directory of files per test.
struct Ctx {
    db: TestDb,
    url: String,
    dir: PathBuf,
}

impl Drop for Ctx {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Ctx {
    async fn new() -> Ctx {
        let db = TestDb::new().await;
        let url = db.child_url();
        let dir =
            std::env::temp_dir().join(format!("tilsyn-badinput-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).expect("dir");
        Ctx { db, url, dir }
    }

    /// Writes `bytes` to `name` in the test's directory; returns the path.
    fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        let p = self.dir.join(name);
        std::fs::write(&p, bytes).expect("write");
        p.to_string_lossy().into_owned()
    }

    fn xlsx(&self, name: &str, mut wb: Workbook) -> String {
        let p = self.dir.join(name);
        wb.save(&p).expect("save xlsx");
        p.to_string_lossy().into_owned()
    }

    fn tilsyn(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_tilsyn"))
            .args(args)
            .env("TILSYN_DATABASE_URL", &self.url)
            .env("TILSYN_LANG", "da")
            .env("TILSYN_PERSON_KEY_SECRET", SECRET)
            .env("RUST_LOG", "error")
            .stdin(Stdio::null())
            .output()
            .expect("run tilsyn")
    }

    /// `tilsyn import cases ARGS`.
    fn import(&self, args: &[&str]) -> Output {
        self.tilsyn(&[&["import", "cases"][..], args].concat())
    }

    async fn count(&self, sql: &str) -> i64 {
        if self.url.starts_with("sqlite:") {
            let mut c = sqlx::SqliteConnection::connect(&self.url)
                .await
                .expect("open the test database (SQLite)");
            let n: i64 = sqlx::query_scalar(sql).fetch_one(&mut c).await.expect(sql);
            let _ = c.close().await;
            n
        } else {
            let mut c = sqlx::PgConnection::connect(&self.url)
                .await
                .expect("open the test database (PostgreSQL)");
            let n: i64 = sqlx::query_scalar(sql).fetch_one(&mut c).await.expect(sql);
            let _ = c.close().await;
            n
        }
    }

    /// The audit log as the operator exports it.
    fn audit_export(&self) -> String {
        let o = self.tilsyn(&["audit-log", "export", "--format", "json"]);
        assert!(o.status.success(), "audit export: {}", err(&o));
        out(&o)
    }

    async fn written(&self) -> Written {
        let export: serde_json::Value =
            serde_json::from_str(&self.audit_export()).expect("audit json");
        let exported_imported_events = export
            .as_array()
            .expect("an array of events")
            .iter()
            .filter(|e| e["action"] == "cases.imported")
            .count();
        Written {
            cases: self.count("SELECT COUNT(*) FROM cases").await,
            case_imports: self.count("SELECT COUNT(*) FROM case_imports").await,
            mapping_profiles: self.count("SELECT COUNT(*) FROM mapping_profiles").await,
            imported_events: self
                .count("SELECT COUNT(*) FROM audit_events WHERE action = 'cases.imported'")
                .await,
            exported_imported_events,
        }
    }

    async fn assert_nothing_written(&self, what: &str) {
        assert_eq!(
            self.written().await,
            NOTHING,
            "{what}: something was written"
        );
        assert_eq!(
            self.db.store.count_cases().await.expect("count"),
            0,
            "{what}"
        );
    }

    /// Runs `tilsyn import cases ARGS --save-profile afvist`, then the same with `--dry-run`.
    /// Both must exit 2 with every part of `expected` on stderr and write nothing. Returns
    /// both outputs (the real run first) for further checks.
    async fn refused(&self, args: &[&str], expected: &[&str]) -> [Output; 2] {
        let mut outputs = Vec::new();
        for dry_run in [false, true] {
            let mut a = args.to_vec();
            a.extend(["--save-profile", "afvist"]);
            if dry_run {
                a.push("--dry-run");
            }
            let o = self.import(&a);
            let what = format!("tilsyn import cases {}", a.join(" "));
            assert_eq!(
                o.status.code(),
                Some(2),
                "{what}\nstdout: {}\nstderr: {}",
                out(&o),
                err(&o)
            );
            let e = err(&o);
            for part in expected {
                assert!(e.contains(part), "{what}: «{part}» not in stderr:\n{e}");
            }
            assert!(
                !out(&o).contains("Sagsregistret er opdateret"),
                "{what}: {}",
                out(&o)
            );
            assert!(!e.contains("panicked"), "{what}: {e}");
            self.assert_nothing_written(&what).await;
            outputs.push(o);
        }
        outputs.try_into().expect("two runs")
    }

    /// As [`Ctx::refused`], for a file refused line by line: the report names the lines,
    /// stdout says nothing was kept, and the last line counts the errors.
    async fn refused_lines(&self, args: &[&str], errors: u64, expected: &[&str]) {
        let count = format!("Filen blev afvist: {errors} fejl. {REFUSED}");
        let mut all = expected.to_vec();
        all.push(&count);
        for o in self.refused(args, &all).await {
            assert!(out(&o).contains("Intet er gemt."), "{}", out(&o));
        }
    }

    /// A clean three-case extract into the same database: must be written, so this test's
    /// database, binary and counting really work.
    async fn good_import_is_written(&self) {
        let path = self.file("kontrol.csv", good_csv(3));
        let o = self.import(&[&path]);
        assert!(o.status.success(), "{}\n{}", out(&o), err(&o));
        assert!(out(&o).contains("3 nye"), "{}", out(&o));
        assert!(
            out(&o).contains("Sagsregistret er opdateret"),
            "{}",
            out(&o)
        );
        assert_eq!(
            self.written().await,
            Written {
                cases: 3,
                case_imports: 1,
                mapping_profiles: 0,
                imported_events: 1,
                exported_imported_events: 1,
            }
        );
    }
}

/// A clean CSV extract of `n` cases (UTF-8, ';').
fn good_csv(n: usize) -> String {
    let mut s = format!("{HEADER}\n");
    for i in 0..n {
        s.push_str(&format!(
            "{};§ 32;{:02}-02-2024;ab;Team Nord\n",
            9000 + i,
            1 + i % 28
        ));
    }
    s
}

fn write_row(ws: &mut Worksheet, row: u32, cells: &[&str]) {
    for (c, v) in cells.iter().enumerate() {
        ws.write_string(row, u16::try_from(c).expect("column"), *v)
            .expect("cell");
    }
}

/// A sheet with the header and `n` clean cases.
fn good_sheet(ws: &mut Worksheet, n: u32) {
    write_row(ws, 0, &XLSX_HEADER);
    for i in 0..n {
        let id = (5000 + i).to_string();
        let start = format!("{:02}-03-2024", 1 + i % 28);
        write_row(ws, i + 1, &[&id, "§ 46", &start, "cd", "Team Syd"]);
    }
}

#[tokio::test]
async fn a_good_csv_and_a_good_xlsx_are_written() {
    let ctx = Ctx::new().await;
    ctx.assert_nothing_written("a new database").await;

    // A dry run of a good file: exit 0, nothing written.
    let csv = ctx.file("god.csv", good_csv(5));
    let o = ctx.import(&[&csv, "--dry-run"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o).contains("Prøvekørsel: intet er gemt."),
        "{}",
        out(&o)
    );
    ctx.assert_nothing_written("dry run of a good file").await;

    let o = ctx.import(&[&csv, "--save-profile", "god"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("5 nye"), "{}", out(&o));
    assert!(err(&o).is_empty(), "{}", err(&o));
    assert_eq!(
        ctx.written().await,
        Written {
            cases: 5,
            case_imports: 1,
            mapping_profiles: 1,
            imported_events: 1,
            exported_imported_events: 1,
        }
    );

    let mut wb = Workbook::new();
    good_sheet(wb.add_worksheet(), 4);
    let xlsx = ctx.xlsx("god.xlsx", wb);
    let o = ctx.import(&[&xlsx, "--source", "Nexus"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("4 nye"), "{}", out(&o));
    let w = ctx.written().await;
    assert_eq!((w.cases, w.case_imports, w.imported_events), (9, 2, 2));
    let cases = ctx
        .db
        .store
        .sample_cases(Some("Nexus"))
        .await
        .expect("cases");
    assert_eq!(cases.len(), 4);
    assert!(
        cases
            .iter()
            .all(|c| c.case_type == "§ 46" && c.unit.as_deref() == Some("Team Syd"))
    );
}

#[tokio::test]
async fn mixed_encodings_name_the_odd_line() {
    let ctx = Ctx::new().await;
    // UTF-8 ("§", "ø" as two bytes) with line 4 saved as windows-1252.
    let mut bytes = format!(
        "{HEADER}\n1001;§ 32;01-02-2024;ab;Team Sønder\n1002;§ 32;02-02-2024;ab;Team Nord\n"
    )
    .into_bytes();
    bytes.extend_from_slice(b"1003;\xa7 32;03-02-2024;ab;Team S\xf8nder\n");
    bytes.extend_from_slice("1004;§ 32;04-02-2024;ab;Team Nord\n".as_bytes());
    let path = ctx.file("blandet.csv", &bytes);
    ctx.refused(
        &[&path],
        &[
            "Filen blander to slags tegnsæt: linje 2 er gemt som UTF-8, men linje 4 er ikke.",
            "Den første linje, der skiller sig ud, er linje 4.",
        ],
    )
    .await;

    // Mostly windows-1252, one UTF-8 line (5): that one is the odd one out.
    let mut bytes = format!("{HEADER}\n").into_bytes();
    for i in 0..3 {
        bytes.extend_from_slice(format!("20{i};").as_bytes());
        bytes.extend_from_slice(b"\xa7 32;01-02-2024;ab;Team \xd8st\n");
    }
    bytes.extend_from_slice("204;§ 32;01-02-2024;ab;Team Øst\n".as_bytes());
    let path = ctx.file("mest-1252.csv", &bytes);
    ctx.refused(
        &[&path],
        &[
            "linje 5 er gemt som UTF-8, men linje 2 er ikke",
            "Den første linje, der skiller sig ud, er linje 5.",
        ],
    )
    .await;
    ctx.good_import_is_written().await;
}

#[tokio::test]
async fn a_wrong_encoding_chosen_with_encoding_is_refused() {
    let ctx = Ctx::new().await;
    // windows-1252, plain ASCII until line 4.
    let mut bytes =
        format!("{HEADER}\n1001;32;01-02-2024;ab;Team Nord\n1002;32;01-02-2024;ab;Team Nord\n")
            .into_bytes();
    bytes.extend_from_slice(b"1003;\xa7 32;01-02-2024;ab;Team \xd8st\n");
    let path = ctx.file("cp1252.csv", &bytes);
    for label in ["utf-8", "UTF8"] {
        ctx.refused(
            &[&path, "--encoding", label],
            &["Du har valgt tegnsættet UTF-8, men linje 4 er ikke gemt som UTF-8."],
        )
        .await;
    }

    // A UTF-8 file read as windows-1252 would turn "§ 32" into "Â§ 32": the file is refused
    // whole, pointing at the encoding.
    let path = ctx.file(
        "utf8.csv",
        format!("{HEADER}\n1001;§ 32;01-02-2024;ab;Team Sønder\n"),
    );
    ctx.refused(
        &[&path, "--encoding", "windows-1252"],
        &[
            "filen er gemt som UTF-8 (se fx linje 2)",
            "udelad --encoding",
        ],
    )
    .await;

    // An encoding tilsyn does not know.
    ctx.refused(
        &[&path, "--encoding", "ebcdic"],
        &["Tegnsættet «ebcdic» kendes ikke", "udelad --encoding"],
    )
    .await;
    ctx.good_import_is_written().await;
}

/// A UTF-8 file forced to windows-1252 would store "ø" as "Ã¸": it is refused instead, with
/// the line that shows it and the way out.
#[tokio::test]
async fn a_utf8_file_forced_to_windows_1252_is_not_stored_garbled() {
    let ctx = Ctx::new().await;
    let path = ctx.file(
        "utf8.csv",
        format!("{HEADER}\n1001;32;01-02-2024;ab;Team Sønder\n"),
    );
    let o = ctx.import(&[&path, "--encoding", "windows-1252"]);
    let units: Vec<Option<String>> = ctx
        .db
        .store
        .sample_cases(None)
        .await
        .expect("cases")
        .into_iter()
        .map(|c| c.unit)
        .collect();
    assert!(
        !units.contains(&Some("Team SÃ¸nder".to_owned())),
        "stored garbled; exit {:?}, stdout: {}",
        o.status.code(),
        out(&o)
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("gemt som UTF-8 (se fx linje 2)"),
        "{}",
        err(&o)
    );
    assert!(units.is_empty());
}

#[tokio::test]
async fn a_missing_mandatory_column_is_named() {
    let ctx = Ctx::new().await;
    // No start date: no mapping can be suggested; the CLI lists what it could not map.
    let path = ctx.file(
        "uden-start.csv",
        "Sagsnummer;Paragraf;Sagsbehandler;Team\n1001;§ 32;ab;Team Nord\n",
    );
    ctx.refused(
        &[&path],
        &[
            "Disse obligatoriske felter kunne ikke findes ud fra kolonneoverskrifterne: Startdato for indsatsen.",
            "--mapping FIL eller --profile NAVN",
        ],
    )
    .await;
    let path = ctx.file("kun-to.csv", "Sagsnummer;Paragraf;Noter\n1001;§ 32;x\n");
    ctx.refused(
        &[&path],
        &["kolonneoverskrifterne: Startdato for indsatsen, Rådgiver."],
    )
    .await;

    // With a mapping file: a mapping that names a column the file lacks, and one that leaves
    // mandatory fields out. (These messages show a field by its code, e.g. measure_start.)
    let good = ctx.file("god.csv", good_csv(2));
    let absent = ctx.file(
        "start.json",
        r#"{"external_id":"Sagsnummer","case_type":"Paragraf","measure_start":"Start","caseworker":"Sagsbehandler"}"#,
    );
    ctx.refused(
        &[&good, "--mapping", &absent],
        &[
            "Kolonnen «Start» er valgt til feltet",
            "men den findes ikke i filen",
        ],
    )
    .await;
    let short = ctx.file(
        "kort.json",
        r#"{"external_id":"Sagsnummer","case_type":"Paragraf"}"#,
    );
    ctx.refused(
        &[&good, "--mapping", &short],
        &["Der er ikke valgt en kolonne til disse felter, som skal udfyldes:"],
    )
    .await;
    ctx.good_import_is_written().await;
}

#[tokio::test]
async fn an_empty_file_is_refused() {
    let ctx = Ctx::new().await;
    let msg = "Filen er tom. Vælg den rigtige fil, eller lav udtrækket igen.";
    let path = ctx.file("tom.csv", b"");
    assert_eq!(std::fs::metadata(&path).expect("meta").len(), 0);
    ctx.refused(&[&path], &[msg]).await;
    let path = ctx.file("blank.csv", "  \r\n\n\t\n");
    ctx.refused(&[&path], &[msg]).await;
    let path = ctx.file("tom.xlsx", b"");
    ctx.refused(&[&path], &[msg]).await;
    // A file that is not there is named as missing, not as a passing read error.
    let missing = format!("{path}.findes-ikke");
    ctx.refused(&[&missing], &["findes ikke. Tjek stien og filnavnet."])
        .await;
    ctx.good_import_is_written().await;
}

#[tokio::test]
async fn a_header_only_file_is_refused() {
    let ctx = Ctx::new().await;
    let msg = "Filen har kun en overskriftslinje og ingen sager.";
    for (name, text) in [
        ("overskrift.csv", format!("{HEADER}\n")),
        ("uden-linjeskift.csv", HEADER.to_owned()),
        ("tomme-linjer.csv", format!("{HEADER}\r\n\r\n;;;;\r\n")),
    ] {
        let path = ctx.file(name, text);
        ctx.refused(&[&path], &[msg]).await;
    }
    let mut wb = Workbook::new();
    write_row(wb.add_worksheet(), 0, &XLSX_HEADER);
    let path = ctx.xlsx("overskrift.xlsx", wb);
    ctx.refused(&[&path], &[msg]).await;
    ctx.good_import_is_written().await;
}

#[tokio::test]
async fn mixed_date_formats_name_the_column_and_both_lines() {
    let ctx = Ctx::new().await;
    let path = ctx.file(
        "datoer.csv",
        format!(
            "{HEADER}\n1001;§ 32;01-02-2024;ab;Team Nord\n1002;§ 32;02-02-2024;ab;Team Nord\n1003;§ 32;2024-02-03;ab;Team Nord\n"
        ),
    );
    ctx.refused_lines(
        &[&path],
        1,
        &[
            "Kolonne «Startdato» har datoer skrevet på to måder: i linje 2 som 31-12-2024, men i linje 4 som 2024-12-31.",
        ],
    )
    .await;
    ctx.good_import_is_written().await;
}

#[tokio::test]
async fn a_file_over_the_size_limit_is_refused_before_it_is_read() {
    let ctx = Ctx::new().await;
    let limit = tilsyn_intake::DEFAULT_MAX_SIZE;
    assert_eq!(limit, 150 * 1024 * 1024, "the limit the message names");
    assert!(limit < 200 * 1024 * 1024, "200 MB is over the limit");
    let msg = "Filen er for stor. Den må højst fylde 150 MB.";
    // Sparse files: a valid header, then holes up to the size.
    let sparse = |name: &str, size: u64| {
        let path = ctx.file(name, format!("{HEADER}\n"));
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .expect("open")
            .set_len(size)
            .expect("set_len");
        path
    };
    let path = sparse("200mb.csv", 200 * 1024 * 1024 + 1);
    ctx.refused(&[&path], &[msg]).await;
    let path = sparse("over.csv", limit + 1);
    ctx.refused(&[&path], &[msg]).await;
    let path = sparse("over.xlsx", limit + 1);
    ctx.refused(&[&path], &[msg]).await;
    // Exactly at the limit the file is read (and then refused for its NUL bytes, on line 2).
    let path = sparse("ved-graensen.csv", limit);
    ctx.refused(
        &[&path],
        &["Linje 2 indeholder tegn, som ikke findes i en tekstfil, så filen er ikke en CSV-fil."],
    )
    .await;
    ctx.good_import_is_written().await;
}

#[tokio::test]
async fn an_xlsx_with_merged_cells_is_refused_naming_the_range() {
    let ctx = Ctx::new().await;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    good_sheet(ws, 3);
    // One team cell merged over two cases, as a person would "tidy" a sheet.
    ws.merge_range(1, 4, 2, 4, "Team Nord", &XFormat::new())
        .expect("merge");
    let path = ctx.xlsx("flettet.xlsx", wb);
    ctx.refused(
        &[&path],
        &["Arket har flettede celler (E2:E3). Ophæv fletningen i Excel"],
    )
    .await;
    ctx.good_import_is_written().await;
}

#[tokio::test]
async fn an_xlsx_with_formulas_is_refused_naming_the_first_cell() {
    let ctx = Ctx::new().await;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    good_sheet(ws, 4);
    ws.write_formula(4, 0, "=A4+1").expect("formula");
    ws.write_formula(2, 2, "=DATE(2024,2,1)").expect("formula");
    let path = ctx.xlsx("formler.xlsx", wb);
    ctx.refused(
        &[&path],
        &[
            "Arket indeholder formler (den første i celle C3).",
            "«Værdier»",
        ],
    )
    .await;
    ctx.good_import_is_written().await;
}

#[tokio::test]
async fn an_xlsx_with_several_sheets_needs_one_named() {
    let ctx = Ctx::new().await;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Forside").expect("name");
    ws.write_string(0, 0, "Udtræk fra DUBU").expect("cell");
    let ws = wb.add_worksheet();
    ws.set_name("Sager").expect("name");
    good_sheet(ws, 3);
    let path = ctx.xlsx("to-ark.xlsx", wb);

    ctx.refused(
        &[&path],
        &["Excel-filen har flere ark: Forside, Sager. Vælg det ark, der skal indlæses"],
    )
    .await;
    ctx.refused(
        &[&path, "--sheet", "Ark3"],
        &["Excel-filen har ikke et ark med navnet «Ark3». Arkene hedder: Forside, Sager."],
    )
    .await;
    // The cover sheet has one line of text and no cases.
    ctx.refused(
        &[&path, "--sheet", "Forside"],
        &["Filen har kun en overskriftslinje og ingen sager."],
    )
    .await;

    // A sheet that exists is read, matched without regard to case, and written correctly.
    let o = ctx.import(&[&path, "--sheet", "sager", "--dry-run"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("3 nye"), "{}", out(&o));
    ctx.assert_nothing_written("dry run of a named sheet").await;
    let o = ctx.import(&[&path, "--sheet", "sager"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o).contains("Sagsregistret er opdateret"),
        "{}",
        out(&o)
    );
    let w = ctx.written().await;
    assert_eq!((w.cases, w.case_imports, w.imported_events), (3, 1, 1));
    let cases = ctx.db.store.sample_cases(None).await.expect("cases");
    let keys: Vec<&str> = cases.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys, ["DUBU/5000", "DUBU/5001", "DUBU/5002"]);
    assert!(cases.iter().all(|c| c.case_type == "§ 46"
        && c.caseworker.as_deref() == Some("cd")
        && c.unit.as_deref() == Some("Team Syd")));
    assert_eq!(
        cases[2].start,
        chrono::NaiveDate::from_ymd_opt(2024, 3, 3),
        "the third case's start date"
    );
}

#[tokio::test]
async fn a_csv_that_is_really_html_is_refused() {
    let ctx = Ctx::new().await;
    let msg = "Filen er en webside (HTML), ikke en CSV-fil.";
    for (name, text) in [
        (
            "side.csv",
            "<!DOCTYPE html>\n<html><body><table><tr><td>Sagsnummer;Paragraf</td></tr></table></body></html>\n",
        ),
        (
            "login.csv",
            "\n  <html>\n<head><title>Log ind</title></head>\n",
        ),
        ("bom.csv", "\u{feff}<HTML><body>Sagsnummer;Paragraf</body>"),
    ] {
        let path = ctx.file(name, text);
        ctx.refused(&[&path], &[msg]).await;
    }
    ctx.good_import_is_written().await;
}

#[tokio::test]
async fn a_csv_that_is_really_a_zip_is_refused() {
    let ctx = Ctx::new().await;
    let msg = "Filen er en Excel-fil (xlsx) eller en zip-fil, ikke en CSV-fil.";
    let path = ctx.file(
        "arkiv.csv",
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00rest of a zip",
    );
    ctx.refused(&[&path], &[msg]).await;
    // A real workbook saved under a .csv name.
    let mut wb = Workbook::new();
    good_sheet(wb.add_worksheet(), 2);
    let xlsx = ctx.xlsx("udtraek.xlsx", wb);
    let renamed = ctx.dir.join("udtraek.csv").to_string_lossy().into_owned();
    std::fs::copy(&xlsx, &renamed).expect("copy");
    ctx.refused(&[&renamed], &[msg]).await;
    // And the other way round: CSV text under an .xlsx name.
    let path = ctx.file("tekst.xlsx", good_csv(2));
    ctx.refused(&[&path], &["Filen er ikke en Excel-fil (xlsx)."])
        .await;
    ctx.good_import_is_written().await;
}

#[tokio::test]
async fn lines_with_too_many_or_too_few_fields_are_named_with_the_counts() {
    let ctx = Ctx::new().await;
    let path = ctx.file(
        "felter.csv",
        format!(
            "{HEADER}\n1001;§ 32;01-02-2024;ab;Team Nord\n1002;§ 32;02-02-2024;ab;Team Nord;ekstra\n1003;§ 32;03-02-2024;ab\n1004;§ 32;04-02-2024;ab;Team Nord\n"
        ),
    );
    ctx.refused_lines(
        &[&path],
        2,
        &[
            "Linje 3 har 6 kolonner, men overskriften har 5.",
            "Linje 4 har 4 kolonner, men overskriften har 5.",
        ],
    )
    .await;
    // A quote left open swallows a line break: the hint says so.
    let path = ctx.file(
        "citat.csv",
        format!(
            "{HEADER}\n1001;§ 32;01-02-2024;ab;Team Nord\n1002;§ 32;\"02-02-2024;ab;Team Nord\n1003;§ 32;03-02-2024;ab;Team Nord\n"
        ),
    );
    ctx.refused_lines(
        &[&path],
        1,
        &["Linje 3 har 3 kolonner, men overskriften har 5. Måske mangler et anførselstegn"],
    )
    .await;
    ctx.good_import_is_written().await;
}

/// Formula-like text in a free-text column is kept as text, exactly as in the file (export
/// safety is tested elsewhere): the file is accepted.
#[tokio::test]
async fn formula_like_values_are_kept_as_text() {
    let ctx = Ctx::new().await;
    let values = [
        r#"=HYPERLINK("http://x","klik")"#,
        "@SUM(A1:A2)",
        "+45 12 34 56 78",
        "-1+1",
    ];
    let mut text = format!("{HEADER};Bemærkning\n");
    for (i, v) in values.iter().enumerate() {
        text.push_str(&format!(
            "{};§ 32;01-02-2024;ab;Team Nord;\"{}\"\n",
            7000 + i,
            v.replace('"', "\"\"")
        ));
    }
    let path = ctx.file("formler.csv", text);
    let o = ctx.import(&[&path, "--dry-run"]);
    assert!(o.status.success(), "{}", err(&o));
    ctx.assert_nothing_written("dry run").await;
    let o = ctx.import(&[&path]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("4 nye"), "{}", out(&o));

    // The same in a workbook: a text cell starting with "=" is text, not a formula.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    write_row(ws, 0, &[&XLSX_HEADER[..], &["Bemærkning"]].concat());
    write_row(
        ws,
        1,
        &["7100", "§ 32", "01-02-2024", "ab", "Team Nord", values[0]],
    );
    let xlsx = ctx.xlsx("formler.xlsx", wb);
    let o = ctx.import(&[&xlsx, "--source", "Nexus"]);
    assert!(o.status.success(), "{}", err(&o));

    let w = ctx.written().await;
    assert_eq!((w.cases, w.case_imports, w.imported_events), (5, 2, 2));
    let cases = ctx.db.store.sample_cases(None).await.expect("cases");
    let stored: Vec<(&str, &str)> = cases
        .iter()
        .map(|c| {
            (
                c.key.as_str(),
                c.attributes
                    .get("Bemærkning")
                    .map(String::as_str)
                    .unwrap_or("<missing>"),
            )
        })
        .collect();
    assert_eq!(
        stored,
        [
            ("DUBU/7000", values[0]),
            ("DUBU/7001", values[1]),
            ("DUBU/7002", values[2]),
            ("DUBU/7003", values[3]),
            ("Nexus/7100", values[0]),
        ]
    );
}

/// A CPR number outside the person-key column stops the import, names line and column, and
/// never shows the number, even when rows before it were already sent to the database.
#[tokio::test]
async fn a_cpr_number_outside_the_person_key_column_stops_the_import() {
    let ctx = Ctx::new().await;
    let secrets = ["150615-4321", "1506154321", "150615"];
    let no_cpr_shown = |outputs: &[Output]| {
        for o in outputs {
            let both = format!("{}{}", out(o), err(o));
            for s in secrets {
                assert!(!both.contains(s), "{s} shown:\n{both}");
            }
        }
    };

    // No person key mapped; the CPR number in free text, after more rows than the CLI's batch.
    let mut text = format!("{HEADER};Bemærkning\n");
    for i in 0..2501 {
        text.push_str(&format!("{};§ 32;01-02-2024;ab;Team Nord;ok\n", 10_000 + i));
    }
    text.push_str("12501;§ 32;01-02-2024;ab;Team Nord;barnets cpr 150615-4321 se notat\n");
    text.push_str("12502;§ 32;01-02-2024;ab;Team Nord;ok\n");
    let path = ctx.file("cpr-i-noter.csv", &text);
    let outputs = ctx
        .refused(
            &[&path],
            &[
                "Linje 2503, kolonne «Bemærkning»: der står et CPR-nummer.",
                "Indlæsningen er stoppet.",
            ],
        )
        .await;
    no_cpr_shown(&outputs);
    let o = ctx.import(&[&path, "--json"]);
    assert_eq!(o.status.code(), Some(2));
    no_cpr_shown(&[o]);

    // A person key mapped (CPR), and ten CPR digits in another column.
    let path = ctx.file(
        "cpr-to-steder.csv",
        format!(
            "{HEADER};CPR;Journal\n1001;§ 32;01-02-2024;ab;Team Nord;010203-1234;J-1\n1002;§ 32;01-02-2024;ab;Team Nord;020304-2345;1506154321\n"
        ),
    );
    let mapping = ctx.file(
        "cpr.json",
        r#"{"external_id":"Sagsnummer","case_type":"Paragraf","measure_start":"Startdato","caseworker":"Sagsbehandler","unit":"Team","person_key":"CPR"}"#,
    );
    let outputs = ctx
        .refused(
            &[&path, "--mapping", &mapping],
            &["Linje 3, kolonne «Journal»: der står et CPR-nummer."],
        )
        .await;
    no_cpr_shown(&outputs);

    // A CPR number as a column header: masked in the message.
    let path = ctx.file(
        "cpr-overskrift.csv",
        format!("{HEADER};150615-4321\n1001;§ 32;01-02-2024;ab;Team Nord;x\n"),
    );
    let outputs = ctx
        .refused(
            &[&path],
            &["Linje 1, kolonne «xxxxxx-xxxx»: der står et CPR-nummer."],
        )
        .await;
    no_cpr_shown(&outputs);
    let audit = ctx.audit_export();
    for s in secrets {
        assert!(!audit.contains(s), "{s} in the audit log");
    }
    ctx.good_import_is_written().await;
}

#[tokio::test]
async fn duplicate_ids_are_named_with_both_lines() {
    let ctx = Ctx::new().await;
    let path = ctx.file(
        "dubletter.csv",
        format!(
            "{HEADER}\n1001;§ 32;01-02-2024;ab;Team Nord\n1002;§ 32;01-02-2024;ab;Team Nord\n1001;§ 32;03-02-2024;cd;Team Syd\n"
        ),
    );
    ctx.refused_lines(
        &[&path],
        1,
        &["Linje 4, kolonne «Sagsnummer»: sagsnummeret «1001» står også i linje 2. Hver sag må kun stå én gang."],
    )
    .await;
    ctx.good_import_is_written().await;
}

#[tokio::test]
async fn an_unknown_paragraph_is_named() {
    let ctx = Ctx::new().await;
    let path = ctx.file(
        "paragraf.csv",
        format!(
            "{HEADER}\n1001;§ 32;01-02-2024;ab;Team Nord\n1002;§ 999;01-02-2024;ab;Team Nord\n1003;Anbringelse;01-02-2024;ab;Team Nord\n"
        ),
    );
    ctx.refused_lines(
        &[&path],
        2,
        &[
            "Linje 3, kolonne «Paragraf»: «§ 999» er ikke en kendt paragraf i barnets lov.",
            "Linje 4, kolonne «Paragraf»: «Anbringelse» er ikke en kendt paragraf",
        ],
    )
    .await;
    ctx.good_import_is_written().await;
}

#[tokio::test]
async fn a_decision_before_the_underretning_is_named() {
    let ctx = Ctx::new().await;
    let path = ctx.file(
        "afgoerelse.csv",
        format!(
            "{HEADER};Underretning modtaget;Afgørelsesdato\n1001;§ 32;01-02-2024;ab;Team Nord;10-01-2024;15-01-2024\n1002;§ 32;01-02-2024;ab;Team Nord;10-01-2024;05-01-2024\n"
        ),
    );
    ctx.refused_lines(
        &[&path],
        1,
        &["Linje 3, kolonne «Afgørelsesdato»: afgørelsen (05-01-2024) ligger før den dag, underretningen kom."],
    )
    .await;
    ctx.good_import_is_written().await;
}

#[tokio::test]
async fn an_end_before_the_start_is_named() {
    let ctx = Ctx::new().await;
    let path = ctx.file(
        "slut.csv",
        format!(
            "{HEADER};Slutdato\n1001;§ 32;01-02-2024;ab;Team Nord;01-03-2024\n1002;§ 32;01-02-2024;ab;Team Nord;31-01-2024\n"
        ),
    );
    ctx.refused_lines(
        &[&path],
        1,
        &["Linje 3, kolonne «Slutdato»: slutdatoen 31-01-2024 ligger før startdatoen."],
    )
    .await;
    ctx.good_import_is_written().await;
}

#[tokio::test]
async fn a_date_in_the_future_is_named() {
    let ctx = Ctx::new().await;
    // The binary counts from its own today; 60 days ahead is in the future whenever it runs.
    let future = (chrono::Utc::now().date_naive() + chrono::Days::new(60))
        .format("%d-%m-%Y")
        .to_string();
    let path = ctx.file(
        "fremtid.csv",
        format!("{HEADER}\n1001;§ 32;01-02-2024;ab;Team Nord\n1002;§ 32;{future};ab;Team Nord\n"),
    );
    let expected = format!("Linje 3, kolonne «Startdato»: datoen {future} ligger efter i dag.");
    ctx.refused_lines(&[&path], 1, &[&expected]).await;
    // A year past 2100 is taken for a typing error, not a future date.
    let path = ctx.file(
        "aar-2999.csv",
        format!("{HEADER}\n1001;§ 32;01-02-2999;ab;Team Nord\n"),
    );
    ctx.refused_lines(
        &[&path],
        1,
        &["Linje 2, kolonne «Startdato»: «01-02-2999» er ikke en gyldig dato."],
    )
    .await;
    ctx.good_import_is_written().await;
}

/// A refused extract after a good one leaves the register as it was: the upserts of the rows
/// read before the refusal are rolled back, on both engines.
#[tokio::test]
async fn a_refused_extract_leaves_an_existing_register_untouched() {
    let ctx = Ctx::new().await;
    let n = 2600;
    let good = ctx.file("foer.csv", good_csv(n));
    let o = ctx.import(&[&good]);
    assert!(o.status.success(), "{}", err(&o));
    let before = ctx.written().await;
    assert_eq!(
        (before.cases, before.case_imports, before.imported_events),
        (2600, 1, 1)
    );
    let register = serde_json::to_string(&ctx.db.store.sample_cases(None).await.expect("cases"))
        .expect("json");

    // Every case moved to another team (so every batch upserts), then a problem at the end:
    // a duplicate id (a line error) and a CPR number (a stop).
    let changed = good_csv(n).replace("Team Nord", "Team Syd");
    let dup = format!("{changed}9000;§ 32;01-02-2024;ab;Team Syd\n");
    let cpr = format!("{changed}99999;§ 32;01-02-2024;ab;010203-1234\n");
    for (name, text, expected) in [
        (
            "dublet.csv",
            dup,
            format!(
                "Linje {}, kolonne «Sagsnummer»: sagsnummeret «9000» står også i linje 2.",
                n + 2
            ),
        ),
        (
            "cpr.csv",
            cpr,
            format!("Linje {}, kolonne «Team»: der står et CPR-nummer.", n + 2),
        ),
    ] {
        let path = ctx.file(name, text);
        for dry_run in [false, true] {
            let mut args = vec![path.as_str()];
            if dry_run {
                args.push("--dry-run");
            }
            let o = ctx.import(&args);
            assert_eq!(o.status.code(), Some(2), "{name}: {}", err(&o));
            assert!(err(&o).contains(&expected), "{name}: {}", err(&o));
            let after = ctx.written().await;
            assert_eq!(
                (after.cases, after.case_imports, after.imported_events),
                (2600, 1, 1),
                "{name}"
            );
            let now = serde_json::to_string(&ctx.db.store.sample_cases(None).await.expect("cases"))
                .expect("json");
            assert!(now == register, "{name}: the register changed");
        }
    }
}
