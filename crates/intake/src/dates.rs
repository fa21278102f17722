//! Dates as Danish case-system extracts write them, and Excel's serial day numbers.

use chrono::{Datelike, NaiveDate};

/// The textual date formats an extract may use. A column must stick to one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateFormat {
    /// `31-12-2024` (also `1-2-2024`).
    DmyDash,
    /// `31.12.2024`.
    DmyDot,
    /// `31/12/2024`.
    DmySlash,
    /// `2024-12-31`.
    Iso,
}

impl DateFormat {
    pub const ALL: [DateFormat; 4] = [
        DateFormat::DmyDash,
        DateFormat::DmyDot,
        DateFormat::DmySlash,
        DateFormat::Iso,
    ];

    /// An example date in this format, the same in every language ("31-12-2024").
    pub const fn example(self) -> &'static str {
        match self {
            DateFormat::DmyDash => "31-12-2024",
            DateFormat::DmyDot => "31.12.2024",
            DateFormat::DmySlash => "31/12/2024",
            DateFormat::Iso => "2024-12-31",
        }
    }

    pub(crate) const fn index(self) -> usize {
        match self {
            DateFormat::DmyDash => 0,
            DateFormat::DmyDot => 1,
            DateFormat::DmySlash => 2,
            DateFormat::Iso => 3,
        }
    }

    /// Writes `date` in this format (zero-padded).
    pub fn format(self, date: NaiveDate) -> String {
        let (y, m, d) = (date.year(), date.month(), date.day());
        match self {
            DateFormat::DmyDash => format!("{d:02}-{m:02}-{y:04}"),
            DateFormat::DmyDot => format!("{d:02}.{m:02}.{y:04}"),
            DateFormat::DmySlash => format!("{d:02}/{m:02}/{y:04}"),
            DateFormat::Iso => format!("{y:04}-{m:02}-{d:02}"),
        }
    }
}

/// Why a text is not a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateError {
    /// Not in any accepted format.
    Unrecognised,
    /// In a format, but no such day (31-02-2024), or a year outside 1900–2100.
    Impossible,
}

/// Years outside this range are typing errors in a children's case register.
const MIN_YEAR: i32 = 1900;
const MAX_YEAR: i32 = 2100;

/// Parses `dd-mm-yyyy`, `dd.mm.yyyy`, `dd/mm/yyyy` or `yyyy-mm-dd` (day and month may have one
/// digit), optionally followed by a time (`12:30`, `12:30:00`, `12.30`, or ISO `T12:30:00`),
/// which is ignored. Returns the date and the format it was written in.
pub fn parse_date(s: &str) -> Result<(NaiveDate, DateFormat), DateError> {
    let s = s.trim();
    let (date_part, time_part) = match s.find([' ', 'T']) {
        Some(i) => (&s[..i], s[i + 1..].trim()),
        None => (s, ""),
    };
    if !time_part.is_empty() && !is_time(time_part) {
        return Err(DateError::Unrecognised);
    }
    let sep = date_part
        .chars()
        .find(|c| !c.is_ascii_digit())
        .ok_or(DateError::Unrecognised)?;
    let mut parts = date_part.split(sep);
    let (a, b, c) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(a), Some(b), Some(c), None) => (a, b, c),
        _ => return Err(DateError::Unrecognised),
    };
    let digits = |p: &str, min: usize, max: usize| {
        (min..=max).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    let (format, y, m, d) = if digits(a, 1, 2) && digits(b, 1, 2) && digits(c, 4, 4) {
        let format = match sep {
            '-' => DateFormat::DmyDash,
            '.' => DateFormat::DmyDot,
            '/' => DateFormat::DmySlash,
            _ => return Err(DateError::Unrecognised),
        };
        (format, c, b, a)
    } else if sep == '-' && digits(a, 4, 4) && digits(b, 1, 2) && digits(c, 1, 2) {
        (DateFormat::Iso, a, b, c)
    } else {
        return Err(DateError::Unrecognised);
    };
    let num = |p: &str| p.parse::<u32>().map_err(|_| DateError::Unrecognised);
    let (y, m, d) = (num(y)?, num(m)?, num(d)?);
    let y = i32::try_from(y).map_err(|_| DateError::Impossible)?;
    if !(MIN_YEAR..=MAX_YEAR).contains(&y) {
        return Err(DateError::Impossible);
    }
    NaiveDate::from_ymd_opt(y, m, d)
        .map(|date| (date, format))
        .ok_or(DateError::Impossible)
}

/// `12:30`, `12:30:00`, `12:30:00.000`, `12.30`; an ISO zone suffix `Z` is allowed.
fn is_time(t: &str) -> bool {
    let t = t.strip_suffix('Z').unwrap_or(t);
    !t.is_empty()
        && t.len() <= 18
        && t.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && t.bytes()
            .all(|b| b.is_ascii_digit() || b == b':' || b == b'.')
        && t.bytes().any(|b| b == b':' || b == b'.')
}

