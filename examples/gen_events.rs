//! Writes a synthetic organisation (the generator of benches/metrics.rs) as NDJSON,
//! event schema v1, for measuring `flightdeck report` end to end:
//!
//! ```text
//! cargo run --release --example gen_events -- [COUNT] [PATH] [large|bench]
//! ```
//!
//! COUNT defaults to 1,000,000 and PATH to /tmp/fd-1m.ndjson. The profile defaults to
//! `large`: the mix `../shared/bench/README.md` asks for (240 teams, 560 days, about
//! 53% deployment lines, 46% change lines, 1% incident lines) with three malformed
//! lines added at fixed places, so the file has COUNT + 3 lines. `bench` writes
//! exactly the events the criterion benchmark measures (200 teams, 90 days, findings
//! included) and nothing malformed. The same arguments always write the same file;
//! the end of the history is printed, for `--now`.

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

/// Lines that are not valid events, each written before the event at its position
/// (a fraction of COUNT): broken JSON, a null time, a missing field (each one the DuckDB peer
/// skips too: it stops at a time that is not RFC 3339).
const MALFORMED: [(f64, &str); 3] = [
    (
        0.25,
        r#"{"type":"deployment","id":"broken","service":"svc-000-0","#,
    ),
    (
        0.5,
        r#"{"type":"change","id":"bad-time","service":"svc-001-0","time":null}"#,
    ),
    (
        0.75,
        r#"{"type":"incident","id":"no-service","opened":"2024-06-01T00:00:00Z"}"#,
    ),
];

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
    let (profile, malformed): (&synth::Profile, &[(f64, &str)]) = match args.next().as_deref() {
        None | Some("large") => (&synth::LARGE_ORG, &MALFORMED),
        Some("bench") => (&synth::BENCH, &[]),
        Some(other) => {
            eprintln!("unknown profile {other:?}: use `large` or `bench`");
            return ExitCode::FAILURE;
        }
    };
    let events = synth::generate_with(count, synth::SEED, profile);
    let bad_at: Vec<(usize, &str)> = malformed
        .iter()
        .map(|&(at, line)| ((count as f64 * at) as usize, line))
        .collect();
    let written = File::create(&path).and_then(|f| {
        let mut out = BufWriter::with_capacity(1 << 20, f);
        for (n, e) in events.iter().enumerate() {
            for (_, line) in bad_at.iter().filter(|(at, _)| *at == n) {
                out.write_all(line.as_bytes())?;
                out.write_all(b"\n")?;
            }
            out.write_all(to_line(e).as_bytes())?;
            out.write_all(b"\n")?;
        }
        out.flush()
    });
    if let Err(e) = written {
        eprintln!("cannot write {path}: {e}");
        return ExitCode::FAILURE;
    }
    let end = synth::end_of(profile);
    eprintln!(
        "wrote {count} events and {} malformed lines to {path}; history ends at {} (use --now {})",
        bad_at.len(),
        end.to_rfc3339(),
        end.format("%Y-%m-%dT%H:%M:%SZ"),
    );
    ExitCode::SUCCESS
}
