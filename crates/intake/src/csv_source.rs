//! CSV files: the first pass ([`crate::sniff`]), then a streaming read of decoded records.
//!
//! Records are split by `csv-core` (the engine of the `csv` crate) driven from here, so the
//! line each record starts on is exact: blank lines are skipped by us, and line breaks are
//! counted as an editor does (LF, CRLF or a lone CR), including those inside quoted fields.

use crate::decode::Decoding;
use crate::error::IntakeError;
use crate::validate::{Row, clean_headers, is_blank};
use crate::{Format, Options, ReadSeek, SourceInfo, sniff};
use std::borrow::Cow;
use std::io::{Read, SeekFrom};

/// Counts line breaks as a text editor shows them: LF, CRLF and a lone CR are one each.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LineBreaks {
    after_cr: bool,
}

impl LineBreaks {
    pub(crate) fn count(&mut self, bytes: &[u8]) -> u64 {
        if !self.after_cr && !bytes.contains(&b'\r') {
            return bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        }
        let mut n = 0;
        for &b in bytes {
            match b {
                b'\n' => {
                    if !self.after_cr {
                        n += 1;
                    }
                    self.after_cr = false;
                }
                b'\r' => {
                    n += 1;
                    self.after_cr = true;
                }
                _ => self.after_cr = false,
            }
        }
        n
    }
}

/// One record: its text and where each field ends in it. (No `Debug`: it holds file data.)
#[derive(Clone, Default)]
pub(crate) struct CsvRecord {
    text: String,
    ends: Vec<usize>,
}

impl Row for CsvRecord {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn text(&self, i: usize) -> Cow<'_, str> {
        let start = if i == 0 {
            0
        } else {
            self.ends.get(i - 1).copied().unwrap_or(0)
        };
        let end = self.ends.get(i).copied().unwrap_or(start);
        // Fields end at ASCII delimiters, so these are character boundaries; `get` keeps it so.
        Cow::Borrowed(self.text.get(start..end).unwrap_or(""))
    }

    fn typed(&self, _: usize) -> crate::validate::Typed {
        crate::validate::Typed::Text
    }
}

const BUF: usize = 64 * 1024;
/// A longer record is refused: it is almost always a quote left open, which turns the rest of
/// the file into one field (and would otherwise take memory in proportion to the file).
pub(crate) const MAX_RECORD_BYTES: usize = 4 * 1024 * 1024;

/// Splits a UTF-8 byte stream into records, with the line each starts on.
pub(crate) struct RecordReader<R> {
    src: R,
    core: csv_core::Reader,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    eof: bool,
    breaks: LineBreaks,
    line: u64,
    out: Vec<u8>,
    ends: Vec<usize>,
}

impl<R: Read> RecordReader<R> {
    pub(crate) fn new(src: R, delimiter: u8) -> Self {
        let core = csv_core::ReaderBuilder::new()
            .delimiter(delimiter)
            .terminator(csv_core::Terminator::CRLF)
            .quoting(true)
            .double_quote(true)
            .build();
        Self {
            src,
            core,
            buf: vec![0; BUF],
            pos: 0,
            len: 0,
            eof: false,
            breaks: LineBreaks::default(),
            line: 1,
            out: vec![0; 1024],
            ends: vec![0; 64],
        }
    }

    /// Refills the buffer when it is used up. False at the end of the input.
    fn fill(&mut self) -> Result<bool, IntakeError> {
        if self.pos < self.len {
            return Ok(true);
        }
        if self.eof {
            return Ok(false);
        }
        let n = loop {
            match self.src.read(&mut self.buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            }
        };
        self.pos = 0;
        self.len = n;
        self.eof = n == 0;
        Ok(n > 0)
    }

