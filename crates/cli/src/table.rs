//! A plain table from a CSV or XLSX file: a header and rows of text, each with the line (CSV)
//! or row (XLSX) a person sees in an editor or in Excel. For files that are not case extracts
//! (the answers import), so no column mapping and no case validation: the intake crate's
//! readers turn rows into case records and have no generic row reader. The file-level checks
//! follow the intake crate's (and reuse its error type, so the messages are the same): UTF-8 or
//! windows-1252 (detected), `;`, `,` or tab between columns, one sheet per workbook.

use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;
use std::path::Path;
use tilsyn_intake::{Format, IntakeError, TextEncoding};

/// Larger files are refused before parsing (an answers file is small).
pub const MAX_SIZE: u64 = 50 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// Trimmed header texts; an empty one is called "kolonne N".
    pub headers: Vec<String>,
    /// Data rows (blank ones left out), with their line or row number.
    pub rows: Vec<(u64, Vec<String>)>,
    /// The encoding read (CSV only).
    pub encoding: Option<TextEncoding>,
}

/// Reads a whole table. `encoding` forces the CSV encoding; `sheet` picks the XLSX sheet.
pub fn read(
    path: &Path,
    encoding: Option<TextEncoding>,
    sheet: Option<&str>,
) -> Result<Table, IntakeError> {
    let size = std::fs::metadata(path)
        .map_err(|e| IntakeError::Io(e.kind()))?
        .len();
    if size > MAX_SIZE {
        return Err(IntakeError::TooLarge {
            size: Some(size),
            max: MAX_SIZE,
        });
    }
    let bytes = std::fs::read(path).map_err(|e| IntakeError::Io(e.kind()))?;
    if bytes.is_empty() {
        return Err(IntakeError::Empty);
    }
    match Format::from_path(path) {
        Format::Xlsx => xlsx(bytes, sheet),
        Format::Csv => csv_table(&bytes, encoding),
    }
}

/// 1-based line of byte offset `at`.
fn line_of(bytes: &[u8], at: usize) -> u64 {
    1 + bytes[..at.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
}

/// The first line with a byte beyond ASCII (for "the file is UTF-8, see line N").
fn first_non_ascii_line(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .position(|b| !b.is_ascii())
        .map(|i| line_of(bytes, i))
        .unwrap_or(1)
}

fn decode(
    bytes: &[u8],
    chosen: Option<TextEncoding>,
) -> Result<(String, TextEncoding), IntakeError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(IntakeError::Utf16);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(IntakeError::Zip);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(IntakeError::OldExcel);
    }
    if let Some(i) = bytes.iter().position(|&b| b == 0) {
        return Err(IntakeError::NulByte {
            line: line_of(bytes, i),
        });
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let utf8 = std::str::from_utf8(body);
    match (chosen, utf8) {
        (None | Some(TextEncoding::Utf8), Ok(s)) => Ok((s.to_owned(), TextEncoding::Utf8)),
        (Some(TextEncoding::Utf8), Err(e)) => Err(IntakeError::NotUtf8 {
            line: line_of(body, e.valid_up_to()),
        }),
        (Some(_), Ok(s)) if !s.is_ascii() => Err(IntakeError::LooksUtf8 {
            line: first_non_ascii_line(body),
        }),
        (Some(TextEncoding::Latin1), _) => Ok((
            body.iter().map(|&b| char::from(b)).collect(),
            TextEncoding::Latin1,
        )),
        (None | Some(TextEncoding::Windows1252), _) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(body);
            Ok((text.into_owned(), TextEncoding::Windows1252))
        }
    }
}

/// `;`, `,` or tab, whichever the header line has most of (outside quotes); `;` wins a tie,
/// as Danish Excel writes it.
fn delimiter(header: &str) -> Option<u8> {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => counts[0] += 1,
            ',' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i))?;
    (counts[best] > 0).then_some([b';', b',', b'\t'][best])
}

fn clean_headers(cells: &[String]) -> Result<Vec<String>, IntakeError> {
    // Trailing unnamed columns (a separator at the end of the line) are not columns.
    let used = cells
        .iter()
        .rposition(|c| !c.trim().is_empty())
        .map_or(0, |i| i + 1);
    let mut headers: Vec<String> = Vec::with_capacity(used);
    for (i, c) in cells[..used].iter().enumerate() {
        let h = c.trim();
        let h = if h.is_empty() {
            format!("kolonne {}", i + 1)
        } else {
            h.to_owned()
        };
        if headers.iter().any(|o| o.to_lowercase() == h.to_lowercase()) {
            return Err(IntakeError::DuplicateHeader {
                column: tilsyn_intake::cpr::safe_text(&h),
            });
        }
        headers.push(h);
    }
    Ok(headers)
}

fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

fn csv_table(bytes: &[u8], chosen: Option<TextEncoding>) -> Result<Table, IntakeError> {
    let (text, encoding) = decode(bytes, chosen)?;
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .ok_or(IntakeError::Empty)?;
    let delim = delimiter(first).ok_or(IntakeError::NoDelimiter)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // Where each line starts, counting LF, CRLF and a lone CR as one break, as an editor does
    // (the csv crate's own line count differs).
    let bytes = text.as_bytes();
    let mut starts = vec![0usize];
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            starts.push(i + 1);
        }
    }
    let line_at = |byte: u64| -> u64 {
        let mut at = usize::try_from(byte).unwrap_or(usize::MAX).min(bytes.len());
        // A record's position can be that of the blank lines before it.
        while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
            at += 1;
        }
        starts.partition_point(|&s| s <= at) as u64
    };
    let mut headers: Option<Vec<String>> = None;
    let mut rows = vec![];
    for rec in reader.records() {
        let rec = rec.map_err(|e| IntakeError::RecordTooLong {
            line: e.position().map_or(0, |p| line_at(p.byte())),
        })?;
        let line = rec.position().map_or(0, |p| line_at(p.byte()));
        let cells: Vec<String> = rec.iter().map(str::to_owned).collect();
        if is_blank(&cells) {
            continue;
        }
        if headers.is_none() {
            headers = Some(clean_headers(&cells)?);
        } else {
            rows.push((line, cells));
        }
    }
    let headers = headers.ok_or(IntakeError::Empty)?;
    if rows.is_empty() {
        return Err(IntakeError::HeaderOnly);
    }
    Ok(Table {
        headers,
        rows,
        encoding: Some(encoding),
    })
}

