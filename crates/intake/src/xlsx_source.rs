//! XLSX workbooks via calamine: one sheet, no merged cells, no formulas; typed date cells
//! and Excel serial numbers become dates, integers are shown without ".0". The sheet is held
//! in memory (calamine reads sheets whole); the size limit bounds it.

use crate::cpr::safe_text;
use crate::dates::{self, DateFormat};
use crate::error::IntakeError;
use crate::validate::{Row, Typed, clean_headers, is_blank};
use crate::{Format, Options, SourceInfo, sniff};
use calamine::{Data, Range, Reader, Xlsx};
use std::borrow::Cow;
use std::io::{Read, Seek, SeekFrom};
use std::panic::{AssertUnwindSafe, catch_unwind};

pub(crate) struct XlsxRows {
    range: Range<Data>,
    /// Absolute (0-based) row of the range's first row.
    first_row: u32,
    /// Index (in the range) of the first row after the header.
    data_from: usize,
    is_1904: bool,
}

/// "A1"-style name of a 0-based (row, column).
pub(crate) fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = u64::from(col) + 1;
    while c > 0 {
        let rem = (c - 1) % 26;
        letters.push(b'A' + rem as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!(
        "{}{}",
        String::from_utf8_lossy(&letters),
        u64::from(row) + 1
    )
}

fn unreadable(e: impl std::fmt::Display) -> IntakeError {
    IntakeError::Unreadable(safe_text(&e.to_string()))
}

struct Loaded {
    sheet: String,
    range: Range<Data>,
    is_1904: bool,
}

fn load<R: Read + Seek>(r: R, wanted: Option<&str>) -> Result<Loaded, IntakeError> {
    let mut wb: Xlsx<R> = Xlsx::new(r).map_err(unreadable)?;
    let names = wb.sheet_names();
    let shown = || names.iter().map(|n| safe_text(n)).collect::<Vec<_>>();
    let sheet = match wanted {
        Some(w) => names
            .iter()
            .find(|n| n.as_str() == w)
            .or_else(|| {
                names
                    .iter()
                    .find(|n| n.trim().eq_ignore_ascii_case(w.trim()))
            })
            .cloned()
            .ok_or_else(|| IntakeError::SheetNotFound {
                sheet: safe_text(w),
                sheets: shown(),
            })?,
        None => match names.as_slice() {
            [] => return Err(IntakeError::Empty),
            [only] => only.clone(),
            _ => return Err(IntakeError::SeveralSheets { sheets: shown() }),
        },
    };
    let merged = wb.merge_cells_by_sheet_name(&sheet).map_err(unreadable)?;
    if let Some(m) = merged.iter().min_by_key(|d| d.start) {
        return Err(IntakeError::MergedCells {
            range: format!(
                "{}:{}",
                cell_name(m.start.0, m.start.1),
                cell_name(m.end.0, m.end.1)
            ),
        });
    }
    let formulas = wb.worksheet_formula(&sheet).map_err(unreadable)?;
    if let Some((r0, c0)) = formulas.start() {
        let first = formulas
            .used_cells()
            .filter(|(_, _, f)| !f.is_empty())
            .map(|(r, c, _)| (r, c))
            .min();
        if let Some((r, c)) = first {
            let row = u32::try_from(r).unwrap_or(u32::MAX).saturating_add(r0);
            let col = u32::try_from(c).unwrap_or(u32::MAX).saturating_add(c0);
            return Err(IntakeError::Formula {
                cell: cell_name(row, col),
            });
        }
    }
    let range = wb.worksheet_range(&sheet).map_err(unreadable)?;
    Ok(Loaded {
        sheet,
        range,
        is_1904: wb.has_1904_epoch(),
    })
}

pub(crate) fn open<R: Read + Seek>(
    mut r: R,
    known_size: Option<u64>,
    opts: &Options,
) -> Result<(SourceInfo, Vec<String>, XlsxRows), IntakeError> {
    let (sha, size, head) = sniff::hash_file(&mut r, known_size, opts.max_size)?;
    if size == 0 {
        return Err(IntakeError::Empty);
    }
    if !head.starts_with(b"PK\x03\x04") {
        return Err(IntakeError::NotXlsx);
    }
    r.seek(SeekFrom::Start(0))?;
    // calamine parses untrusted ZIP and XML; a panic in it must not take the caller down.
    let loaded = catch_unwind(AssertUnwindSafe(|| load(r, opts.sheet.as_deref())))
        .map_err(|_| IntakeError::Unreadable("the workbook's structure is broken".into()))??;
    let Some((first_row, _)) = loaded.range.start() else {
        return Err(IntakeError::Empty);
    };
    let mut rows = XlsxRows {
        range: loaded.range,
        first_row,
        data_from: 0,
        is_1904: loaded.is_1904,
    };
    let (header_index, header_line, headers) = {
        let mut it = rows.iter_from(0).enumerate();
        loop {
            let Some((i, (line, row))) = it.next() else {
                return Err(IntakeError::Empty);
            };
            if !is_blank(&row) {
                break (i, line, clean_headers(&row, line)?);
            }
        }
    };
    rows.data_from = header_index + 1;
    // Refuse a header-only sheet now.
    if rows.iter().all(|(_, row)| is_blank(&row)) {
        return Err(IntakeError::HeaderOnly);
    }
    let info = SourceInfo {
        format: Format::Xlsx,
        file_sha256: sha,
        file_size: size,
        encoding: None,
        encoding_detected: false,
        bom: false,
        delimiter: None,
        sheet: Some(safe_text(&loaded.sheet)),
        header_line,
        excel_1904: rows.is_1904,
    };
    Ok((info, headers, rows))
}

impl XlsxRows {
    /// The data rows (after the header) with their numbers as Excel shows them.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, XlsxRow<'_>)> {
        self.iter_from(self.data_from)
    }

    fn iter_from(&self, from: usize) -> impl Iterator<Item = (u64, XlsxRow<'_>)> {
        let first_row = u64::from(self.first_row);
        let is_1904 = self.is_1904;
        self.range
            .rows()
            .enumerate()
            .skip(from)
            .map(move |(i, cells)| (first_row + i as u64 + 1, XlsxRow { cells, is_1904 }))
    }
}

