//! Writes a synthetic case extract for load tests: `gen_extract PATH [ROWS] [--cp1252]`.
//! One million rows make about 100 MB. The data is made up (deterministic), including
//! CPR-shaped person keys with valid dates; see [`tilsyn_intake::synthetic`].

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
    tilsyn_intake::synthetic::write_extract(std::fs::File::create(path)?, rows, cp1252)
}
