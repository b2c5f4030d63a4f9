//! Reading an events file, one thread's share (issue 11): 100,000 lines of the
//! `LARGE_ORG` profile, the lines `examples/gen_events.rs` writes, parsed as
//! the parallel reader parses each block: into events, and into events made
//! ready for the records keeping only what the numbers read (`report`).

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use flightdeck::sources::events::{parse_block, prepare_block_numbers, to_line};

#[allow(dead_code)]
#[path = "metrics.rs"]
mod metrics;

use metrics::synth;

const LINES: usize = 100_000;

fn parse(c: &mut Criterion) {
    let events = synth::generate_with(LINES, synth::SEED, &synth::LARGE_ORG);
    let mut text = String::new();
    for e in &events {
        text.push_str(&to_line(e));
        text.push('\n');
    }
    let bytes = text.as_bytes();
    let mut group = c.benchmark_group("parse");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(LINES as u64));
    group.bench_function("100k lines into events", |b| {
        b.iter(|| black_box(parse_block(bytes, "bench")));
    });
    group.bench_function("100k lines prepared for the numbers", |b| {
        b.iter(|| black_box(prepare_block_numbers(bytes, "bench")));
    });
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
