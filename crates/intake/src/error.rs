//! What can go wrong: [`IntakeError`] refuses a whole file, [`LineIssue`] names one line and
//! column. Both carry a message key (`intake-…`, in `crates/web/locales/*/intake.ftl`) and
//! the Fluent arguments for it. Every text taken from the file is passed through
//! [`crate::cpr::safe_text`] before it gets here, so no CPR number reaches a message.

use serde::Serialize;
use std::fmt;
use tilsyn_domain::cases::CaseField;

/// One Fluent argument: name and value.
pub type Arg = (&'static str, String);

/// A file refused as a whole (nothing of it should be kept).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IntakeError {
    #[error("the file could not be read ({0:?})")]
    Io(std::io::ErrorKind),
    #[error("the file is larger than the limit of {max} bytes")]
    TooLarge { size: Option<u64>, max: u64 },
    #[error("the file is empty")]
    Empty,
    #[error("the file has a header line but no data rows")]
    HeaderOnly,
    #[error("the file is a web page (HTML/XML), not CSV")]
    Html,
    #[error("the file is a ZIP archive (for example an XLSX workbook), not CSV")]
    Zip,
    #[error("the file is an old Excel workbook (.xls)")]
    OldExcel,
    #[error("the file is UTF-16 text")]
    Utf16,
    #[error("line {line} contains a NUL byte: the file is not text")]
    NulByte { line: u64 },
    #[error(
        "the file mixes encodings: line {utf8_line} is UTF-8, line {other_line} is not; first deviating line {line}"
    )]
    MixedEncoding {
        line: u64,
        utf8_line: u64,
        other_line: u64,
    },
    #[error("UTF-8 was chosen, but line {line} is not UTF-8")]
    NotUtf8 { line: u64 },
    #[error("a single-byte encoding was chosen, but the file is UTF-8 (line {line})")]
    /// A single-byte encoding was chosen, but the file is valid UTF-8 with letters beyond
    /// ASCII from this line on: reading it as chosen would store garbled text ("Ã¸").
    LooksUtf8 { line: u64 },
    #[error("no column separator (';', ',' or tab) in the header line")]
    NoDelimiter,
    #[error("the record starting on line {line} is longer than 4 MiB (a quote left open?)")]
    RecordTooLong { line: u64 },
    #[error("column {column:?} appears more than once in the header")]
    DuplicateHeader { column: String },
    #[error("the column mapping gives no column for: {}", codes(fields))]
    MissingColumns { fields: Vec<CaseField> },
    #[error("the column mapping names column {column:?} for {}, but the file has no such column", field.code())]
    MappedColumnAbsent { field: CaseField, column: String },
    #[error(
        "column {column:?} is mapped to more than one field ({})",
        codes(fields)
    )]
    ColumnMappedTwice {
        column: String,
        fields: Vec<CaseField>,
    },
    #[error(
        "a person-key column is mapped, but the pseudonymisation secret is missing or too short"
    )]
    SecretMissing,
    #[error("line {line}, column {column:?}: a CPR number outside the person-key column")]
    CprOutsidePersonKey { line: u64, column: String },
    #[error("the workbook has several sheets ({}); name the one to read", sheets.join(", "))]
    SeveralSheets { sheets: Vec<String> },
    #[error("the workbook has no sheet {sheet:?} (sheets: {})", sheets.join(", "))]
    SheetNotFound { sheet: String, sheets: Vec<String> },
    #[error("the sheet has merged cells ({range})")]
    MergedCells { range: String },
    #[error("the sheet has a formula (first in cell {cell})")]
    Formula { cell: String },
    #[error("the file is not an XLSX workbook")]
    NotXlsx,
    #[error("the workbook could not be read: {0}")]
    Unreadable(String),
}

fn codes(fields: &[CaseField]) -> String {
    fields
        .iter()
        .map(|f| f.code())
        .collect::<Vec<_>>()
        .join(", ")
}

fn mb(bytes: u64) -> String {
    // Rounded up, so "151 MB" is never shown for a file refused at 150.
    bytes.div_ceil(1024 * 1024).to_string()
}

