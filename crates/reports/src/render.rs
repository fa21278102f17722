//! One entry point from a report snapshot to the bytes of a file, by format: what the CLI and
//! the download routes call.

use crate::ReportError;
use tilsyn_domain::report::{Audience, Report};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Xlsx,
    Docx,
    /// Key figures; the raw answers with [`Format::RawCsv`].
    Csv,
    RawCsv,
    /// Key figures (nøgletal).
    Json,
    /// The whole snapshot, as stored.
    Snapshot,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Pdf,
        Format::Xlsx,
        Format::Docx,
        Format::Csv,
        Format::RawCsv,
        Format::Json,
        Format::Snapshot,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
            Format::Docx => "docx",
            Format::Csv => "csv",
            Format::RawCsv => "raw-csv",
            Format::Json => "json",
            Format::Snapshot => "snapshot",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Self::ALL.into_iter().find(|f| f.code() == s.trim())
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::RawCsv => "csv",
            Format::Snapshot => "json",
            f => f.code(),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            Format::Csv | Format::RawCsv => "text/csv; charset=utf-8",
            Format::Json | Format::Snapshot => "application/json",
        }
    }
}

/// The file for a report. A caseworker's report is their feedback (PDF); the others are the
/// committee-style report in the chosen format.
pub fn render(report: &Report, format: Format) -> Result<Vec<u8>, ReportError> {
    match format {
        Format::Pdf => match report.audience {
            Audience::Caseworker { .. } => crate::pdf::feedback_pdf(report),
            _ => crate::pdf::committee_pdf(report),
        },
        Format::Xlsx => crate::analysis_xlsx::analysis_workbook(report),
        Format::Docx => {
            let charts = crate::docx::chart_pngs(report)?;
            crate::docx::committee_docx(report, &charts)
        }
        Format::Csv => crate::figures::key_figures_csv(report),
        Format::RawCsv => crate::figures::raw_csv(report),
        Format::Json => crate::figures::key_figures_json(report),
        Format::Snapshot => {
            serde_json::to_vec_pretty(report).map_err(|e| ReportError::Data(e.to_string()))
        }
    }
}
