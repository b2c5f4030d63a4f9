//! Event files are parsed on every core: blocks cut at line ends, parsed by
//! worker threads, handed on in file order. The result must be exactly what the
//! sequential reader gives: the same events in the same order, and the same
//! diagnostics with line numbers counted from the start of the file.

use flightdeck::sources::events::{parse_block, read};
use flightdeck::sources::events_parallel::read_parallel;

/// About 10 MB of lines (several blocks), with malformed and blank lines, a
/// line of an unknown type and no newline after the last line.
fn lines(n: usize) -> String {
    let mut text = String::new();
    for i in 0..n {
        if i % 997 == 5 {
            text.push_str("not json\n");
        } else if i % 1013 == 7 {
            text.push('\n');
        } else if i % 1999 == 9 {
            text.push_str("{\"type\":\"weather\"}\n");
        } else {
            text.push_str(&format!(
                "{{\"type\":\"change\",\"id\":\"c{i}\",\"service\":\"s{}\",\"time\":\"2024-01-01T00:00:00Z\",\"title\":\"{}\"}}\n",
                i % 7,
                "x".repeat(i % 500)
            ));
        }
    }
    text.push_str(
        "{\"type\":\"change\",\"id\":\"last\",\"service\":\"a\",\"time\":\"2024-01-01T00:00:00Z\"}",
    );
    text
}

#[test]
fn gives_what_the_sequential_reader_gives_in_the_same_order() {
    let text = lines(40_000);
    let mut one = Vec::new();
    let d1 = read(text.as_bytes(), "f", |e| one.push(e)).expect("reading memory");
    assert!(!d1.malformed.is_empty());
    assert!(d1.skipped_types > 0);
    for workers in [1, 2, 3] {
        let mut many = Vec::new();
        let d2 = read_parallel(text.as_bytes(), "f", workers, parse_block, |e| many.push(e))
            .expect("reading memory");
        assert_eq!(d1, d2, "{workers} workers");
        assert!(one == many, "events differ with {workers} workers");
    }
}

#[test]
fn a_line_across_blocks_an_over_long_line_and_an_empty_input() {
    let change = |title: &str| {
        format!(
            "{{\"type\":\"change\",\"id\":\"c1\",\"service\":\"s\",\"time\":\"2024-01-01T00:00:00Z\",\"title\":\"{title}\"}}\n"
        )
    };
    // Two lines under the 1 MiB limit whose second crosses the first block's end,
    // then a line over it (malformed, skipped), then a bad line.
    let text = change(&"x".repeat(600 << 10))
        + &change(&"y".repeat(1000 << 10))
        + &change(&"z".repeat(3 << 20))
        + "not json\n";
    let mut events = Vec::new();
    let d = read_parallel(text.as_bytes(), "f", 2, parse_block, |e| events.push(e))
        .expect("reading memory");
    assert_eq!(events.len(), 2);
    assert_eq!(d.lines, 4);
    let lines: Vec<u64> = d.malformed.iter().map(|m| m.line).collect();
    assert_eq!(lines, [3, 4]);
    assert!(d.malformed[0].error.contains("longer than the 1 MiB limit"));
    let d = read_parallel(&b""[..], "f", 2, parse_block, |_| {}).expect("reading memory");
    assert_eq!(d.lines, 0);
}