impl IntakeError {
    /// The message key, in `intake.ftl`.
    pub fn key(&self) -> &'static str {
        match self {
            IntakeError::Io(_) => "intake-io",
            IntakeError::TooLarge { .. } => "intake-too-large",
            IntakeError::Empty => "intake-empty",
            IntakeError::HeaderOnly => "intake-header-only",
            IntakeError::Html => "intake-not-csv-html",
            IntakeError::Zip => "intake-not-csv-zip",
            IntakeError::OldExcel => "intake-not-csv-xls",
            IntakeError::Utf16 => "intake-utf16",
            IntakeError::NulByte { .. } => "intake-nul-byte",
            IntakeError::MixedEncoding { .. } => "intake-mixed-encoding",
            IntakeError::NotUtf8 { .. } => "intake-not-utf8",
            IntakeError::LooksUtf8 { .. } => "intake-looks-utf8",
            IntakeError::NoDelimiter => "intake-no-delimiter",
            IntakeError::RecordTooLong { .. } => "intake-record-too-long",
            IntakeError::DuplicateHeader { .. } => "intake-duplicate-header",
            IntakeError::MissingColumns { .. } => "intake-missing-columns",
            IntakeError::MappedColumnAbsent { .. } => "intake-mapped-column-absent",
            IntakeError::ColumnMappedTwice { .. } => "intake-column-mapped-twice",
            IntakeError::SecretMissing => "intake-secret-missing",
            IntakeError::CprOutsidePersonKey { .. } => "intake-cpr-outside-person-key",
            IntakeError::SeveralSheets { .. } => "intake-xlsx-several-sheets",
            IntakeError::SheetNotFound { .. } => "intake-xlsx-sheet-not-found",
            IntakeError::MergedCells { .. } => "intake-xlsx-merged-cells",
            IntakeError::Formula { .. } => "intake-xlsx-formula",
            IntakeError::NotXlsx => "intake-not-xlsx",
            IntakeError::Unreadable(_) => "intake-xlsx-unreadable",
        }
    }

    /// The Fluent arguments of [`Self::key`]. Field lists are given as field codes joined by
    /// ", " (`fields`); a caller that shows them should put each field's localised label
    /// (`CaseField::label_key`) in their place, using [`Self::fields`].
    pub fn args(&self) -> Vec<Arg> {
        match self {
            IntakeError::Io(kind) => vec![("detail", format!("{kind:?}"))],
            IntakeError::TooLarge { size, max } => {
                let mut a = vec![("max_mb", mb(*max))];
                if let Some(size) = size {
                    a.push(("size_mb", mb(*size)));
                }
                a
            }
            IntakeError::NulByte { line }
            | IntakeError::NotUtf8 { line }
            | IntakeError::LooksUtf8 { line }
            | IntakeError::RecordTooLong { line } => {
                vec![("line", line.to_string())]
            }
            IntakeError::MixedEncoding {
                line,
                utf8_line,
                other_line,
            } => vec![
                ("line", line.to_string()),
                ("utf8_line", utf8_line.to_string()),
                ("other_line", other_line.to_string()),
            ],
            IntakeError::DuplicateHeader { column } => vec![("column", column.clone())],
            IntakeError::MissingColumns { fields } => vec![("fields", codes(fields))],
            IntakeError::MappedColumnAbsent { field, column } => {
                vec![
                    ("field", field.code().to_owned()),
                    ("column", column.clone()),
                ]
            }
            IntakeError::ColumnMappedTwice { column, fields } => {
                vec![("column", column.clone()), ("fields", codes(fields))]
            }
            IntakeError::CprOutsidePersonKey { line, column } => {
                vec![("line", line.to_string()), ("column", column.clone())]
            }
            IntakeError::SeveralSheets { sheets } => vec![("sheets", sheets.join(", "))],
            IntakeError::SheetNotFound { sheet, sheets } => {
                vec![("sheet", sheet.clone()), ("sheets", sheets.join(", "))]
            }
            IntakeError::MergedCells { range } => vec![("range", range.clone())],
            IntakeError::Formula { cell } => vec![("cell", cell.clone())],
            IntakeError::Unreadable(detail) => vec![("detail", detail.clone())],
            IntakeError::Empty
            | IntakeError::HeaderOnly
            | IntakeError::Html
            | IntakeError::Zip
            | IntakeError::OldExcel
            | IntakeError::Utf16
            | IntakeError::NoDelimiter
            | IntakeError::SecretMissing
            | IntakeError::NotXlsx => Vec::new(),
        }
    }

    /// The case fields the error is about, for a caller that shows their labels.
    pub fn fields(&self) -> &[CaseField] {
        match self {
            IntakeError::MissingColumns { fields }
            | IntakeError::ColumnMappedTwice { fields, .. } => fields,
            IntakeError::MappedColumnAbsent { field, .. } => std::slice::from_ref(field),
            _ => &[],
        }
    }
}

impl From<std::io::Error> for IntakeError {
    fn from(e: std::io::Error) -> Self {
        // Only the kind: an OS message can carry a path, and a path can carry anything.
        IntakeError::Io(e.kind())
    }
}

/// What [`crate::Source::read`] returns on failure: the file was refused, or the caller's
/// sink failed. Either way, the caller throws away what the sink received.
#[derive(Debug)]
pub enum ReadError<E> {
    Intake(IntakeError),
    Sink(E),
}

impl<E> From<IntakeError> for ReadError<E> {
    fn from(e: IntakeError) -> Self {
        ReadError::Intake(e)
    }
}

impl<E: fmt::Display> fmt::Display for ReadError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Intake(e) => e.fmt(f),
            ReadError::Sink(e) => write!(f, "storing the records failed: {e}"),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for ReadError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Intake(e) => Some(e),
            ReadError::Sink(e) => Some(e),
        }
    }
}

/// One problem on one line of the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LineIssue {
    /// The line as a text editor numbers it (the record's first line when a quoted field
    /// spans lines); for XLSX, the row number Excel shows.
    pub line: u64,
    /// The column's header (from the file, made safe).
    pub column: Option<String>,
    /// The value as found: CPR-like numbers masked, cut at 60 characters.
    pub value: Option<String>,
    /// Message key (`intake-…`, or a `case-date-…` key of the domain's date checks).
    pub key: &'static str,
    /// Further Fluent arguments beyond `line`, `column` and `value`.
    pub extra: Vec<Arg>,
}

impl LineIssue {
    /// All Fluent arguments: `line`, `column` and `value` (when known), then the extras.
    pub fn args(&self) -> Vec<Arg> {
        let mut a = vec![("line", self.line.to_string())];
        if let Some(c) = &self.column {
            a.push(("column", c.clone()));
        }
        if let Some(v) = &self.value {
            a.push(("value", v.clone()));
        }
        a.extend(self.extra.iter().cloned());
        a
    }
}

impl fmt::Display for LineIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(c) = &self.column {
            write!(f, ", column «{c}»")?;
        }
        if let Some(v) = &self.value {
            write!(f, ", value «{v}»")?;
        }
        write!(f, ": {}", self.key)?;
        for (k, v) in &self.extra {
            write!(f, " {k}={v}")?;
        }
        Ok(())
    }
}
