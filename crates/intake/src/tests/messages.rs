//! Every message key the crate can emit exists in both catalogues, with the variables the crate
//! supplies, and both files parse as Fluent.

use super::*;
use std::collections::{BTreeMap, BTreeSet};

const DA: &str = include_str!("../../../web/locales/da/intake.ftl");
const EN: &str = include_str!("../../../web/locales/en/intake.ftl");

/// The crate's sources, scanned for `"intake-…"` literals.
const SOURCES: &[&str] = &[
    include_str!("../lib.rs"),
    include_str!("../cpr.rs"),
    include_str!("../csv_source.rs"),
    include_str!("../dates.rs"),
    include_str!("../decode.rs"),
    include_str!("../error.rs"),
    include_str!("../mapping.rs"),
    include_str!("../sniff.rs"),
    include_str!("../validate.rs"),
    include_str!("../xlsx_source.rs"),
];

/// Message id → the variables its text uses.
fn messages(ftl: &str) -> BTreeMap<String, BTreeSet<String>> {
    let resource = fluent_syntax::parser::parse(ftl).unwrap_or_else(|(_, errors)| {
        panic!("intake.ftl does not parse: {errors:?}");
    });
    assert!(!resource.body.is_empty());
    let mut out = BTreeMap::new();
    for line in ftl.lines() {
        if line.starts_with('#') || line.starts_with(' ') || !line.contains(" = ") {
            continue;
        }
        let Some((id, text)) = line.split_once(" = ") else {
            continue;
        };
        let vars = text
            .split('$')
            .skip(1)
            .map(|rest| {
                rest.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .collect();
        assert!(
            out.insert(id.trim().to_owned(), vars).is_none(),
            "{id} twice"
        );
    }
    out
}

fn emitted_keys() -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for src in SOURCES {
        for piece in src.split("\"intake-").skip(1) {
            let tail: String = piece
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
                .collect();
            // Only whole literals ("intake-foo"), not prefixes in prose.
            if piece[tail.len()..].starts_with('"') && !tail.is_empty() {
                keys.insert(format!("intake-{tail}"));
            }
        }
    }
    keys
}

#[test]
fn catalogues_have_the_same_keys_and_every_emitted_key() {
    let da = messages(DA);
    let en = messages(EN);
    assert_eq!(
        da.keys().collect::<Vec<_>>(),
        en.keys().collect::<Vec<_>>(),
        "da and en differ"
    );
    for (k, vars) in &da {
        assert_eq!(
            Some(vars),
            en.get(k),
            "{k}: the languages use different variables"
        );
    }
    let mut wanted = emitted_keys();
    assert!(wanted.len() >= 30, "scan found too few keys: {wanted:?}");
    wanted.extend(DATE_PROBLEM_KEYS.iter().map(|k| (*k).to_owned()));
    wanted.extend(CaseField::ALL.iter().map(|f| f.label_key().to_owned()));
    wanted.extend(Area::ALL.iter().map(|a| a.label_key().to_owned()));
    let missing: Vec<_> = wanted.iter().filter(|k| !da.contains_key(*k)).collect();
    assert!(missing.is_empty(), "missing in intake.ftl: {missing:?}");
    let unused: Vec<_> = da.keys().filter(|k| !wanted.contains(*k)).collect();
    assert!(unused.is_empty(), "not used by the crate: {unused:?}");
}

/// One of each refusal, to compare its arguments with its message.
fn every_error() -> Vec<IntakeError> {
    vec![
        IntakeError::Io(std::io::ErrorKind::NotFound),
        IntakeError::TooLarge {
            size: Some(1),
            max: 1,
        },
        IntakeError::TooLarge { size: None, max: 1 },
        IntakeError::Empty,
        IntakeError::HeaderOnly,
        IntakeError::Html,
        IntakeError::Zip,
        IntakeError::OldExcel,
        IntakeError::Utf16,
        IntakeError::NulByte { line: 1 },
        IntakeError::MixedEncoding {
            line: 1,
            utf8_line: 1,
            other_line: 2,
        },
        IntakeError::NotUtf8 { line: 1 },
        IntakeError::NoDelimiter,
        IntakeError::RecordTooLong { line: 1 },
        IntakeError::DuplicateHeader { column: "a".into() },
        IntakeError::MissingColumns {
            fields: vec![CaseField::ExternalId],
        },
        IntakeError::MappedColumnAbsent {
            field: CaseField::Age,
            column: "a".into(),
        },
        IntakeError::ColumnMappedTwice {
            column: "a".into(),
            fields: vec![CaseField::Age],
        },
        IntakeError::SecretMissing,
        IntakeError::CprOutsidePersonKey {
            line: 1,
            column: "a".into(),
        },
        IntakeError::SeveralSheets {
            sheets: vec!["a".into()],
        },
        IntakeError::SheetNotFound {
            sheet: "a".into(),
            sheets: vec!["b".into()],
        },
        IntakeError::MergedCells {
            range: "A1:B1".into(),
        },
        IntakeError::Formula { cell: "A1".into() },
        IntakeError::NotXlsx,
        IntakeError::Unreadable("x".into()),
        IntakeError::LooksUtf8 { line: 2 },
    ]
}

#[test]
fn refusal_messages_use_only_supplied_arguments() {
    let da = messages(DA);
    for e in every_error() {
        let vars = da
            .get(e.key())
            .unwrap_or_else(|| panic!("{} missing", e.key()));
        let supplied: BTreeSet<String> = e.args().iter().map(|(k, _)| (*k).to_owned()).collect();
        assert!(
            vars.is_subset(&supplied),
            "{}: uses {vars:?}, gets {supplied:?}",
            e.key()
        );
    }
}

#[test]
fn line_messages_use_only_supplied_arguments() {
    let da = messages(DA);
    // Arguments each line key gets besides line, column and value.
    let extras: &[(&str, &[&str])] = &[
        ("intake-field-count", &["expected", "found"]),
        ("intake-field-count-quote", &["expected", "found"]),
        ("intake-duplicate-id", &["first_line"]),
        ("intake-unit-outside-scope", &["units"]),
        (
            "intake-date-mixed-formats",
            &["first_format", "first_line", "other_format", "other_line"],
        ),
    ];
    let line_keys = emitted_keys()
        .into_iter()
        .filter(|k| !every_error().iter().any(|e| e.key() == k))
        .chain(DATE_PROBLEM_KEYS.iter().map(|k| (*k).to_owned()));
    for key in line_keys {
        let mut supplied: BTreeSet<String> = ["line", "column", "value"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        if let Some((_, more)) = extras.iter().find(|(k, _)| *k == key) {
            supplied.extend(more.iter().map(|s| (*s).to_owned()));
        }
        let vars = &da[&key];
        assert!(vars.is_subset(&supplied), "{key}: uses {vars:?}");
        assert!(
            vars.contains("line") || key == "intake-date-mixed-formats",
            "{key} names no line"
        );
    }
}
