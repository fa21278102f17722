//! Outputs people read outside tilsyn: the committee report as PDF and Word, the analysis
//! workbook, key figures, charts. Every writer takes domain data and returns bytes; none reads
//! the database.

pub mod analysis_xlsx;
pub mod docx;
pub mod figures;
mod fmt;
pub mod ics;
pub mod pdf;
pub mod render;
pub mod sample;
pub mod svg;
pub mod template_xlsx;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// typst could not lay out or write the PDF (the message names the template problem).
    #[error("pdf: {0}")]
    Pdf(String),
    /// JSON or CSV could not be written.
    #[error("data: {0}")]
    Data(String),
    /// docx-rs could not pack the Word document.
    #[error("docx: {0}")]
    Docx(String),
    /// A chart could not be rasterised for the Word document.
    #[error("image: {0}")]
    Image(String),
}
