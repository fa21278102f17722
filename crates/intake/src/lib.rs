//! Reading case extracts (CSV or XLSX from a case system) into validated [`CaseRecord`]s:
//! encodings, Danish dates, column mapping, line-level errors, and CPR numbers pseudonymised.
//!
//! Two steps, so a person can confirm the column mapping in between:
//!
//! ```no_run
//! # use tilsyn_intake::*;
//! # use tilsyn_domain::cases::CaseTypeCatalog;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let source = Source::open_path("udtræk.csv".as_ref(), &Options::default())?;
//! let suggestion = suggest_mapping(source.headers()); // shown to the user, who confirms it
//! let catalog = CaseTypeCatalog::standard();
//! let today = chrono::NaiveDate::from_ymd_opt(2025, 1, 31).unwrap();
//! let settings = Settings::new(&suggestion.mapping, &catalog, b"the-pseudonymisation-secret", today);
//! let mut batch = Vec::new();
//! let report = source.read(&settings, |record| {
//!     batch.push(record); // a store adapter inserts in batches inside one transaction
//!     Ok::<(), std::convert::Infallible>(())
//! })?;
//! if report.error_count > 0 {
//!     // roll back: the file is taken whole or not at all
//! }
//! # Ok(()) }
//! ```
//!
//! A file is refused as a whole with an [`IntakeError`]; problems on single lines are
//! collected in [`Report::errors`] (all of them counted, the first
//! [`Settings::max_errors`] kept) and those lines are not handed to the sink. A dry run is a
//! sink that does nothing. Nothing here panics on any input, and no CPR number leaves the
//! crate: the person-key column is replaced by a keyed hash, and every text from the file in a
//! message is masked ([`cpr::safe_text`]).

pub mod cpr;
mod csv_source;
pub mod dates;
mod decode;
mod error;
mod mapping;
mod sniff;
pub mod synthetic;
mod validate;
mod xlsx_source;

pub use decode::TextEncoding;
pub use error::{Arg, IntakeError, LineIssue, ReadError};
pub use mapping::{Mapping, Suggestion, normalise_header, suggest_mapping};
pub use tilsyn_domain::cases::{CaseField, CaseRecord, CaseTypeCatalog};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::fs::File;
use std::io::{Read, Seek};
use std::path::Path;

/// Default size limit: 150 MiB.
pub const DEFAULT_MAX_SIZE: u64 = 150 * 1024 * 1024;
/// Default number of line errors kept in a report (all are counted).
pub const DEFAULT_MAX_ERRORS: usize = 1000;

/// CSV or XLSX.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// By file name: `.xlsx`/`.xlsm` are XLSX, everything else is read as CSV (and refused if
    /// it is not text).
    pub fn from_path(path: &Path) -> Format {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("xlsx" | "xlsm") => Format::Xlsx,
            _ => Format::Csv,
        }
    }
}

/// How to read the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// `None`: by the file name ([`Format::from_path`]); readers say it by the method.
    pub format: Option<Format>,
    /// `None`: detected (UTF-8, else windows-1252). See [`TextEncoding`].
    pub encoding: Option<TextEncoding>,
    /// The XLSX sheet to read; needed when the workbook has more than one.
    pub sheet: Option<String>,
    /// Larger files are refused before parsing. Default [`DEFAULT_MAX_SIZE`].
    pub max_size: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            format: None,
            encoding: None,
            sheet: None,
            max_size: DEFAULT_MAX_SIZE,
        }
    }
}

/// How to turn rows into records.
#[derive(Clone)]
pub struct Settings<'a> {
    pub mapping: &'a Mapping,
    pub catalog: &'a CaseTypeCatalog,
    /// Key of the person-key hash (at least 16 bytes; needed when a person key is mapped).
    pub secret: &'a [u8],
    /// The date the date checks count as today (never read from the clock here).
    pub today: NaiveDate,
    /// Put in every record's `source`.
    pub source: String,
    /// Fill `birth_date` from the CPR number when no birth-date column is mapped.
    pub derive_birth_date: bool,
    /// Line errors kept in the report (all are counted).
    pub max_errors: usize,
    /// The units (lower-cased names) the importing person covers; `None` = any unit. A row
    /// of another unit, or without one, is a line error.
    pub units: Option<&'a std::collections::BTreeSet<String>>,
}

impl<'a> Settings<'a> {
    pub fn new(
        mapping: &'a Mapping,
        catalog: &'a CaseTypeCatalog,
        secret: &'a [u8],
        today: NaiveDate,
    ) -> Self {
        Self {
            mapping,
            catalog,
            secret,
            today,
            source: String::new(),
            derive_birth_date: true,
            max_errors: DEFAULT_MAX_ERRORS,
            units: None,
        }
    }
}

impl fmt::Debug for Settings<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("mapping", &self.mapping)
            .field("secret", &"<redacted>")
            .field("today", &self.today)
            .field("source", &self.source)
            .field("derive_birth_date", &self.derive_birth_date)
            .field("units", &self.units)
            .field("max_errors", &self.max_errors)
            .finish_non_exhaustive()
    }
}

