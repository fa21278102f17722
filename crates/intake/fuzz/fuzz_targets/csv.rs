//! Any bytes as a CSV extract: open, then read every row with a mapping that puts the first
//! columns on the mandatory fields (so row validation runs whatever the headers say).
//! The importer must answer Ok or Err, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Cursor;
use tilsyn_intake::{
    CaseField, CaseTypeCatalog, Mapping, Options, Settings, Source, suggest_mapping,
};

fuzz_target!(|data: &[u8]| {
    let opts = Options {
        max_size: 1 << 20,
        ..Options::default()
    };
    let Ok(source) = Source::open_csv(Cursor::new(data.to_vec()), &opts) else {
        return;
    };
    let headers = source.headers().to_vec();
    let targets = [
        CaseField::ExternalId,
        CaseField::CaseType,
        CaseField::MeasureStart,
        CaseField::Caseworker,
        CaseField::PersonKey,
        CaseField::BirthDate,
        CaseField::Age,
        CaseField::Area,
    ];
    let mapping = if headers.len() >= targets.len() {
        let mut m = Mapping::new();
        for (f, h) in targets.iter().zip(&headers) {
            m.set(*f, h.clone());
        }
        m
    } else {
        suggest_mapping(&headers).mapping
    };
    let catalog = CaseTypeCatalog::standard();
    let Some(today) = chrono::NaiveDate::from_ymd_opt(2025, 6, 30) else {
        return;
    };
    let settings = Settings::new(&mapping, &catalog, b"fuzz-secret-0123456789", today);
    let _ = source.read(&settings, |_| Ok::<(), std::convert::Infallible>(()));
});
