//! Reading whole files: each refusal and each line error with its key, line and column.

use super::*;
use std::convert::Infallible;
use std::io::Cursor;
use tilsyn_domain::cases::{Area, DATE_PROBLEM_KEYS};

mod fuzz;
mod messages;
mod xlsx;

const SECRET: &[u8] = b"test-secret-0123456789";
const CPR: &str = "150615-4321";
const CPR_DIGITS: &str = "1506154321";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn open(bytes: &[u8]) -> Result<Source, IntakeError> {
    Source::open_csv(Cursor::new(bytes.to_vec()), &Options::default())
}

fn open_with(bytes: &[u8], opts: &Options) -> Result<Source, IntakeError> {
    Source::open_csv(Cursor::new(bytes.to_vec()), opts)
}

/// Reads with the suggested mapping; returns the report and the records the sink got.
fn read_source(
    source: Source,
    tweak: impl FnOnce(&mut Settings<'_>),
) -> Result<(Report, Vec<CaseRecord>), IntakeError> {
    let mapping = suggest_mapping(source.headers()).mapping;
    read_mapped(source, &mapping, tweak)
}

fn read_mapped(
    source: Source,
    mapping: &Mapping,
    tweak: impl FnOnce(&mut Settings<'_>),
) -> Result<(Report, Vec<CaseRecord>), IntakeError> {
    let catalog = CaseTypeCatalog::standard();
    let mut settings = Settings::new(mapping, &catalog, SECRET, today());
    settings.source = "test.csv".into();
    tweak(&mut settings);
    let mut got = Vec::new();
    let report = source
        .read(&settings, |r| {
            got.push(r);
            Ok::<(), Infallible>(())
        })
        .map_err(|e| match e {
            ReadError::Intake(e) => e,
            ReadError::Sink(never) => match never {},
        })?;
    Ok((report, got))
}

fn read(bytes: &[u8]) -> Result<(Report, Vec<CaseRecord>), IntakeError> {
    read_source(open(bytes)?, |_| {})
}

const HEADER: &str = "Sagsnr;Rådgiver;Team;Område;Paragraf;Startdato;Slutdato;Anbringelsessted";

fn csv(rows: &[&str]) -> Vec<u8> {
    let mut s = String::from(HEADER);
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s.into_bytes()
}

/// The only issue of a report.
fn only_issue(report: &Report) -> &LineIssue {
    assert_eq!(report.error_count, 1, "{:#?}", report.errors);
    &report.errors[0]
}

fn extra<'a>(issue: &'a LineIssue, name: &str) -> &'a str {
    issue
        .extra
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} in {issue:?}"))
}

#[test]
fn clean_file_gives_records_and_report() {
    let bytes = csv(&[
        "S-1;AB;Team Nord;Udsatte børn;§ 32;01-02-2024;;Plejefamilie",
        "S-2;CD;Team Syd;Handicap;BL § 86 stk. 1;15-03-2024;31-12-2025;",
        ";;;;;;;",
    ]);
    let (report, recs) = read(&bytes).unwrap();
    assert!(report.is_clean(), "{:#?}", report.errors);
    assert_eq!((report.rows, report.accepted, report.blank_rows), (2, 2, 1));
    assert_eq!(report.info.delimiter, Some(';'));
    assert_eq!(report.info.encoding, Some(TextEncoding::Utf8));
    assert!(report.info.encoding_detected);
    assert_eq!(report.info.header_line, 1);
    assert_eq!(report.info.file_size, bytes.len() as u64);
    use sha2::Digest;
    assert_eq!(
        report.info.file_sha256,
        hex::encode(sha2::Sha256::digest(&bytes))
    );

    let r = &recs[0];
    assert_eq!(r.source, "test.csv");
    assert_eq!(r.external_id, "S-1");
    assert_eq!(r.caseworker.as_deref(), Some("AB"));
    assert_eq!(r.unit.as_deref(), Some("Team Nord"));
    assert_eq!(r.area, Some(Area::VulnerableChildren));
    assert_eq!(r.case_type, "§ 32");
    assert_eq!(r.measure_start, Some(d(2024, 2, 1)));
    assert_eq!(r.measure_end, None);
    assert_eq!(
        r.attributes.get("Anbringelsessted").map(String::as_str),
        Some("Plejefamilie")
    );
    let r = &recs[1];
    assert_eq!(
        (r.area, r.case_type.as_str()),
        (Some(Area::Handicap), "§ 86")
    );
    assert_eq!(r.measure_end, Some(d(2025, 12, 31)));
    assert!(r.attributes.is_empty(), "empty values are not kept");
}

