//! The first, cheap pass over a file's bytes: size limit, SHA-256 (for the audit log), what
//! the file really is (HTML, ZIP, UTF-16 …), NUL bytes, the encoding, and the delimiter.
//! Streams in fixed chunks; nothing but the header line is kept.

use crate::csv_source::LineBreaks;
use crate::decode::TextEncoding;
use crate::error::IntakeError;
use sha2::{Digest, Sha256};
use std::io::Read;

const CHUNK: usize = 64 * 1024;
const BOM: &[u8] = b"\xEF\xBB\xBF";
/// The header line is kept up to this length for delimiter detection.
const MAX_HEADER_BYTES: usize = 64 * 1024;

/// What the first pass found out about a CSV file.
#[derive(Clone, Debug)]
pub(crate) struct Sniffed {
    pub sha256: String,
    pub size: u64,
    pub encoding: TextEncoding,
    pub encoding_detected: bool,
    pub bom: bool,
    pub delimiter: u8,
}

/// Hash and size of any file (XLSX), refusing it past `max` bytes. Returns the first bytes too.
pub(crate) fn hash_file<R: Read>(
    r: &mut R,
    known_size: Option<u64>,
    max: u64,
) -> Result<(String, u64, Vec<u8>), IntakeError> {
    check_known_size(known_size, max)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    let mut size = 0u64;
    let mut head = Vec::new();
    loop {
        let n = read_some(r, &mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        if size > max {
            return Err(IntakeError::TooLarge { size: None, max });
        }
        if head.len() < 16 {
            head.extend_from_slice(&buf[..n.min(16 - head.len())]);
        }
        hasher.update(&buf[..n]);
    }
    Ok((hex::encode(hasher.finalize()), size, head))
}

fn check_known_size(known_size: Option<u64>, max: u64) -> Result<(), IntakeError> {
    match known_size {
        Some(size) if size > max => Err(IntakeError::TooLarge {
            size: Some(size),
            max,
        }),
        _ => Ok(()),
    }
}

fn read_some<R: Read>(r: &mut R, buf: &mut [u8]) -> Result<usize, IntakeError> {
    loop {
        match r.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// Reads until `buf` is full or the input ends.
fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> Result<usize, IntakeError> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = read_some(r, &mut buf[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

/// What a file is, judged by its first bytes, when it is not CSV text.
fn refuse_by_signature(head: &[u8]) -> Result<(), IntakeError> {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Err(IntakeError::Zip);
    }
    if head.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return Err(IntakeError::OldExcel);
    }
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Err(IntakeError::Utf16);
    }
    let text = head.strip_prefix(BOM).unwrap_or(head);
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(text.len());
    let text = &text[start..];
    for tag in [&b"<!doctype"[..], b"<html", b"<?xml", b"<!--"] {
        if text.len() >= tag.len() && text[..tag.len()].eq_ignore_ascii_case(tag) {
            return Err(IntakeError::Html);
        }
    }
    Ok(())
}

/// UTF-8 bookkeeping across chunks.
#[derive(Default)]
struct Utf8Scan {
    first_invalid_line: Option<u64>,
    invalid_count: u64,
    first_multibyte_line: Option<u64>,
    multibyte_count: u64,
}

impl Utf8Scan {
    /// Scans `s`; `line_at(offset)` gives the line of a byte. Returns how many bytes at the
    /// end are an incomplete sequence to carry into the next chunk (0 when `last`).
    fn scan(&mut self, s: &[u8], line_at: &dyn Fn(usize) -> u64, last: bool) -> usize {
        let mut pos = 0;
        while pos < s.len() {
            match std::str::from_utf8(&s[pos..]) {
                Ok(_) => {
                    self.note_valid(s, pos, s.len(), line_at);
                    return 0;
                }
                Err(e) => {
                    let bad = pos + e.valid_up_to();
                    self.note_valid(s, pos, bad, line_at);
                    match e.error_len() {
                        Some(n) => {
                            self.note_invalid(bad, line_at);
                            pos = bad + n;
                        }
                        None if last => {
                            self.note_invalid(bad, line_at);
                            return 0;
                        }
                        None => return s.len() - bad,
                    }
                }
            }
        }
        0
    }

    /// Counts multi-byte characters (lead bytes) in the valid stretch `s[from..to]`.
    fn note_valid(&mut self, s: &[u8], from: usize, to: usize, line_at: &dyn Fn(usize) -> u64) {
        let valid = &s[from..to];
        let leads = valid.iter().filter(|&&b| b >= 0xC0).count() as u64;
        if leads > 0 {
            if self.first_multibyte_line.is_none()
                && let Some(p) = valid.iter().position(|&b| b >= 0xC0)
            {
                self.first_multibyte_line = Some(line_at(from + p));
            }
            self.multibyte_count += leads;
        }
    }

    fn note_invalid(&mut self, at: usize, line_at: &dyn Fn(usize) -> u64) {
        if self.first_invalid_line.is_none() {
            self.first_invalid_line = Some(line_at(at));
        }
        self.invalid_count += 1;
    }
}

/// The first pass over a CSV file. `known_size` (from the file system) lets a too-large file
/// be refused before a byte is read.
pub(crate) fn sniff_csv<R: Read>(
    r: &mut R,
    known_size: Option<u64>,
    max: u64,
    encoding: Option<TextEncoding>,
) -> Result<Sniffed, IntakeError> {
    check_known_size(known_size, max)?;
    let mut hasher = Sha256::new();
    // Room for up to 3 carried bytes of an incomplete UTF-8 sequence before each chunk.
    let mut buf = vec![0u8; CHUNK + 4];
    let mut carry = 0usize;
    let mut size = 0u64;
    let mut line = 1u64;
    let mut breaks = LineBreaks::default();
    let mut first = true;
    let mut bom = false;
    let mut any_content = false;
    let mut header = Vec::new();
    let mut header_done = false;
    // Also for a chosen single-byte encoding: a UTF-8 file read as one is stored garbled.
    let check_utf8 = true;
    let mut utf8 = Utf8Scan::default();

    loop {
        let n = if first {
            read_full(r, &mut buf[carry..carry + CHUNK])?
        } else {
            read_some(r, &mut buf[carry..carry + CHUNK])?
        };
        size += n as u64;
        if size > max {
            return Err(IntakeError::TooLarge { size: None, max });
        }
        let new = &buf[carry..carry + n];
        hasher.update(new);
        let mut content = new;
        if first {
            refuse_by_signature(new)?;
            if let Some(rest) = new.strip_prefix(BOM) {
                bom = true;
                content = rest;
            }
        }
        // The line of a byte of this chunk (counting from the chunk's start state).
        let chunk_breaks = breaks;
        let line_at = |bytes: &[u8], offset: usize| {
            let mut b = chunk_breaks;
            line + b.count(&bytes[..offset.min(bytes.len())])
        };
        if let Some(p) = content.iter().position(|&b| b == 0) {
            return Err(IntakeError::NulByte {
                line: line_at(content, p),
            });
        }
        if !any_content {
            any_content = content.iter().any(|b| !b.is_ascii_whitespace());
        }
        if !header_done {
            collect_header(&mut header, &mut header_done, content);
        }
        let newlines = breaks.count(content);
        if check_utf8 {
            // A BOM is valid UTF-8 but not content; skip it so it does not count as text.
            // Carried bytes (an unfinished character) are never line breaks.
            let skip = if first && bom { BOM.len() } else { 0 };
            let scanned = &buf[skip..carry + n];
            let rest = utf8.scan(scanned, &|o| line_at(scanned, o), n == 0);
            // Carried bytes are never newlines, so line numbers stay right.
            let keep_from = carry + n - rest;
            buf.copy_within(keep_from..carry + n, 0);
            carry = rest;
        }
        line += newlines;
        first = false;
        if n == 0 {
            break;
        }
    }

    if !any_content {
        return Err(IntakeError::Empty);
    }
    let (encoding, detected) = match encoding {
        Some(TextEncoding::Utf8) => {
            if let Some(line) = utf8.first_invalid_line {
                return Err(IntakeError::NotUtf8 { line });
            }
            (TextEncoding::Utf8, false)
        }
        Some(e) => {
            if let (None, Some(line)) = (utf8.first_invalid_line, utf8.first_multibyte_line) {
                return Err(IntakeError::LooksUtf8 { line });
            }
            (e, false)
        }
        None => match (utf8.first_invalid_line, utf8.first_multibyte_line) {
            (None, _) => (TextEncoding::Utf8, true),
            (Some(_), None) => (TextEncoding::Windows1252, true),
            (Some(other_line), Some(utf8_line)) => {
                // The odd one out is the kind with fewer occurrences.
                let line = if utf8.invalid_count <= utf8.multibyte_count {
                    other_line
                } else {
                    utf8_line
                };
                return Err(IntakeError::MixedEncoding {
                    line,
                    utf8_line,
                    other_line,
                });
            }
        },
    };
    let delimiter = detect_delimiter(&header).ok_or(IntakeError::NoDelimiter)?;
    Ok(Sniffed {
        sha256: hex::encode(hasher.finalize()),
        size,
        encoding,
        encoding_detected: detected,
        bom,
        delimiter,
    })
}

/// Keeps the first line that has something other than whitespace.
fn collect_header(header: &mut Vec<u8>, done: &mut bool, mut chunk: &[u8]) {
    while !chunk.is_empty() && !*done {
        let (line, ends) = match chunk.iter().position(|&b| b == b'\n') {
            Some(p) => (&chunk[..p], Some(p)),
            None => (chunk, None),
        };
        let room = MAX_HEADER_BYTES.saturating_sub(header.len());
        header.extend_from_slice(&line[..line.len().min(room)]);
        match ends {
            Some(p) => {
                if header.iter().all(u8::is_ascii_whitespace) {
                    header.clear();
                    chunk = &chunk[p + 1..];
                } else {
                    *done = true;
                }
            }
            None => {
                if header.len() >= MAX_HEADER_BYTES {
                    *done = true;
                }
                return;
            }
        }
    }
}

/// The delimiter of a header line: the most frequent of `;`, tab and `,` outside quotes
/// (ties go in that order, `;` being what Danish Excel writes). `None` if there is none.
pub(crate) fn detect_delimiter(header: &[u8]) -> Option<u8> {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in header {
        match b {
            b'"' => quoted = !quoted,
            b';' if !quoted => counts[0] += 1,
            b'\t' if !quoted => counts[1] += 1,
            b',' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b';', b'\t', b','];
    let (best, &count) = counts.iter().enumerate().rev().max_by_key(|(_, c)| **c)?;
    (count > 0).then_some(candidates[best])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn sniff(bytes: &[u8]) -> Result<Sniffed, IntakeError> {
        sniff_csv(&mut &bytes[..], None, 1 << 30, None)
    }

    #[test]
    fn delimiter_from_the_header_line() {
        assert_eq!(detect_delimiter(b"a;b;c"), Some(b';'));
        assert_eq!(detect_delimiter(b"a,b,c"), Some(b','));
        assert_eq!(detect_delimiter(b"a\tb\tc"), Some(b'\t'));
        assert_eq!(
            detect_delimiter(b"Sagsnr;\"Navn, fornavn\";Start"),
            Some(b';')
        );
        assert_eq!(detect_delimiter(b"\"a;b\",c"), Some(b','));
        assert_eq!(detect_delimiter(b"a;b,c"), Some(b';')); // tie: ';' wins
        assert_eq!(detect_delimiter(b"a\tb,c"), Some(b'\t'));
        assert_eq!(detect_delimiter(b"abc"), None);
        assert_eq!(detect_delimiter(b""), None);
    }

    #[test]
    fn header_skips_blank_lines() {
        let s = sniff(b"\n  \r\nx,y\n1;2;3;4\n").unwrap();
        assert_eq!(s.delimiter, b',');
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let s = sniff("a;b\nø;å\n".as_bytes()).unwrap();
        assert_eq!(
            (s.encoding, s.bom, s.encoding_detected),
            (TextEncoding::Utf8, false, true)
        );
        let s = sniff("\u{feff}a;b\nø;å\n".as_bytes()).unwrap();
        assert_eq!((s.encoding, s.bom), (TextEncoding::Utf8, true));
        assert_eq!(s.size, 13);
    }

    #[test]
    fn windows_1252_detected_and_overridable() {
        let bytes = b"navn;by\nS\xf8ren;\xc6r\xf8\n";
        let s = sniff(bytes).unwrap();
        assert_eq!(s.encoding, TextEncoding::Windows1252);
        let s = sniff_csv(&mut &bytes[..], None, 1 << 20, Some(TextEncoding::Latin1)).unwrap();
        assert_eq!(
            (s.encoding, s.encoding_detected),
            (TextEncoding::Latin1, false)
        );
        assert_eq!(
            sniff_csv(&mut &bytes[..], None, 1 << 20, Some(TextEncoding::Utf8)).unwrap_err(),
            IntakeError::NotUtf8 { line: 2 }
        );
    }

    #[test]
    fn mixed_encodings_name_the_odd_line() {
        // Lines 2 and 3 are UTF-8 "ø", line 4 is windows-1252 "ø".
        let bytes = b"a;b\n\xc3\xb8;1\n\xc3\xb8;2\n\xf8;3\n";
        assert_eq!(
            sniff(bytes).unwrap_err(),
            IntakeError::MixedEncoding {
                line: 4,
                utf8_line: 2,
                other_line: 4
            }
        );
        // Mostly windows-1252, one UTF-8 line: that one is the odd one.
        let bytes = b"a;b\n\xf8;1\n\xf8;2\n\xc3\xb8;3\n";
        assert_eq!(
            sniff(bytes).unwrap_err(),
            IntakeError::MixedEncoding {
                line: 4,
                utf8_line: 4,
                other_line: 2
            }
        );
        // Overriding the encoding accepts it.
        assert!(
            sniff_csv(
                &mut &bytes[..],
                None,
                1 << 20,
                Some(TextEncoding::Windows1252)
            )
            .is_ok()
        );
    }

    #[test]
    fn multibyte_sequences_split_across_chunks() {
        let mut bytes = b"a;b\n".to_vec();
        while bytes.len() < CHUNK - 1 {
            bytes.push(b'x');
        }
        bytes.extend_from_slice("ø;æ\n".as_bytes()); // 'ø' straddles the chunk boundary
        let s = sniff(&bytes).unwrap();
        assert_eq!(s.encoding, TextEncoding::Utf8);
        // A truncated sequence at the very end is invalid.
        let mut bad = b"a;b\n\xc3\xb8;1\n".to_vec();
        bad.push(0xC3);
        assert!(matches!(
            sniff(&bad),
            Err(IntakeError::MixedEncoding { line: 3, .. })
        ));
    }

    #[test]
    fn refusals() {
        assert_eq!(sniff(b"").unwrap_err(), IntakeError::Empty);
        assert_eq!(sniff(b" \r\n\t\n").unwrap_err(), IntakeError::Empty);
        assert_eq!(sniff(b"\xEF\xBB\xBF").unwrap_err(), IntakeError::Empty);
        assert_eq!(sniff(b"PK\x03\x04rest").unwrap_err(), IntakeError::Zip);
        assert_eq!(
            sniff(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1..").unwrap_err(),
            IntakeError::OldExcel
        );
        assert_eq!(sniff(b"\xFF\xFEa\0;\0").unwrap_err(), IntakeError::Utf16);
        assert_eq!(
            sniff(b"  \n<!DOCTYPE html><html>").unwrap_err(),
            IntakeError::Html
        );
        assert_eq!(
            sniff(b"\xEF\xBB\xBF<HTML><body>").unwrap_err(),
            IntakeError::Html
        );
        assert_eq!(
            sniff(b"a;b\n1;2\n3;\x004\n").unwrap_err(),
            IntakeError::NulByte { line: 3 }
        );
        assert_eq!(sniff(b"abc\n1\n").unwrap_err(), IntakeError::NoDelimiter);
        let big = vec![b'a'; 1000];
        assert_eq!(
            sniff_csv(&mut &big[..], None, 999, None).unwrap_err(),
            IntakeError::TooLarge {
                size: None,
                max: 999
            }
        );
        assert_eq!(
            sniff_csv(&mut &big[..], Some(200_000_000), 150 << 20, None).unwrap_err(),
            IntakeError::TooLarge {
                size: Some(200_000_000),
                max: 150 << 20
            }
        );
    }

    #[test]
    fn sha256_of_the_bytes() {
        let s = sniff(b"a;b\n1;2\n").unwrap();
        assert_eq!(s.sha256, hex::encode(Sha256::digest(b"a;b\n1;2\n")));
        let (h, size, head) = hash_file(&mut &b"PK\x03\x04abc"[..], None, 100).unwrap();
        assert_eq!((h.len(), size, &head[..4]), (64, 7, &b"PK\x03\x04"[..]));
    }
}