/// What is known about the file after opening it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceInfo {
    pub format: Format,
    /// SHA-256 of the file's bytes, hex (for the audit log).
    pub file_sha256: String,
    pub file_size: u64,
    /// The encoding assumed (CSV only).
    pub encoding: Option<TextEncoding>,
    /// Whether the encoding was detected (rather than chosen in [`Options`]).
    pub encoding_detected: bool,
    /// Whether the file started with a UTF-8 byte order mark.
    pub bom: bool,
    /// The column separator found (CSV only).
    pub delimiter: Option<char>,
    /// The sheet read (XLSX only).
    pub sheet: Option<String>,
    /// Line (CSV) or row (XLSX) of the header.
    pub header_line: u64,
    /// Whether the workbook counts dates from 1904 (old Mac Excel).
    pub excel_1904: bool,
}

/// The outcome of reading all rows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    pub info: SourceInfo,
    /// Data rows read (blank rows not counted).
    pub rows: u64,
    /// Rows with nothing in them, skipped.
    pub blank_rows: u64,
    /// Records handed to the sink.
    pub accepted: u64,
    /// The first line errors (see [`Settings::max_errors`]).
    pub errors: Vec<LineIssue>,
    /// All line errors, kept or not. Anything above 0 means: do not keep the import.
    pub error_count: u64,
}

impl Report {
    fn new(info: SourceInfo) -> Self {
        Self {
            info,
            rows: 0,
            blank_rows: 0,
            accepted: 0,
            errors: Vec::new(),
            error_count: 0,
        }
    }

    /// No line errors: the records the sink got are the whole file.
    pub fn is_clean(&self) -> bool {
        self.error_count == 0
    }
}

/// `Read + Seek`, as a trait object (the file is read twice: the first pass, then the rows).
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

enum Rows {
    Csv(Box<csv_source::CsvRows>),
    Xlsx(xlsx_source::XlsxRows),
}

/// An opened extract: checked as a file, header read, ready for [`Source::read`].
pub struct Source {
    info: SourceInfo,
    headers: Vec<String>,
    rows: Rows,
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Source")
            .field("info", &self.info)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

impl Source {
    /// Opens a file; CSV or XLSX by [`Options::format`] or else the file name. A file larger
    /// than [`Options::max_size`] is refused before it is read.
    pub fn open_path(path: &Path, opts: &Options) -> Result<Source, IntakeError> {
        let file = File::open(path)?;
        let size = file.metadata()?.len();
        match opts.format.unwrap_or_else(|| Format::from_path(path)) {
            Format::Csv => Self::csv(Box::new(file), Some(size), opts),
            Format::Xlsx => Self::xlsx(file, Some(size), opts),
        }
    }

    /// Opens CSV from a reader (read twice: it must seek).
    pub fn open_csv<R: Read + Seek + Send + 'static>(
        reader: R,
        opts: &Options,
    ) -> Result<Source, IntakeError> {
        Self::csv(Box::new(reader), None, opts)
    }

    /// Opens an XLSX workbook from a reader.
    pub fn open_xlsx<R: Read + Seek>(reader: R, opts: &Options) -> Result<Source, IntakeError> {
        Self::xlsx(reader, None, opts)
    }

    fn csv(
        reader: Box<dyn ReadSeek + Send>,
        size: Option<u64>,
        opts: &Options,
    ) -> Result<Source, IntakeError> {
        let (info, headers, rows) = csv_source::open(reader, size, opts)?;
        Ok(Source {
            info,
            headers,
            rows: Rows::Csv(Box::new(rows)),
        })
    }

    fn xlsx<R: Read + Seek>(
        reader: R,
        size: Option<u64>,
        opts: &Options,
    ) -> Result<Source, IntakeError> {
        let (info, headers, rows) = xlsx_source::open(reader, size, opts)?;
        Ok(Source {
            info,
            headers,
            rows: Rows::Xlsx(rows),
        })
    }

    pub fn info(&self) -> &SourceInfo {
        &self.info
    }

    /// The header names (trimmed; an empty one is called "kolonne N").
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Reads every row, handing each valid record to `sink` as it goes (memory stays flat:
    /// records are not collected here). Line problems are collected in the report; the
    /// caller keeps the records only if [`Report::error_count`] is 0. An `Err` means the file
    /// was refused part-way (e.g. a CPR number outside the person-key column) or the sink
    /// failed: throw away what the sink got.
    pub fn read<E, F>(self, settings: &Settings<'_>, mut sink: F) -> Result<Report, ReadError<E>>
    where
        F: FnMut(CaseRecord) -> Result<(), E>,
    {
        let mut v = validate::Validator::new(settings, &self.headers, Report::new(self.info))?;
        match self.rows {
            Rows::Csv(mut rows) => {
                v.report.blank_rows += rows.blank_before_first;
                while let Some((line, record)) = rows.next()? {
                    if let Some(rec) = v.check(line, record)? {
                        sink(rec).map_err(ReadError::Sink)?;
                    }
                }
            }
            Rows::Xlsx(rows) => {
                for (line, row) in rows.iter() {
                    if let Some(rec) = v.check(line, &row)? {
                        sink(rec).map_err(ReadError::Sink)?;
                    }
                }
            }
        }
        Ok(v.report)
    }
}

/// [`Source::open_path`] then [`Source::read`].
pub fn read_path<E, F>(
    path: &Path,
    opts: &Options,
    settings: &Settings<'_>,
    sink: F,
) -> Result<Report, ReadError<E>>
where
    F: FnMut(CaseRecord) -> Result<(), E>,
{
    Source::open_path(path, opts)?.read(settings, sink)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