#[test]
fn utf8_bom_is_dropped() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(csv(&["S-1;Åse;T;;§ 30;01-02-2024;;"]));
    let source = open(&bytes).unwrap();
    assert_eq!(source.headers()[0], "Sagsnr");
    assert!(source.info().bom);
    let (report, recs) = read_source(source, |_| {}).unwrap();
    assert!(report.is_clean());
    assert_eq!(recs[0].caseworker.as_deref(), Some("Åse"));
}

#[test]
fn windows_1252_is_detected_and_decoded() {
    // "Søren Ærø" written byte by byte in windows-1252, header too ("Rådgiver").
    let mut bytes = b"Sagsnr;R\xe5dgiver;Team;Paragraf;Startdato".to_vec();
    bytes.extend_from_slice(b"\nS-1;S\xf8ren \xc6r\xf8;Team \xc5;\xa7 32;01-02-2024\n");
    let (report, recs) = read(&bytes).unwrap();
    assert!(report.is_clean(), "{:#?}", report.errors);
    assert_eq!(report.info.encoding, Some(TextEncoding::Windows1252));
    assert_eq!(recs[0].caseworker.as_deref(), Some("Søren Ærø"));
    assert_eq!(recs[0].unit.as_deref(), Some("Team Å"));
    assert_eq!(recs[0].case_type, "§ 32");
}

#[test]
fn encoding_can_be_chosen() {
    let mut bytes = b"Sagsnr;R\xe5dgiver;Paragraf;Startdato".to_vec();
    bytes.extend_from_slice(b"\nS-1;S\xf8ren;32;01-02-2024\n");
    let opts = Options {
        encoding: Some(TextEncoding::Latin1),
        ..Options::default()
    };
    let (report, recs) = read_source(open_with(&bytes, &opts).unwrap(), |_| {}).unwrap();
    assert_eq!(report.info.encoding, Some(TextEncoding::Latin1));
    assert!(!report.info.encoding_detected);
    assert_eq!(recs[0].caseworker.as_deref(), Some("Søren"));
    let opts = Options {
        encoding: Some(TextEncoding::Utf8),
        ..Options::default()
    };
    assert_eq!(
        open_with(&bytes, &opts).unwrap_err(),
        IntakeError::NotUtf8 { line: 1 }
    );
}

#[test]
fn mixed_encodings_are_refused_with_the_line() {
    let mut bytes = b"Sagsnr;Sagsbehandler;Team;Omr;Paragraf;Startdato;Slut;X".to_vec();
    bytes.extend_from_slice("\nS-1;Søren;T;;32;01-02-2024;;".as_bytes());
    bytes.extend_from_slice("\nS-2;Søren;T;;32;01-02-2024;;".as_bytes());
    bytes.extend_from_slice(b"\nS-3;S\xf8ren;T;;32;01-02-2024;;\n");
    let e = open(&bytes).unwrap_err();
    assert_eq!(e.key(), "intake-mixed-encoding");
    assert_eq!(
        e,
        IntakeError::MixedEncoding {
            line: 4,
            utf8_line: 2,
            other_line: 4
        }
    );
}

#[test]
fn delimiters_are_detected() {
    for (sep, want) in [(",", ','), ("\t", '\t'), (";", ';')] {
        let text = format!(
            "Sagsnr{sep}Rådgiver{sep}Paragraf{sep}Startdato\n\"S-1\"{sep}AB{sep}\"§ 32, stk. 1\"{sep}01-02-2024\n"
        );
        let (report, recs) = read(text.as_bytes()).unwrap();
        assert_eq!(report.info.delimiter, Some(want));
        assert!(report.is_clean(), "{sep:?}: {:#?}", report.errors);
        assert_eq!(recs[0].case_type, "§ 32");
    }
}