/// An integer-valued number without ".0" (a level is "1", not "1.0").
fn number(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

fn cell_text(d: &Data, is_1904: bool) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) => number(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            let v = dt.as_f64();
            match tilsyn_intake::dates::excel_serial_to_date(v, is_1904) {
                Some(day) if !dt.is_duration() => day.format("%Y-%m-%d").to_string(),
                _ => number(v),
            }
        }
        Data::Error(e) => e.to_string(),
    }
}

fn unreadable(e: impl std::fmt::Display) -> IntakeError {
    IntakeError::Unreadable(tilsyn_intake::cpr::safe_text(&e.to_string()))
}

fn xlsx(bytes: Vec<u8>, wanted: Option<&str>) -> Result<Table, IntakeError> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(IntakeError::NotXlsx);
    }
    // calamine parses untrusted ZIP and XML; a panic in it must not take tilsyn down.
    std::panic::catch_unwind(move || xlsx_inner(bytes, wanted))
        .map_err(|_| IntakeError::Unreadable("the workbook's structure is broken".into()))?
}

fn xlsx_inner(bytes: Vec<u8>, wanted: Option<&str>) -> Result<Table, IntakeError> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let names = wb.sheet_names();
    let shown = || {
        names
            .iter()
            .map(|n| tilsyn_intake::cpr::safe_text(n))
            .collect::<Vec<_>>()
    };
    let sheet = match wanted {
        Some(w) => names
            .iter()
            .find(|n| n.trim().eq_ignore_ascii_case(w.trim()))
            .cloned()
            .ok_or_else(|| IntakeError::SheetNotFound {
                sheet: tilsyn_intake::cpr::safe_text(w),
                sheets: shown(),
            })?,
        None => match names.as_slice() {
            [] => return Err(IntakeError::Empty),
            [only] => only.clone(),
            _ => return Err(IntakeError::SeveralSheets { sheets: shown() }),
        },
    };
    let is_1904 = wb.has_1904_epoch();
    let range = wb.worksheet_range(&sheet).map_err(unreadable)?;
    let Some((first_row, first_col)) = range.start() else {
        return Err(IntakeError::Empty);
    };
    let mut headers: Option<Vec<String>> = None;
    let mut rows = vec![];
    for (i, cells) in range.rows().enumerate() {
        // Columns left of the used range are empty: keep positions as Excel shows them.
        let mut texts: Vec<String> = vec![String::new(); first_col as usize];
        texts.extend(cells.iter().map(|c| cell_text(c, is_1904)));
        if is_blank(&texts) {
            continue;
        }
        let line = u64::from(first_row) + i as u64 + 1;
        if headers.is_none() {
            headers = Some(clean_headers(&texts)?);
        } else {
            rows.push((line, texts));
        }
    }
    let headers = headers.ok_or(IntakeError::Empty)?;
    if rows.is_empty() {
        return Err(IntakeError::HeaderOnly);
    }
    Ok(Table {
        headers,
        rows,
        encoding: None,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_encodings_and_line_numbers() {
        assert_eq!(delimiter("a;b;c"), Some(b';'));
        assert_eq!(delimiter("a,b,c"), Some(b','));
        assert_eq!(delimiter("a\tb"), Some(b'\t'));
        assert_eq!(delimiter("\"a;b\",c"), Some(b','));
        assert_eq!(delimiter("abc"), None);
        let t = csv_table(b"Sag;Svar\r\n\r\nA;ja\r\n\"B\nC\";nej\r\nD;ja\r\n", None).unwrap();
        assert_eq!(t.headers, ["Sag", "Svar"]);
        let lines: Vec<u64> = t.rows.iter().map(|r| r.0).collect();
        assert_eq!(lines, [3, 4, 6]);
        let t = csv_table(b"Sag;Bem\xe6rkning\nA;r\xf8d\n", None).unwrap();
        assert_eq!(t.encoding, Some(TextEncoding::Windows1252));
        assert_eq!(t.headers[1], "Bemærkning");
        assert_eq!(t.rows[0].1[1], "rød");
        assert_eq!(
            csv_table(b"Sag;Svar\nA;r\xf8d\n", Some(TextEncoding::Utf8)),
            Err(IntakeError::NotUtf8 { line: 2 })
        );
        assert_eq!(
            csv_table(
                "Sag;Svar\nA;rød\n".as_bytes(),
                Some(TextEncoding::Windows1252)
            ),
            Err(IntakeError::LooksUtf8 { line: 2 })
        );
        assert_eq!(csv_table(b"Sag;Svar\n", None), Err(IntakeError::HeaderOnly));
        assert_eq!(
            csv_table(b"Sag;Sag\nA;B\n", None),
            Err(IntakeError::DuplicateHeader {
                column: "Sag".into()
            })
        );
    }
}