/// The day of an Excel serial date (the time part is dropped). In the 1900 system serial 1 is
/// 1900-01-01 and serial 60 is Excel's non-existent 1900-02-29 (refused); in the 1904 system
/// serial 0 is 1904-01-01. Non-finite values and dates outside 1900–2100 give `None`.
pub fn excel_serial_to_date(serial: f64, is_1904: bool) -> Option<NaiveDate> {
    if !serial.is_finite() || !(0.0..=1_000_000.0).contains(&serial) {
        return None;
    }
    // In range by the check above, so the cast is exact for the whole-day part.
    let days = serial.floor() as i64;
    let date = if is_1904 {
        NaiveDate::from_ymd_opt(1904, 1, 1)?.checked_add_signed(chrono::Duration::days(days))?
    } else {
        match days {
            0 | 60 => return None,
            1..=59 => NaiveDate::from_ymd_opt(1899, 12, 31)?
                .checked_add_signed(chrono::Duration::days(days))?,
            _ => NaiveDate::from_ymd_opt(1899, 12, 30)?
                .checked_add_signed(chrono::Duration::days(days))?,
        }
    };
    (MIN_YEAR..=MAX_YEAR).contains(&date.year()).then_some(date)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn accepts_the_four_formats_and_ignores_a_time() {
        let want = d(2024, 3, 7);
        for (s, f) in [
            ("07-03-2024", DateFormat::DmyDash),
            ("7-3-2024", DateFormat::DmyDash),
            ("07.03.2024", DateFormat::DmyDot),
            ("07/03/2024", DateFormat::DmySlash),
            ("2024-03-07", DateFormat::Iso),
            ("2024-3-7", DateFormat::Iso),
            (" 07-03-2024 ", DateFormat::DmyDash),
            ("07-03-2024 13:45", DateFormat::DmyDash),
            ("07-03-2024 13:45:10", DateFormat::DmyDash),
            ("07.03.2024 13.45", DateFormat::DmyDot),
            ("2024-03-07T13:45:10", DateFormat::Iso),
            ("2024-03-07T13:45:10.123Z", DateFormat::Iso),
            ("2024-03-07 00:00:00", DateFormat::Iso),
        ] {
            assert_eq!(parse_date(s), Ok((want, f)), "{s}");
        }
    }

    #[test]
    fn impossible_and_unrecognised_dates() {
        for s in [
            "31-02-2024",
            "29-02-2023",
            "00-01-2024",
            "01-13-2024",
            "01-01-1899",
            "01-01-2101",
            "2024-02-30",
        ] {
            assert_eq!(parse_date(s), Err(DateError::Impossible), "{s}");
        }
        for s in [
            "",
            "2024",
            "31-12-24",
            "31 12 2024",
            "31-12/2024",
            "2024/12/31",
            "2024.12.31",
            "31-12-2024 kl",
            "31-12-2024 13:xx",
            "i går",
            "31-12-2024-1",
            "+1-2-2024",
            "1٣-02-2024",
            "31-12-20245",
        ] {
            assert_eq!(parse_date(s), Err(DateError::Unrecognised), "{s:?}");
        }
    }

    #[test]
    fn excel_serials() {
        assert_eq!(excel_serial_to_date(1.0, false), Some(d(1900, 1, 1)));
        assert_eq!(excel_serial_to_date(59.0, false), Some(d(1900, 2, 28)));
        assert_eq!(excel_serial_to_date(60.0, false), None);
        assert_eq!(excel_serial_to_date(61.0, false), Some(d(1900, 3, 1)));
        assert_eq!(excel_serial_to_date(45292.0, false), Some(d(2024, 1, 1)));
        assert_eq!(excel_serial_to_date(45292.75, false), Some(d(2024, 1, 1)));
        assert_eq!(excel_serial_to_date(0.0, true), Some(d(1904, 1, 1)));
        assert_eq!(excel_serial_to_date(43830.0, true), Some(d(2024, 1, 1)));
        for bad in [f64::NAN, f64::INFINITY, -1.0, 0.0, 1e300, 2_958_466.0] {
            assert_eq!(excel_serial_to_date(bad, false), None, "{bad}");
        }
    }

    proptest! {
        /// Whatever day and format: formatting then parsing gives the day and the format back,
        /// with or without a time part.
        #[test]
        fn format_parse_round_trip(
            days in 0i64..73_000,
            fi in 0usize..4,
            time in prop::option::of((0u32..24, 0u32..60, 0u32..60)),
        ) {
            let date = d(1900, 1, 1) + chrono::Duration::days(days);
            prop_assume!(date.year() <= MAX_YEAR);
            let f = DateFormat::ALL[fi];
            let mut s = f.format(date);
            if let Some((h, m, sec)) = time {
                s.push_str(&format!(" {h:02}:{m:02}:{sec:02}"));
            }
            prop_assert_eq!(parse_date(&s), Ok((date, f)));
        }

        /// Excel's serial numbers from 61 on are days since 1899-12-30.
        #[test]
        fn serial_round_trip(days in 61i64..73_000) {
            let date = d(1899, 12, 30) + chrono::Duration::days(days);
            prop_assume!(date.year() <= MAX_YEAR);
            prop_assert_eq!(excel_serial_to_date(days as f64 + 0.5, false), Some(date));
        }

        /// Arbitrary text never panics the parser.
        #[test]
        fn arbitrary_text_does_not_panic(s in ".{0,40}") {
            let _ = parse_date(&s);
        }
    }
}