#[test]
fn embedded_newlines_keep_line_numbers() {
    let text = "Sagsnr;Rådgiver;Paragraf;Startdato;Bemærkning\n\
                S-1;AB;32;01-02-2024;\"første linje\nanden linje\ntredje\"\n\
                S-2;AB;32;01-02-2024;ok\n\
                S-3;AB;32;31-02-2024;ok\n";
    let (report, recs) = read(text.as_bytes()).unwrap();
    assert_eq!(recs.len(), 2);
    assert_eq!(
        recs[0].attributes.get("Bemærkning").map(String::as_str),
        Some("første linje\nanden linje\ntredje")
    );
    let issue = only_issue(&report);
    assert_eq!(issue.line, 6, "S-3 starts on line 6 in an editor");
    assert_eq!(issue.key, "intake-date-impossible");
    assert_eq!(issue.column.as_deref(), Some("Startdato"));
    assert_eq!(issue.value.as_deref(), Some("31-02-2024"));
}

#[test]
fn blank_lines_do_not_shift_line_numbers() {
    let text = "\n\nSagsnr;Rådgiver;Paragraf;Startdato\n\nS-1;AB;32;01-02-2024\n\r\nS-2;AB;99;01-02-2024\n";
    let source = open(text.as_bytes()).unwrap();
    assert_eq!(source.info().header_line, 3);
    let (report, _) = read_source(source, |_| {}).unwrap();
    let issue = only_issue(&report);
    assert_eq!((issue.line, issue.key), (7, "intake-case-type-unknown"));
}

#[test]
fn too_many_and_too_few_fields_name_the_line_and_counts() {
    let bytes = csv(&[
        "S-1;AB;T;;32;01-02-2024;;x;EXTRA",
        "S-2;AB;T;;32;01-02-2024",
        "S-3;AB;T;;32;01-02-2024;;",
    ]);
    let (report, recs) = read(&bytes).unwrap();
    assert_eq!(recs.len(), 1);
    assert_eq!(report.error_count, 2);
    let e = &report.errors[0];
    assert_eq!((e.line, e.key), (2, "intake-field-count"));
    assert_eq!((extra(e, "expected"), extra(e, "found")), ("8", "9"));
    let e = &report.errors[1];
    assert_eq!((e.line, e.key), (3, "intake-field-count"));
    assert_eq!((extra(e, "expected"), extra(e, "found")), ("8", "6"));
}

#[test]
fn an_unclosed_quote_hints_at_the_quote() {
    let bytes = csv(&["S-1;AB;T;;32;\"01-02-2024;;", "S-2;AB;T;;32;01-02-2024;;"]);
    let (report, _) = read(&bytes).unwrap();
    let issue = only_issue(&report);
    assert_eq!((issue.line, issue.key), (2, "intake-field-count-quote"));
}

#[test]
fn refusals_up_front() {
    assert_eq!(open(b"").unwrap_err(), IntakeError::Empty);
    assert_eq!(
        open(b"\xEF\xBB\xBF\r\n \n").unwrap_err(),
        IntakeError::Empty
    );
    assert_eq!(
        open(HEADER.as_bytes()).unwrap_err(),
        IntakeError::HeaderOnly
    );
    assert_eq!(
        open(&csv(&[";;;;;;;", ""])).unwrap_err(),
        IntakeError::HeaderOnly
    );
    assert_eq!(
        open(b"\n  <!DOCTYPE html>\n<html><body>Log ind</body></html>").unwrap_err(),
        IntakeError::Html
    );
    assert_eq!(
        open(b"<html lang=da>").unwrap_err().key(),
        "intake-not-csv-html"
    );
    assert_eq!(
        open(b"PK\x03\x04\x14\x00\x06\x00").unwrap_err().key(),
        "intake-not-csv-zip"
    );
    let mut nul = csv(&["S-1;AB;T;;32;01-02-2024;;"]);
    nul.extend_from_slice(b"S-2;A\0B;T;;32;01-02-2024;;\n");
    assert_eq!(open(&nul).unwrap_err(), IntakeError::NulByte { line: 3 });
    assert_eq!(
        open(b"Sagsnr\nS-1\n").unwrap_err(),
        IntakeError::NoDelimiter
    );
    assert_eq!(
        open(b"Sagsnr;Startdato;Sagsnr\n1;2;3\n").unwrap_err(),
        IntakeError::DuplicateHeader {
            column: "Sagsnr".into()
        }
    );
}

