//! Reads an extract through the importer with a sink that does nothing (a dry run) and prints
//! the report: `read_extract PATH [TODAY as yyyy-mm-dd]`. Used for the load test.

use std::convert::Infallible;
use std::time::Instant;
use tilsyn_intake::{CaseTypeCatalog, Options, Settings, Source, suggest_mapping};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: read_extract PATH [TODAY]");
        std::process::exit(2);
    };
    let today = match args.get(2) {
        Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")?,
        None => chrono::NaiveDate::from_ymd_opt(2026, 1, 1).ok_or("date")?,
    };
    let started = Instant::now();
    let source = Source::open_path(path.as_ref(), &Options::default())?;
    let opened = started.elapsed();
    let suggestion = suggest_mapping(source.headers());
    let catalog = CaseTypeCatalog::standard();
    let settings = Settings::new(
        &suggestion.mapping,
        &catalog,
        b"load-test-secret-0123456789",
        today,
    );
    let mut n = 0u64;
    let report = source.read(&settings, |_rec| {
        n += 1;
        Ok::<(), Infallible>(())
    })?;
    let total = started.elapsed();
    println!(
        "first pass {:.2?}, total {:.2?}: {} rows, {} accepted, {} errors, encoding {:?}, delimiter {:?}, sha256 {}",
        opened,
        total,
        report.rows,
        n,
        report.error_count,
        report.info.encoding,
        report.info.delimiter,
        &report.info.file_sha256[..16],
    );
    for e in report.errors.iter().take(5) {
        println!("  {e}");
    }
    Ok(())
}
