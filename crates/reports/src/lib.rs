//! Outputs people read outside tilsyn: spreadsheets now, PDF and Word reports later. Every
//! writer takes domain data and returns bytes; none reads the database.

pub mod template_xlsx;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}
