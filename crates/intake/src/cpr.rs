//! CPR numbers: finding them in any text, masking them in everything a person or a log can
//! read, and turning the person-key column into a keyed hash.

use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

/// What a CPR number is shown as, wherever one was found.
pub const MASK: &str = "xxxxxx-xxxx";

/// Longest value (in characters) repeated in a message.
const MAX_SHOWN_CHARS: usize = 60;

/// The byte range of the first CPR-like number in `s`: `ddmmyy-xxxx` or ten digits in a row
/// (not part of a longer run of digits) whose first six digits are a real day (`ddmmyy`).
pub fn find_cpr(s: &str) -> Option<Range<usize>> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        let run = digit_run(b, start);
        let end = start + run;
        if run == 10 && ddmmyy_is_day(&b[start..start + 6]) {
            return Some(start..end);
        }
        if run == 6
            && b.get(end) == Some(&b'-')
            && digit_run(b, end + 1) == 4
            && ddmmyy_is_day(&b[start..end])
        {
            return Some(start..end + 5);
        }
        i = end;
    }
    None
}

fn digit_run(b: &[u8], from: usize) -> usize {
    b.get(from..).map_or(0, |rest| {
        rest.iter().take_while(|c| c.is_ascii_digit()).count()
    })
}

/// Whether six ASCII digits `ddmmyy` are a day in some century a CPR number can have.
fn ddmmyy_is_day(six: &[u8]) -> bool {
    let n = |i: usize| u32::from(six[i] - b'0') * 10 + u32::from(six[i + 1] - b'0');
    let (d, m, y) = (n(0), n(2), n(4));
    [1800, 1900, 2000].iter().any(|c| {
        i32::try_from(c + y)
            .ok()
            .and_then(|y| NaiveDate::from_ymd_opt(y, m, d))
            .is_some()
    })
}

/// The ten digits of a value that is a CPR number and nothing else (`ddmmyy-xxxx` or ten
/// digits, surrounding whitespace allowed).
pub fn cpr_digits(value: &str) -> Option<CprDigits> {
    let v = value.trim();
    let r = find_cpr(v)?;
    if r.start != 0 || r.end != v.len() {
        return None;
    }
    let mut out = [0u8; 10];
    for (slot, c) in out.iter_mut().zip(v.bytes().filter(u8::is_ascii_digit)) {
        *slot = c;
    }
    Some(CprDigits(out))
}

/// The ten ASCII digits of a CPR number. Its `Debug` shows only the mask.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct CprDigits([u8; 10]);

impl fmt::Debug for CprDigits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl CprDigits {
    /// Birth date by the 7th-digit rule: 0–3 → 1900s; 4 and 9 → 2000s for yy 00–36, else
    /// 1900s; 5–8 → 2000s for yy 00–57, else 1800s.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        let b = &self.0;
        let n = |i: usize| u32::from(b[i] - b'0') * 10 + u32::from(b[i + 1] - b'0');
        let (d, m, yy) = (n(0), n(2), n(4));
        let century = match b[6] - b'0' {
            0..=3 => 1900,
            4 | 9 => {
                if yy <= 36 {
                    2000
                } else {
                    1900
                }
            }
            _ => {
                if yy <= 57 {
                    2000
                } else {
                    1800
                }
            }
        };
        NaiveDate::from_ymd_opt(i32::try_from(century + yy).ok()?, m, d)
    }

    fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// Every CPR-like number in `s` replaced by [`MASK`].
pub fn mask(s: &str) -> Cow<'_, str> {
    let Some(first) = find_cpr(s) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut r = first;
    loop {
        out.push_str(&rest[..r.start]);
        out.push_str(MASK);
        rest = &rest[r.end..];
        match find_cpr(rest) {
            Some(next) => r = next,
            None => break,
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// A text from the file made fit for a message: CPR-like numbers masked, at most 60
/// characters (an ellipsis marks a cut).
pub fn safe_text(s: &str) -> String {
    let masked = mask(s);
    match masked.char_indices().nth(MAX_SHOWN_CHARS) {
        None => masked.into_owned(),
        Some((cut, _)) => {
            // Cutting could split a CPR number into a shorter, unmasked run of digits; mask
            // first (above), then cut: a cut mask is still only x's.
            let mut out = masked[..cut].to_owned();
            out.push('…');
            out
        }
    }
}

/// Turns person identifiers into a keyed hash (HMAC-SHA256, hex). The key is the caller's
/// secret; without it the hashes cannot be recomputed from a list of CPR numbers.
#[derive(Clone)]
pub struct PersonKeyHasher {
    mac: Hmac<Sha256>,
}

impl fmt::Debug for PersonKeyHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonKeyHasher { secret: <redacted> }")
    }
}

