//! Synthetic case extracts for load tests and benchmarks (`tilsyn bench import`, the
//! `gen_extract` example). The data is made up and deterministic: the same row count gives the
//! same bytes on every machine. Person keys are CPR-shaped with valid dates (birth years
//! 2005–2021), so the extract must be read with a person-key secret. One million rows make
//! about 100 MB.

use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};

/// The header line of every synthetic extract (without the line break). Every column is found
/// by [`crate::suggest_mapping`].
pub const HEADER: &str = "Sagsnr;CPR-nr;Rådgiver;Team;Område;Paragraf;Startdato;Slutdato;Afgørelsesdato;Underretning modtaget;Anbringelsessted;Bemærkning";

/// A small deterministic generator (no dependency needed for made-up data).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

const TEAMS: [&str; 6] = [
    "Team Nord",
    "Team Syd",
    "Team Øst",
    "Team Vest",
    "Handicapteamet",
    "Ungeteamet",
];
const TYPES: [&str; 8] = [
    "§ 30", "§ 32", "§ 46", "§ 47", "§ 52", "§ 86", "§ 87", "§ 114",
];
const PLACES: [&str; 4] = ["Plejefamilie", "Døgninstitution", "Eget værelse", ""];
const CASEWORKERS: [&str; 8] = ["AB", "CD", "EF", "GH", "IJ", "KL", "MN", "ØÅ"];

/// (day, month, year) of a day count from 2000. Good enough for test data: 28-day months of a
/// 336-day year keep every date valid.
fn date(days_since_2000: u64) -> (u64, u64, u64) {
    let y = 2000 + days_since_2000 / 336;
    let rest = days_since_2000 % 336;
    (rest % 28 + 1, rest / 28 + 1, y)
}

/// Writes a header and `rows` data rows: `;`-separated, CRLF line ends, UTF-8 (no byte order
/// mark) or, with `cp1252`, windows-1252. Output is buffered here; `w` need not be.
pub fn write_extract(w: impl Write, rows: u64, cp1252: bool) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, w);
    let mut put = |s: &str| -> io::Result<()> {
        if cp1252 {
            // Every character used is in Latin-1, where windows-1252 agrees with Unicode.
            let bytes: Vec<u8> = s
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect();
            out.write_all(&bytes)
        } else {
            out.write_all(s.as_bytes())
        }
    };
    put(HEADER)?;
    put("\r\n")?;
    let mut rng = Lcg(42);
    let mut line = String::with_capacity(256);
    for i in 0..rows {
        line.clear();
        let born = 5 * 336 + rng.next(17 * 336); // 2005–2021
        let (bd, bm, by) = date(born);
        let start = 24 * 336 + rng.next(336); // 2024
        let (sd, sm, sy) = date(start);
        let (dd, dm, dy) = date(start - rng.next(20));
        let (ud, um, uy) = date(start - 20 - rng.next(100));
        let ty = TYPES[rng.next(TYPES.len() as u64) as usize];
        let area = if ty == "§ 86" || ty == "§ 87" {
            "Handicap"
        } else {
            "Udsatte børn"
        };
        // The CPR number's seventh digit for a birth year from 2000 on.
        let seventh = if by >= 2000 { 4 } else { 0 };
        // Writing to a String cannot fail. The arguments are evaluated in order, which fixes
        // the order of the generator's draws (and so the bytes).
        let _ = write!(
            line,
            "S-{i:07};{bd:02}{bm:02}{yy:02}-{seventh}{rest:03};{cw};{team};{area};{ty};{sd:02}-{sm:02}-{sy};",
            yy = by % 100,
            rest = rng.next(1000),
            cw = CASEWORKERS[rng.next(CASEWORKERS.len() as u64) as usize],
            team = TEAMS[rng.next(TEAMS.len() as u64) as usize],
        );
        if rng.next(3) == 0 {
            let (ed, em, ey) = date(start + 30 + rng.next(300));
            let _ = write!(line, "{ed:02}-{em:02}-{ey}");
        }
        let _ = write!(
            line,
            ";{dd:02}-{dm:02}-{dy};{ud:02}-{um:02}-{uy};{place};ok\r\n",
            place = PLACES[rng.next(PLACES.len() as u64) as usize],
        );
        put(&line)?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, Settings, Source, TextEncoding, suggest_mapping};
    use tilsyn_domain::cases::CaseTypeCatalog;

    fn extract(rows: u64, cp1252: bool) -> Vec<u8> {
        let mut v = Vec::new();
        write_extract(&mut v, rows, cp1252).expect("writing to a Vec");
        v
    }

    #[test]
    fn header_and_row_count() {
        let v = extract(1000, false);
        let text = String::from_utf8(v).expect("UTF-8");
        let lines: Vec<&str> = text.split_terminator("\r\n").collect();
        assert_eq!(lines.len(), 1001);
        assert_eq!(lines[0], HEADER);
        assert!(lines[1].starts_with("S-0000000;"), "{}", lines[1]);
        assert!(lines[1000].starts_with("S-0000999;"), "{}", lines[1000]);
        assert!(lines.iter().all(|l| l.split(';').count() == 12));
        assert!(text.ends_with("\r\n"));
        assert_eq!(extract(0, false), format!("{HEADER}\r\n").into_bytes());
    }

    #[test]
    fn deterministic_and_a_prefix_of_longer_runs() {
        let a = extract(500, false);
        assert_eq!(a, extract(500, false));
        let longer = extract(600, false);
        assert!(longer.starts_with(&a));
        // The known first row pins the generator: a change here changes every benchmark.
        let first = String::from_utf8(a).expect("UTF-8");
        let row = first.split("\r\n").nth(1).expect("a row");
        assert_eq!(
            row,
            "S-0000000;230120-4156;CD;Team Nord;Handicap;§ 87;03-01-2024;;13-12-2023;08-12-2023;Døgninstitution;ok"
        );
    }

    #[test]
    fn cp1252_is_the_same_text_one_byte_a_character() {
        let utf8 = String::from_utf8(extract(300, false)).expect("UTF-8");
        let single = extract(300, true);
        assert_eq!(single.len(), utf8.chars().count());
        let (decoded, _, bad) = encoding_rs::WINDOWS_1252.decode(&single);
        assert!(!bad);
        assert_eq!(decoded, utf8);
    }

    /// The extract reads without a single line error, in both encodings (the benchmark
    /// imports it and would fail otherwise).
    #[test]
    fn reads_cleanly() {
        for cp1252 in [false, true] {
            let source = Source::open_csv(
                std::io::Cursor::new(extract(2000, cp1252)),
                &Options::default(),
            )
            .expect("open");
            let expected = if cp1252 {
                TextEncoding::Windows1252
            } else {
                TextEncoding::Utf8
            };
            assert_eq!(source.info().encoding, Some(expected));
            let suggestion = suggest_mapping(source.headers());
            assert!(suggestion.missing_mandatory.is_empty(), "{suggestion:?}");
            let catalog = CaseTypeCatalog::standard();
            let today = chrono::NaiveDate::from_ymd_opt(2025, 1, 31).expect("date");
            let settings = Settings::new(
                &suggestion.mapping,
                &catalog,
                b"synthetic-extract-test-secret",
                today,
            );
            let mut n = 0u64;
            let report = source
                .read(&settings, |_| {
                    n += 1;
                    Ok::<(), std::convert::Infallible>(())
                })
                .expect("read");
            assert_eq!(report.error_count, 0, "{:?}", report.errors);
            assert_eq!((report.rows, report.accepted, n), (2000, 2000, 2000));
        }
    }
}