    /// Reads the next record into `rec`; returns the line it starts on, `None` at the end.
    pub(crate) fn read(&mut self, rec: &mut CsvRecord) -> Result<Option<u64>, IntakeError> {
        // Empty lines between records: skipped here (csv-core would skip them too, but then
        // we could not tell on which line the record starts).
        loop {
            if !self.fill()? {
                break;
            }
            let skip = self.buf[self.pos..self.len]
                .iter()
                .take_while(|&&b| b == b'\n' || b == b'\r')
                .count();
            self.line += self.breaks.count(&self.buf[self.pos..self.pos + skip]);
            self.pos += skip;
            if self.pos < self.len {
                break;
            }
        }
        let start_line = self.line;
        let (mut outlen, mut endlen) = (0, 0);
        loop {
            self.fill()?;
            let input = &self.buf[self.pos..self.len];
            let (res, nin, nout, nend) =
                self.core
                    .read_record(input, &mut self.out[outlen..], &mut self.ends[endlen..]);
            self.line += self.breaks.count(&input[..nin]);
            self.pos += nin;
            outlen += nout;
            endlen += nend;
            match res {
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::OutputFull => {
                    if self.out.len() >= MAX_RECORD_BYTES {
                        return Err(IntakeError::RecordTooLong { line: start_line });
                    }
                    let n = (self.out.len() * 2).min(MAX_RECORD_BYTES);
                    self.out.resize(n, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                }
                csv_core::ReadRecordResult::Record => break,
                csv_core::ReadRecordResult::End => return Ok(None),
            }
        }
        let text = std::str::from_utf8(&self.out[..outlen])
            .map_err(|_| IntakeError::NotUtf8 { line: start_line })?;
        rec.text.clear();
        rec.text.push_str(text);
        rec.ends.clear();
        rec.ends.extend_from_slice(&self.ends[..endlen]);
        Ok(Some(start_line))
    }
}

type Reader = RecordReader<Decoding<Box<dyn ReadSeek + Send>>>;

pub(crate) struct CsvRows {
    reader: Reader,
    record: CsvRecord,
    /// Blank rows between the header and the first data row (skipped while opening).
    pub(crate) blank_before_first: u64,
    /// The first data record, read while opening to refuse a header-only file.
    pending: Option<(u64, CsvRecord)>,
}

/// Opens a CSV file: first pass, then the header and a look at the first data row.
pub(crate) fn open(
    mut r: Box<dyn ReadSeek + Send>,
    known_size: Option<u64>,
    opts: &Options,
) -> Result<(SourceInfo, Vec<String>, CsvRows), IntakeError> {
    let sniffed = sniff::sniff_csv(&mut r, known_size, opts.max_size, opts.encoding)?;
    r.seek(SeekFrom::Start(if sniffed.bom { 3 } else { 0 }))?;
    let mut reader = RecordReader::new(Decoding::new(r, sniffed.encoding), sniffed.delimiter);
    let mut record = CsvRecord::default();
    // The header is the first row that is not blank.
    let header_line = loop {
        let Some(line) = reader.read(&mut record)? else {
            return Err(IntakeError::Empty);
        };
        if !is_blank(&record) {
            break line;
        }
    };
    let headers = clean_headers(&record, header_line)?;
    let mut blank_before_first = 0;
    let pending = loop {
        let Some(line) = reader.read(&mut record)? else {
            return Err(IntakeError::HeaderOnly);
        };
        if !is_blank(&record) {
            break (line, record.clone());
        }
        blank_before_first += 1;
    };
    let info = SourceInfo {
        format: Format::Csv,
        file_sha256: sniffed.sha256,
        file_size: sniffed.size,
        encoding: Some(sniffed.encoding),
        encoding_detected: sniffed.encoding_detected,
        bom: sniffed.bom,
        delimiter: Some(char::from(sniffed.delimiter)),
        sheet: None,
        header_line,
        excel_1904: false,
    };
    Ok((
        info,
        headers,
        CsvRows {
            reader,
            record,
            blank_before_first,
            pending: Some(pending),
        },
    ))
}

impl CsvRows {
    /// The next record and the line it starts on. Blank rows between the header and the
    /// first data row were skipped while opening; later ones are returned (the caller counts
    /// them).
    pub(crate) fn next(&mut self) -> Result<Option<(u64, &CsvRecord)>, IntakeError> {
        if let Some((line, rec)) = self.pending.take() {
            self.record = rec;
            return Ok(Some((line, &self.record)));
        }
        match self.reader.read(&mut self.record)? {
            Some(line) => Ok(Some((line, &self.record))),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn records(text: &[u8], delimiter: u8) -> Vec<(u64, Vec<String>)> {
        let mut r = RecordReader::new(text, delimiter);
        let mut rec = CsvRecord::default();
        let mut out = Vec::new();
        while let Some(line) = r.read(&mut rec).unwrap() {
            out.push((
                line,
                (0..rec.len()).map(|i| rec.text(i).into_owned()).collect(),
            ));
        }
        out
    }

    #[test]
    fn line_breaks_as_an_editor_counts_them() {
        let mut lb = LineBreaks::default();
        assert_eq!(lb.count(b"a\nb\r\nc\rd"), 3);
        let mut lb = LineBreaks::default();
        assert_eq!(
            lb.count(b"a\r") + lb.count(b"\nb\n"),
            2,
            "CRLF split across buffers"
        );
    }

    #[test]
    fn records_start_on_the_right_line() {
        let text = b"\n\na;b\r\n\r\n1;\"x\r\ny\"\r\n2;3\n\n\n4;\"\"\"q\"\"\"\r5;6";
        assert_eq!(
            records(text, b';'),
            vec![
                (3, vec!["a".into(), "b".into()]),
                (5, vec!["1".into(), "x\r\ny".into()]),
                (7, vec!["2".into(), "3".into()]),
                (10, vec!["4".into(), "\"q\"".into()]),
                (11, vec!["5".into(), "6".into()]),
            ]
        );
    }

    #[test]
    fn long_records_grow_the_buffers() {
        let wide: Vec<String> = (0..500).map(|i| format!("felt{i}")).collect();
        let long = "x".repeat(200_000);
        let text = format!("{}\n{long},y\n", wide.join(","));
        let got = records(text.as_bytes(), b',');
        assert_eq!(got[0].1.len(), 500);
        assert_eq!(got[1].0, 2);
        assert_eq!(got[1].1.len(), 2);
        assert!(
            got[1].1[0] == long,
            "long field: {} bytes",
            got[1].1[0].len()
        );
        assert_eq!(got[1].1[1], "y");
    }

    #[test]
    fn an_endless_record_is_refused() {
        let text = format!("a,b\n1,\"{}\n2,3\n", "x".repeat(MAX_RECORD_BYTES));
        let mut r = RecordReader::new(text.as_bytes(), b',');
        let mut rec = CsvRecord::default();
        assert_eq!(r.read(&mut rec).unwrap(), Some(1));
        assert_eq!(
            r.read(&mut rec).unwrap_err(),
            IntakeError::RecordTooLong { line: 2 }
        );
    }
}
