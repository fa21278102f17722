//! Writes a synthetic case extract for load tests: `gen_extract PATH [ROWS] [--cp1252]`.
//! One million rows make about 100 MB. The data is made up (deterministic), including
//! CPR-shaped person keys with valid dates.

use std::io::{BufWriter, Write};

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

fn date(days_since_2000: u64) -> (u64, u64, u64) {
    // Good enough for test data: 28-day months keep every date valid.
    let y = 2000 + days_since_2000 / 336;
    let rest = days_since_2000 % 336;
    (rest % 28 + 1, rest / 28 + 1, y)
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: gen_extract PATH [ROWS] [--cp1252]");
        std::process::exit(2);
    };
    let rows: u64 = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let cp1252 = args.iter().any(|a| a == "--cp1252");
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut rng = Lcg(42);
    let mut line = String::with_capacity(256);
    let write = |out: &mut BufWriter<std::fs::File>, s: &str| -> std::io::Result<()> {
        if cp1252 {
            let bytes: Vec<u8> = s
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect();
            out.write_all(&bytes)
        } else {
            out.write_all(s.as_bytes())
        }
    };
    write(
        &mut out,
        "Sagsnr;CPR-nr;Rådgiver;Team;Område;Paragraf;Startdato;Slutdato;Afgørelsesdato;Underretning modtaget;Anbringelsessted;Bemærkning\r\n",
    )?;
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
        let seventh = if by >= 2000 { 4 } else { 0 };
        use std::fmt::Write as _;
        let _ = write!(
            line,
            "S-{i:07};{bd:02}{bm:02}{yy:02}-{seventh}{rest:03};{cw};{team};{area};{ty};{sd:02}-{sm:02}-{sy};",
            yy = by % 100,
            rest = rng.next(1000),
            cw = ["AB", "CD", "EF", "GH", "IJ", "KL", "MN", "ØÅ"][rng.next(8) as usize],
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
        write(&mut out, &line)?;
    }
    out.flush()
}
