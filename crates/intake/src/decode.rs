//! Text encodings of CSV files, and a reader that turns any of them into UTF-8 as it streams.

use serde::{Deserialize, Serialize};
use std::io::{self, Read};

/// The encodings an extract can be in.
///
/// About ISO-8859-1: encoding_rs follows the WHATWG Encoding Standard, where the *label*
/// "iso-8859-1" means windows-1252. We do not rely on that: [`TextEncoding::Latin1`] decodes
/// strictly (each byte is the code point of the same number). The two agree on every byte
/// except 0x80–0x9F, which are printable in windows-1252 (€, Š, …) and invisible control codes
/// in ISO-8859-1, never used in real text; Danish letters (æøåÆØÅ) are the same bytes in both.
/// Detection therefore cannot tell them apart and reports windows-1252, the encoding Excel
/// writes on Danish Windows ("CSV (semikolonsepareret)").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextEncoding {
    Utf8,
    Windows1252,
    Latin1,
}

impl TextEncoding {
    /// The standard label: "UTF-8", "windows-1252", "ISO-8859-1".
    pub const fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Windows1252 => "windows-1252",
            TextEncoding::Latin1 => "ISO-8859-1",
        }
    }

    /// Reads a user's choice: "utf-8", "utf8", "windows-1252", "cp1252", "ansi",
    /// "iso-8859-1", "latin1" (case-insensitive).
    pub fn from_label(s: &str) -> Option<TextEncoding> {
        match s.trim().to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Some(TextEncoding::Utf8),
            "windows-1252" | "cp1252" | "win1252" | "ansi" => Some(TextEncoding::Windows1252),
            "iso-8859-1" | "iso8859-1" | "latin1" | "latin-1" | "l1" => Some(TextEncoding::Latin1),
            _ => None,
        }
    }
}

const IN_CHUNK: usize = 64 * 1024;

enum Mode {
    /// Already UTF-8 (checked by the first pass): bytes pass through.
    Passthrough,
    Windows1252(encoding_rs::Decoder),
    Latin1,
}

/// Reads bytes in `encoding` and yields UTF-8, chunk by chunk (never the whole file).
pub(crate) struct Decoding<R> {
    inner: R,
    mode: Mode,
    input: Vec<u8>,
    in_start: usize,
    in_end: usize,
    eof: bool,
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
}

impl<R: Read> Decoding<R> {
    pub(crate) fn new(inner: R, encoding: TextEncoding) -> Self {
        let mode = match encoding {
            TextEncoding::Utf8 => Mode::Passthrough,
            TextEncoding::Windows1252 => {
                Mode::Windows1252(encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling())
            }
            TextEncoding::Latin1 => Mode::Latin1,
        };
        Self {
            inner,
            mode,
            input: vec![0; IN_CHUNK],
            in_start: 0,
            in_end: 0,
            eof: false,
            // A single-byte encoding needs at most 3 UTF-8 bytes per byte.
            output: vec![0; IN_CHUNK * 3 + 16],
            out_start: 0,
            out_end: 0,
        }
    }

    /// Decodes the next input chunk into `output`. Returns false at the end.
    fn refill(&mut self) -> io::Result<bool> {
        if self.in_start == self.in_end {
            if self.eof {
                return Ok(false);
            }
            let n = self.inner.read(&mut self.input)?;
            self.in_start = 0;
            self.in_end = n;
            if n == 0 {
                self.eof = true;
            }
        }
        let src = &self.input[self.in_start..self.in_end];
        let (read, written) = match &mut self.mode {
            Mode::Passthrough => {
                let n = src.len().min(self.output.len());
                self.output[..n].copy_from_slice(&src[..n]);
                (n, n)
            }
            Mode::Windows1252(dec) => {
                let (_, read, written, _) = dec.decode_to_utf8(src, &mut self.output, self.eof);
                (read, written)
            }
            Mode::Latin1 => encoding_rs::mem::convert_latin1_to_utf8_partial(src, &mut self.output),
        };
        self.in_start += read;
        self.out_start = 0;
        self.out_end = written;
        Ok(written > 0 || !self.eof || self.in_start < self.in_end)
    }
}

impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if matches!(self.mode, Mode::Passthrough) && self.out_start == self.out_end {
            // Nothing buffered: hand the inner reader's bytes on without a copy.
            return self.inner.read(buf);
        }
        while self.out_start == self.out_end {
            if !self.refill()? {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.out_end - self.out_start);
        buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
        self.out_start += n;
        Ok(n)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8], enc: TextEncoding) -> String {
        let mut out = String::new();
        Decoding::new(bytes, enc).read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn windows_1252_and_latin1() {
        // "Søren Ærø €" in windows-1252.
        let bytes = b"S\xf8ren \xc6r\xf8 \x80";
        assert_eq!(decode(bytes, TextEncoding::Windows1252), "Søren Ærø €");
        // Strict ISO-8859-1: 0x80 is the control code U+0080, not the euro sign.
        assert_eq!(decode(bytes, TextEncoding::Latin1), "Søren Ærø \u{80}");
        assert_eq!(decode("æøå".as_bytes(), TextEncoding::Utf8), "æøå");
    }

    #[test]
    fn long_input_crosses_chunks() {
        let bytes: Vec<u8> = std::iter::repeat_n(b"\xe6\xf8\xe5;".as_slice(), 50_000)
            .flatten()
            .copied()
            .collect();
        let s = decode(&bytes, TextEncoding::Windows1252);
        assert_eq!(s.chars().count(), 200_000);
        assert!(s.starts_with("æøå;æøå;"));
        assert_eq!(decode(&bytes, TextEncoding::Latin1), s);
    }

    #[test]
    fn labels() {
        assert_eq!(
            TextEncoding::from_label("ISO-8859-1"),
            Some(TextEncoding::Latin1)
        );
        assert_eq!(
            TextEncoding::from_label("cp1252"),
            Some(TextEncoding::Windows1252)
        );
        assert_eq!(TextEncoding::from_label("UTF8"), Some(TextEncoding::Utf8));
        assert_eq!(TextEncoding::from_label("koi8-r"), None);
    }
}