impl PersonKeyHasher {
    /// Shortest secret accepted, in bytes.
    pub const MIN_SECRET_LEN: usize = 16;

    /// `None` when the secret is shorter than [`Self::MIN_SECRET_LEN`] bytes.
    pub fn new(secret: &[u8]) -> Option<Self> {
        if secret.len() < Self::MIN_SECRET_LEN {
            return None;
        }
        // HMAC takes a key of any length; the error case cannot happen.
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).ok()?;
        Some(Self { mac })
    }

    /// The hash of a person-key value: over the ten digits when it is a CPR number (so
    /// "010203-1234" and "0102031234" agree), otherwise over the trimmed text.
    pub fn hash_value(&self, value: &str) -> String {
        match cpr_digits(value) {
            Some(d) => self.hash_cpr(&d),
            None => self.hash_bytes(value.trim().as_bytes()),
        }
    }

    pub fn hash_cpr(&self, digits: &CprDigits) -> String {
        self.hash_bytes(digits.as_bytes())
    }

    fn hash_bytes(&self, bytes: &[u8]) -> String {
        let mut mac = self.mac.clone();
        mac.update(bytes);
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef-test-secret";

    #[test]
    fn finds_cpr_like_numbers_anywhere() {
        assert_eq!(find_cpr("010203-1234"), Some(0..11));
        assert_eq!(find_cpr("0102031234"), Some(0..10));
        assert_eq!(find_cpr("barn 010203-1234, mor"), Some(5..16));
        assert_eq!(find_cpr("x0102031234y"), Some(1..11));
        assert_eq!(find_cpr("290200-1234"), Some(0..11)); // 2000 was a leap year
    }

    #[test]
    fn leaves_other_numbers_alone() {
        for s in [
            "",
            "S-2024-000123",
            "2024000123",  // month 24
            "3202031234",  // day 32
            "01020312345", // eleven digits
            "102031234",   // nine digits
            "010203-12345",
            "1010203-1234",
            "010203 1234",
            "31-12-2024",
            "0113031234",  // month 13
            "290201-1234", // no 29 February in 1801, 1901 or 2001
        ] {
            assert_eq!(find_cpr(s), None, "{s}");
        }
    }

    #[test]
    fn digits_only_for_a_whole_value() {
        assert!(cpr_digits(" 010203-1234 ").is_some());
        assert!(cpr_digits("0102031234").is_some());
        assert!(cpr_digits("cpr 0102031234").is_none());
        assert_eq!(
            format!("{:?}", cpr_digits("0102031234")),
            "Some(xxxxxx-xxxx)"
        );
    }

    #[test]
    fn birth_date_by_the_seventh_digit() {
        let bd = |s: &str| cpr_digits(s).and_then(|d| d.birth_date());
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        assert_eq!(bd("010203-1234"), d(1903, 2, 1));
        assert_eq!(bd("010203-3234"), d(1903, 2, 1));
        assert_eq!(bd("010236-4234"), d(2036, 2, 1));
        assert_eq!(bd("010237-4234"), d(1937, 2, 1));
        assert_eq!(bd("010210-9234"), d(2010, 2, 1));
        assert_eq!(bd("010257-5234"), d(2057, 2, 1));
        assert_eq!(bd("010258-8234"), d(1858, 2, 1));
        assert_eq!(bd("150615-4321"), d(2015, 6, 15));
    }

    #[test]
    fn masks_every_occurrence_and_truncates() {
        assert_eq!(
            mask("a 010203-1234 b 0102031234"),
            "a xxxxxx-xxxx b xxxxxx-xxxx"
        );
        assert!(matches!(mask("ingen"), Cow::Borrowed("ingen")));
        let long = format!("{}0102031234", "y".repeat(55));
        let shown = safe_text(&long);
        assert!(!shown.contains("0102"), "{shown}");
        assert_eq!(shown.chars().count(), 61);
        assert!(shown.ends_with('…'));
        assert_eq!(safe_text("kort"), "kort");
    }

    #[test]
    fn keyed_hash_is_stable_per_secret_and_hides_the_number() {
        let h1 = PersonKeyHasher::new(SECRET).unwrap();
        let h2 = PersonKeyHasher::new(b"another-secret-of-16+bytes").unwrap();
        let a = h1.hash_value("010203-1234");
        assert_eq!(a, h1.hash_value("0102031234"));
        assert_eq!(a, h1.hash_value(" 010203-1234 "));
        assert_ne!(a, h2.hash_value("010203-1234"));
        assert_ne!(a, h1.hash_value("010203-1235"));
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(!a.contains("0102031234"));
        assert!(PersonKeyHasher::new(b"short").is_none());
        assert!(!format!("{h1:?}").contains("0123456789abcdef"));
    }
}
