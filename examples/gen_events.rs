//! Writes the benchmark's synthetic organisation (benches/metrics.rs) as NDJSON,
//! event schema v1, for measuring `flightdeck report` end to end:
//!
//! ```text
//! cargo run --release --example gen_events -- [COUNT] [PATH]
//! ```
//!
//! COUNT defaults to 1,000,000 and PATH to /tmp/fd-1m.ndjson. The events are exactly
//! the ones the benchmark measures; the end of their history is printed, for `--now`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

use flightdeck::sources::events::to_line;

// The generator lives in the benchmark so both use the same events; its criterion
// entry points are unused here.
#[allow(dead_code)]
#[path = "../benches/metrics.rs"]
mod bench;

use bench::synth;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let count = match args.next().map(|a| a.replace('_', "").parse::<usize>()) {
        None => synth::EVENTS,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("COUNT must be a whole number: {e}");
            return ExitCode::FAILURE;
        }
    };
    let path = args.next().unwrap_or_else(|| "/tmp/fd-1m.ndjson".into());
    let events = synth::generate(count, synth::SEED);
    let written = File::create(&path).and_then(|f| {
        let mut out = BufWriter::with_capacity(1 << 20, f);
        for e in &events {
            out.write_all(to_line(e).as_bytes())?;
            out.write_all(b"\n")?;
        }
        out.flush()
    });
    if let Err(e) = written {
        eprintln!("cannot write {path}: {e}");
        return ExitCode::FAILURE;
    }
    eprintln!(
        "wrote {count} events to {path}; history ends at {} (use --now {})",
        synth::end().to_rfc3339(),
        synth::end().format("%Y-%m-%dT%H:%M:%SZ"),
    );
    ExitCode::SUCCESS
}
