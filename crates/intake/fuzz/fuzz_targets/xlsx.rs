//! Any bytes as an XLSX workbook (calamine underneath): never a panic out of the importer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Cursor;
use tilsyn_intake::{CaseTypeCatalog, Options, Settings, Source, suggest_mapping};

fuzz_target!(|data: &[u8]| {
    let Ok(source) = Source::open_xlsx(Cursor::new(data.to_vec()), &Options::default()) else {
        return;
    };
    let mapping = suggest_mapping(source.headers()).mapping;
    let catalog = CaseTypeCatalog::standard();
    let Some(today) = chrono::NaiveDate::from_ymd_opt(2025, 6, 30) else {
        return;
    };
    let settings = Settings::new(&mapping, &catalog, b"fuzz-secret-0123456789", today);
    let _ = source.read(&settings, |_| Ok::<(), std::convert::Infallible>(()));
});