#[test]
fn size_limit_refuses_before_parsing() {
    let opts = Options {
        max_size: 100,
        ..Options::default()
    };
    let e = open_with(&csv(&["S-1;AB;T;;32;01-02-2024;;"; 5]), &opts).unwrap_err();
    assert_eq!(
        e,
        IntakeError::TooLarge {
            size: None,
            max: 100
        }
    );
    assert_eq!(e.key(), "intake-too-large");

    // A 200 MB file (sparse: nothing written) is refused by its size alone, instantly.
    let dir = std::env::temp_dir().join(format!("tilsyn-intake-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("stort.csv");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(200_000_000).unwrap();
    drop(f);
    let started = std::time::Instant::now();
    let e = Source::open_path(&path, &Options::default()).unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_millis(200));
    assert_eq!(
        e,
        IntakeError::TooLarge {
            size: Some(200_000_000),
            max: DEFAULT_MAX_SIZE
        }
    );
    assert_eq!(
        e.args(),
        vec![("max_mb", "150".to_owned()), ("size_mb", "191".to_owned())]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn mixed_date_formats_name_the_column_and_both_lines() {
    let bytes = csv(&[
        "S-1;AB;T;;32;01-02-2024;;",
        "S-2;AB;T;;32;02-02-2024;;",
        "S-3;AB;T;;32;2024-02-03;;",
        "S-4;AB;T;;32;2024-02-04;;",
    ]);
    let (report, recs) = read(&bytes).unwrap();
    let issue = only_issue(&report);
    assert_eq!(issue.key, "intake-date-mixed-formats");
    assert_eq!(issue.line, 4);
    assert_eq!(issue.column.as_deref(), Some("Startdato"));
    assert_eq!(extra(issue, "first_format"), "31-12-2024");
    assert_eq!(extra(issue, "first_line"), "2");
    assert_eq!(extra(issue, "other_format"), "2024-12-31");
    assert_eq!(extra(issue, "other_line"), "4");
    assert_eq!(recs.len(), 3);
}

#[test]
fn date_formats_and_times_are_accepted() {
    let bytes = csv(&[
        "S-1;AB;T;;32;01.02.2024 00:00;;",
        "S-2;AB;T;;32;1.2.2024;;",
        "S-3;AB;T;;32;01.02.2024 13:45:00;;",
    ]);
    let (report, recs) = read(&bytes).unwrap();
    assert!(report.is_clean(), "{:#?}", report.errors);
    assert!(recs.iter().all(|r| r.measure_start == Some(d(2024, 2, 1))));
}

#[test]
fn bad_dates_are_line_errors() {
    let bytes = csv(&["S-1;AB;T;;32;31-02-2024;;", "S-2;AB;T;;32;i går;;"]);
    let (report, recs) = read(&bytes).unwrap();
    assert!(recs.is_empty());
    let (a, b) = (&report.errors[0], &report.errors[1]);
    assert_eq!(
        (a.line, a.key, a.value.as_deref()),
        (2, "intake-date-impossible", Some("31-02-2024"))
    );
    assert_eq!(
        (b.line, b.key, b.column.as_deref()),
        (3, "intake-date-invalid", Some("Startdato"))
    );
}

#[test]
fn date_sequence_checks_of_the_domain() {
    let bytes = csv(&[
        "S-1;AB;T;;32;01-02-2024;01-01-2024;",
        "S-2;AB;T;;32;01-07-2025;;",
        "S-3;AB;T;;32;30-06-2025;;",
    ]);
    let (report, recs) = read(&bytes).unwrap();
    assert_eq!(recs.len(), 1, "today itself is fine");
    let (a, b) = (&report.errors[0], &report.errors[1]);
    assert_eq!((a.line, a.key), (2, "case-date-end-before-start"));
    assert_eq!(
        (a.column.as_deref(), a.value.as_deref()),
        (Some("Slutdato"), Some("01-01-2024"))
    );
    assert_eq!(
        (b.line, b.key, b.column.as_deref()),
        (3, "case-date-in-future", Some("Startdato"))
    );
    for e in &report.errors {
        assert!(DATE_PROBLEM_KEYS.contains(&e.key));
    }
}

#[test]
fn duplicate_case_ids_name_both_lines() {
    let bytes = csv(&[
        "S-1;AB;T;;32;01-02-2024;;",
        "S-2;AB;T;;32;01-02-2024;;",
        " S-1 ;CD;T;;32;01-03-2024;;",
    ]);
    let (report, recs) = read(&bytes).unwrap();
    assert_eq!(recs.len(), 2);
    let issue = only_issue(&report);
    assert_eq!((issue.line, issue.key), (4, "intake-duplicate-id"));
    assert_eq!(issue.value.as_deref(), Some("S-1"));
    assert_eq!(extra(issue, "first_line"), "2");
}

#[test]
fn unknown_paragraph_and_other_laws() {
    let bytes = csv(&[
        "S-1;AB;T;;SEL § 52;01-02-2024;;",
        "S-2;AB;T;;§ 999;01-02-2024;;",
    ]);
    let (report, recs) = read(&bytes).unwrap();
    assert!(recs.is_empty());
    assert_eq!(report.error_count, 2);
    for (e, line, value) in [
        (&report.errors[0], 2, "SEL § 52"),
        (&report.errors[1], 3, "§ 999"),
    ] {
        assert_eq!((e.line, e.key), (line, "intake-case-type-unknown"));
        assert_eq!(
            (e.column.as_deref(), e.value.as_deref()),
            (Some("Paragraf"), Some(value))
        );
    }
}

#[test]
fn empty_mandatory_values() {
    let bytes = csv(&[
        ";AB;T;;32;01-02-2024;;",
        "S-2; ;T;;32;01-02-2024;;",
        "S-3;AB;T;;32;;;",
    ]);
    let (report, recs) = read(&bytes).unwrap();
    assert!(recs.is_empty());
    let got: Vec<_> = report
        .errors
        .iter()
        .map(|e| (e.line, e.key, e.column.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        got,
        vec![
            (2, "intake-value-missing", "Sagsnr"),
            (3, "intake-value-missing", "Rådgiver"),
            (4, "intake-value-missing", "Startdato"),
        ]
    );
}

#[test]
fn area_and_age_values() {
    let text = "Sagsnr;Rådgiver;Paragraf;Startdato;Område;Alder\n\
                S-1;AB;32;01-02-2024;Børnehandicap;7\n\
                S-2;AB;32;01-02-2024;Ældre;7\n\
                S-3;AB;32;01-02-2024;;syv\n";
    let (report, recs) = read(text.as_bytes()).unwrap();
    assert_eq!(recs.len(), 1);
    assert_eq!((recs[0].area, recs[0].age), (Some(Area::Handicap), Some(7)));
    assert_eq!(
        (report.errors[0].line, report.errors[0].key),
        (3, "intake-area-unknown")
    );
    assert_eq!(
        (report.errors[1].line, report.errors[1].key),
        (4, "intake-age-invalid")
    );
}

#[test]
fn mapping_problems_refuse_the_file() {
    let bytes = csv(&["S-1;AB;T;;32;01-02-2024;;"]);
    let m = Mapping::new().with(CaseField::ExternalId, "Sagsnr");
    let e = read_mapped(open(&bytes).unwrap(), &m, |_| {}).unwrap_err();
    assert_eq!(
        e,
        IntakeError::MissingColumns {
            fields: vec![
                CaseField::CaseType,
                CaseField::MeasureStart,
                CaseField::Caseworker
            ]
        }
    );
    assert_eq!(e.fields().len(), 3);

    let mut m = suggest_mapping(open(&bytes).unwrap().headers()).mapping;
    m.set(CaseField::BirthDate, "Fødselsdato");
    let e = read_mapped(open(&bytes).unwrap(), &m, |_| {}).unwrap_err();
    assert_eq!(e.key(), "intake-mapped-column-absent");

    let mut m = suggest_mapping(open(&bytes).unwrap().headers()).mapping;
    m.set(CaseField::PersonKey, "Sagsnr");
    let e = read_mapped(open(&bytes).unwrap(), &m, |_| {}).unwrap_err();
    assert_eq!(e.key(), "intake-column-mapped-twice");
}

#[test]
fn a_saved_mapping_matches_headers_loosely() {
    let bytes = csv(&["S-1;AB;T;;32;01-02-2024;;"]);
    let m: Mapping = serde_json::from_str(
        r#"{"external_id":"SAGSNR.","caseworker":" rådgiver","case_type":"Paragraf","measure_start":"Start-dato"}"#,
    )
    .unwrap();
    let (report, recs) = read_mapped(open(&bytes).unwrap(), &m, |_| {}).unwrap();
    assert!(report.is_clean(), "{:#?}", report.errors);
    assert_eq!(recs[0].external_id, "S-1");
    assert_eq!(recs[0].attributes.len(), 1, "Team is unmapped here");
    assert_eq!(
        recs[0].attributes.get("Team").map(String::as_str),
        Some("T")
    );
}

const CPR_HEADER: &str = "Sagsnr;CPR-nr;Rådgiver;Paragraf;Startdato";

#[test]
fn cpr_in_the_person_key_column_is_hashed() {
    let text = format!(
        "{CPR_HEADER}\nS-1;{CPR};AB;32;01-02-2024\nS-2;{CPR_DIGITS};AB;32;01-02-2024\nS-3;;AB;32;01-02-2024\n"
    );
    let (report, recs) = read(text.as_bytes()).unwrap();
    assert!(report.is_clean(), "{:#?}", report.errors);
    let key = recs[0].person_key.clone().unwrap();
    assert_eq!(
        recs[1].person_key.as_deref(),
        Some(key.as_str()),
        "same CPR, same hash"
    );
    assert_eq!(recs[2].person_key, None);
    assert_eq!(key.len(), 64);
    assert_eq!(
        recs[0].birth_date,
        Some(d(2015, 6, 15)),
        "derived by the 7th digit"
    );
    let other = cpr::PersonKeyHasher::new(b"a-different-secret-value").unwrap();
    assert_ne!(other.hash_value(CPR), key, "another secret, another hash");

    let everything = format!("{recs:?} {report:?}");
    assert!(
        !everything.contains(CPR_DIGITS)
            && !everything.contains(CPR)
            && !everything.contains("150615")
    );

    // Without a usable secret, a person-key column is refused.
    let e = read_source(open(text.as_bytes()).unwrap(), |s| s.secret = b"short").unwrap_err();
    assert_eq!(e, IntakeError::SecretMissing);
    // Not derived when switched off.
    let (_, recs) = read_source(open(text.as_bytes()).unwrap(), |s| {
        s.derive_birth_date = false
    })
    .unwrap();
    assert_eq!(recs[0].birth_date, None);
}

#[test]
fn cpr_anywhere_else_stops_the_import_without_showing_it() {
    for (row, column) in [
        (format!("S-1;{CPR};AB;32;01-02-2024;barn {CPR}"), "Note"),
        (format!("{CPR_DIGITS};{CPR};AB;32;01-02-2024;"), "Sagsnr"),
    ] {
        let text = format!("{CPR_HEADER};Note\nS-0;;AB;32;01-02-2024;\n{row}\n");
        let e = read(text.as_bytes()).unwrap_err();
        assert_eq!(
            e,
            IntakeError::CprOutsidePersonKey {
                line: 3,
                column: column.into()
            }
        );
        let shown = format!("{e} {e:?} {:?}", e.args());
        assert!(
            !shown.contains(CPR_DIGITS) && !shown.contains("150615"),
            "{shown}"
        );
    }
    // Also without any person-key column, and in a header.
    let text = format!("Sagsnr;Rådgiver;Paragraf;Startdato\nS-1;{CPR};32;01-02-2024\n");
    let e = read(text.as_bytes()).unwrap_err();
    assert_eq!(e.key(), "intake-cpr-outside-person-key");
    let text = format!("Sagsnr;{CPR};Paragraf;Startdato\nS-1;x;32;01-02-2024\n");
    let e = open(text.as_bytes()).unwrap_err();
    assert_eq!(
        e,
        IntakeError::CprOutsidePersonKey {
            line: 1,
            column: cpr::MASK.into()
        }
    );
}

#[test]
fn issue_values_mask_cpr_like_parts() {
    // A non-CPR 10-digit run in a date column is shown as is; a CPR-like value never is,
    // because it stops the import first. Here: a long value is cut.
    let long = "x".repeat(100);
    let bytes = csv(&[&format!("S-1;AB;T;;{long};01-02-2024;;")]);
    let (report, _) = read(&bytes).unwrap();
    let issue = only_issue(&report);
    assert_eq!(issue.value.as_ref().unwrap().chars().count(), 61);
    assert!(issue.to_string().starts_with("line 2, column «Paragraf»"));
}

#[test]
fn formula_like_values_are_kept_as_text() {
    let text = "Sagsnr;Rådgiver;Paragraf;Startdato;Link\n\
                S-1;AB;32;01-02-2024;\"=HYPERLINK(\"\"http://x\"\",\"\"klik\"\")\"\n";
    let (report, recs) = read(text.as_bytes()).unwrap();
    assert!(report.is_clean());
    let v = recs[0].attributes.get("Link").unwrap();
    assert_eq!(v, "=HYPERLINK(\"http://x\",\"klik\")");
    assert_eq!(
        tilsyn_domain::cases::spreadsheet_safe(v),
        "'=HYPERLINK(\"http://x\",\"klik\")"
    );
}

#[test]
fn errors_are_capped_but_all_counted() {
    let rows: Vec<String> = (0..25)
        .map(|i| format!("S-{i};AB;T;;99;01-02-2024;;"))
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let (report, recs) = read_source(open(&csv(&rows)).unwrap(), |s| s.max_errors = 10).unwrap();
    assert!(recs.is_empty());
    assert_eq!((report.errors.len(), report.error_count), (10, 25));
    assert!(!report.is_clean());
}

#[test]
fn a_failing_sink_stops_the_read() {
    let bytes = csv(&["S-1;AB;T;;32;01-02-2024;;", "S-2;AB;T;;32;01-02-2024;;"]);
    let source = open(&bytes).unwrap();
    let mapping = suggest_mapping(source.headers()).mapping;
    let catalog = CaseTypeCatalog::standard();
    let settings = Settings::new(&mapping, &catalog, SECRET, today());
    let mut calls = 0;
    let r = source.read(&settings, |_| {
        calls += 1;
        Err("database gone")
    });
    assert!(matches!(r, Err(ReadError::Sink("database gone"))));
    assert_eq!(calls, 1);
}

#[test]
fn open_path_reads_by_extension() {
    let dir = std::env::temp_dir().join(format!("tilsyn-intake-path-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("udtræk.csv");
    std::fs::write(&path, csv(&["S-1;AB;T;;32;01-02-2024;;"])).unwrap();
    let mapping = suggest_mapping(
        Source::open_path(&path, &Options::default())
            .unwrap()
            .headers(),
    )
    .mapping;
    let catalog = CaseTypeCatalog::standard();
    let settings = Settings::new(&mapping, &catalog, SECRET, today());
    let report = read_path(&path, &Options::default(), &settings, |_| {
        Ok::<(), Infallible>(())
    })
    .unwrap();
    assert_eq!(report.accepted, 1);
    // The same CSV bytes named .xlsx are not a workbook.
    let xpath = dir.join("udtræk.xlsx");
    std::fs::copy(&path, &xpath).unwrap();
    assert_eq!(
        Source::open_path(&xpath, &Options::default()).unwrap_err(),
        IntakeError::NotXlsx
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn settings_debug_hides_the_secret() {
    let m = Mapping::new();
    let c = CaseTypeCatalog::standard();
    let s = Settings::new(&m, &c, SECRET, today());
    assert!(!format!("{s:?}").contains("test-secret"));
}

#[test]
fn sources_and_reports_cross_threads() {
    fn send<T: Send>() {}
    send::<Source>();
    send::<Report>();
    send::<IntakeError>();
}

#[test]
fn blank_rows_are_counted_not_read() {
    let bytes = csv(&[
        ";;;;;;;",
        "",
        "S-1;AB;T;;32;01-02-2024;;",
        " ; ;;;;;;",
        "S-2;AB;T;;32;01-02-2024;;",
    ]);
    let (report, recs) = read(&bytes).unwrap();
    assert_eq!((report.rows, report.blank_rows, recs.len()), (2, 2, 2));
}