pub(crate) struct XlsxRow<'a> {
    cells: &'a [Data],
    is_1904: bool,
}

/// An integer-valued float without ".0" (ids keep their digits); others as Rust prints them.
fn format_number(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

impl Row for XlsxRow<'_> {
    fn len(&self) -> usize {
        self.cells.len()
    }

    fn text(&self, i: usize) -> Cow<'_, str> {
        match self.cells.get(i) {
            None | Some(Data::Empty) => Cow::Borrowed(""),
            Some(Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s)) => Cow::Borrowed(s),
            Some(Data::Int(n)) => Cow::Owned(n.to_string()),
            Some(Data::Float(f)) => Cow::Owned(format_number(*f)),
            Some(Data::Bool(b)) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Some(Data::DateTime(dt)) => {
                let v = dt.as_f64();
                match (
                    dt.is_duration(),
                    dates::excel_serial_to_date(v, self.is_1904),
                ) {
                    (false, Some(d)) => Cow::Owned(DateFormat::Iso.format(d)),
                    _ => Cow::Owned(format_number(v)),
                }
            }
            Some(Data::Error(e)) => Cow::Owned(e.to_string()),
        }
    }

    fn typed(&self, i: usize) -> Typed {
        match self.cells.get(i) {
            Some(Data::DateTime(dt)) if !dt.is_duration() => {
                Typed::Date(dates::excel_serial_to_date(dt.as_f64(), self.is_1904))
            }
            Some(Data::DateTimeIso(s)) => Typed::Date(dates::parse_date(s).ok().map(|(d, _)| d)),
            // Precision loss is irrelevant: the value is only used as a serial day number.
            Some(Data::Int(n)) => Typed::Number(*n as f64),
            Some(Data::Float(f)) => Typed::Number(*f),
            _ => Typed::Text,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn cell_names() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(6, 3), "D7");
        assert_eq!(cell_name(2, 25), "Z3");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(0, 16383), "XFD1");
    }

    #[test]
    fn numbers_as_text() {
        assert_eq!(format_number(12345.0), "12345");
        assert_eq!(format_number(-3.0), "-3");
        assert_eq!(format_number(1.5), "1.5");
        assert_eq!(format_number(f64::NAN), "NaN");
    }
}
