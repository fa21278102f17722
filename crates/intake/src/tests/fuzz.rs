//! Property "fuzzing": whatever bytes come in, the reader answers Ok or Err and never panics.
//! The default case count is small for everyday runs; for a long run:
//! `PROPTEST_CASES=200000 cargo test -p tilsyn-intake --release fuzz`.

use super::*;
use proptest::prelude::*;

/// Opens and, if that works, reads with a mapping that takes the first four columns for the
/// mandatory fields (so row validation runs whatever the headers are called), a person key and
/// a date column when there are enough columns.
fn run_bytes(bytes: Vec<u8>, encoding: Option<TextEncoding>) {
    let opts = Options {
        encoding,
        max_size: 1 << 20,
        ..Options::default()
    };
    let Ok(source) = Source::open_csv(Cursor::new(bytes), &opts) else {
        return;
    };
    let h = source.headers().to_vec();
    let mut m = suggest_mapping(&h).mapping;
    let targets = [
        CaseField::ExternalId,
        CaseField::CaseType,
        CaseField::MeasureStart,
        CaseField::Caseworker,
        CaseField::PersonKey,
        CaseField::MeasureEnd,
        CaseField::Age,
        CaseField::Area,
    ];
    if h.len() >= targets.len() {
        m = Mapping::new();
        for (f, header) in targets.iter().zip(&h) {
            m.set(*f, header.clone());
        }
    }
    let catalog = CaseTypeCatalog::standard();
    let settings = Settings::new(&m, &catalog, SECRET, today());
    let result = source.read(&settings, |rec| {
        // Whatever got through is a valid record.
        assert!(!rec.external_id.is_empty());
        assert!(catalog.get(&rec.case_type).is_some());
        Ok::<(), Infallible>(())
    });
    if let Ok(report) = result {
        assert!(report.errors.len() as u64 <= report.error_count);
        assert!(report.accepted <= report.rows);
    }
}

/// Cells that look like what extracts contain, including the awkward ones.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("§ 32".to_owned()),
        Just("SEL § 52".to_owned()),
        Just("01-02-2024".to_owned()),
        Just("2024-02-01".to_owned()),
        Just("31-02-2024".to_owned()),
        Just("150615-4321".to_owned()),
        Just("0102031234".to_owned()),
        Just("\"quoted; with, separators\"".to_owned()),
        Just("\"multi\nline\"".to_owned()),
        Just("\"unterminated".to_owned()),
        Just("=HYPERLINK(\"x\")".to_owned()),
        Just("Søren Ærø".to_owned()),
        Just("\u{feff}".to_owned()),
        "[a-zA-Z0-9 ;,\t\"\r\n§æøå.-]{0,12}",
        "\\PC{0,8}",
    ]
}

fn near_csv() -> impl Strategy<Value = Vec<u8>> {
    let sep = prop_oneof![Just(";"), Just(","), Just("\t")];
    let eol = prop_oneof![Just("\n"), Just("\r\n"), Just("\r")];
    (
        sep,
        eol,
        prop::collection::vec(cell(), 1..10),
        prop::collection::vec(prop::collection::vec(cell(), 0..12), 0..12),
        any::<bool>(),
    )
        .prop_map(|(sep, eol, header, rows, latin1)| {
            let mut s = header.join(sep);
            for r in rows {
                s.push_str(eol);
                s.push_str(&r.join(sep));
            }
            if latin1 {
                // Re-encode what fits into windows-1252, to mix encodings now and then.
                s.chars()
                    .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                    .collect()
            } else {
                s.into_bytes()
            }
        })
}

/// Runs `check` on `cases` inputs (PROPTEST_CASES, default 256) and prints how many ran.
fn fuzz<S: Strategy>(name: &str, strategy: S, check: impl Fn(S::Value))
where
    S::Value: std::fmt::Debug,
{
    use proptest::test_runner::{Config, TestRunner};
    use std::sync::atomic::{AtomicU64, Ordering};
    let runs = AtomicU64::new(0);
    let mut runner = TestRunner::new(Config::default());
    let result = runner.run(&strategy, |value| {
        runs.fetch_add(1, Ordering::Relaxed);
        check(value);
        Ok(())
    });
    eprintln!("{name}: {} executions", runs.load(Ordering::Relaxed));
    result.unwrap();
}

#[test]
fn arbitrary_bytes_never_panic() {
    fuzz(
        "arbitrary_bytes_never_panic",
        prop::collection::vec(any::<u8>(), 0..1024),
        |bytes| run_bytes(bytes, None),
    );
}

#[test]
fn near_csv_never_panics() {
    let enc = prop::option::of(prop_oneof![
        Just(TextEncoding::Utf8),
        Just(TextEncoding::Windows1252),
        Just(TextEncoding::Latin1)
    ]);
    fuzz(
        "near_csv_never_panics",
        (near_csv(), enc),
        |(bytes, enc)| run_bytes(bytes, enc),
    );
}

#[test]
fn arbitrary_bytes_as_xlsx_never_panic() {
    fuzz(
        "arbitrary_bytes_as_xlsx_never_panic",
        prop::collection::vec(any::<u8>(), 0..512),
        |bytes| {
            let mut b = b"PK\x03\x04".to_vec();
            b.extend(bytes);
            let _ = Source::open_xlsx(Cursor::new(b), &Options::default());
        },
    );
}
