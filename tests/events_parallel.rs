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
fn a_line_longer_than_a_block_and_an_empty_input() {
    let long = format!(
        "{{\"type\":\"change\",\"id\":\"c1\",\"service\":\"s\",\"time\":\"2024-01-01T00:00:00Z\",\"title\":\"{}\"}}\nnot json\n",
        "y".repeat(3 << 20)
    );
    let mut events = Vec::new();
    let d = read_parallel(long.as_bytes(), "f", 2, parse_block, |e| events.push(e))
        .expect("reading memory");
    assert_eq!(events.len(), 1);
    assert_eq!(d.lines, 2);
    assert_eq!(d.malformed.len(), 1);
    assert_eq!(d.malformed[0].line, 2);
    let d = read_parallel(&b""[..], "f", 2, parse_block, |_| {}).expect("reading memory");
    assert_eq!(d.lines, 0);
}
