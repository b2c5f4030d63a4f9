//! Writes a SARIF file with N results (default 100,000) and reads it with the
//! findings reader, printing the count and the read time. Measure peak memory with
//!   cargo build --release --example findings_sarif_100k
//!   /usr/bin/time -v target/release/examples/findings_sarif_100k [N] [PATH]

use std::io::Write;
use std::time::Instant;

use chrono::Utc;
use flightdeck::sources::findings::{MAX_BYTES, read_file, sarif_test_document};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let path = args
        .next()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join(format!("flightdeck-sarif-{n}.json")));
    let doc = sarif_test_document(n);
    std::fs::File::create(&path)?.write_all(doc.as_bytes())?;
    let bytes = doc.len();
    drop(doc);
    let start = Instant::now();
    match read_file(&path, None, MAX_BYTES, Utc::now()) {
        Ok(found) => {
            let took = start.elapsed();
            println!(
                "{} findings from {} ({bytes} bytes) in {:.3} s",
                found.len(),
                path.display(),
                took.as_secs_f64()
            );
        }
        Err(e) => eprintln!("{e}"),
    }
    std::fs::remove_file(&path)
}
