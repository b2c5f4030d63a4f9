//! Tests of `events.rs`: reading schema v1 lines.

use super::{parse_str, to_line};
use crate::model::Event;
use crate::model::prepared::Prepared;

#[test]
fn reads_every_type_and_normalises_offsets_to_utc() {
    let text = r#"{"type":"change","id":"c1","service":"api","time":"2024-03-01T12:00:00+02:00"}
{"type":"deployment","id":"d1","service":"api","time":"2024-03-01T12:00:00Z","status":"success","changes":["c1"],"extra":{"x":1}}
{"type":"incident","id":"i1","service":"api","opened":"2024-03-01T13:00:00-01:00"}
{"type":"finding","id":"f1","severity":"high","status":"open","opened":"2024-03-01T00:00:00Z","frameworks":["PCI"]}
{"type":"canary","deployment":"d1","region":"us-east-1","time":"2024-03-01T12:05:00Z","verdict":"pass","score":97.5}
"#;
    let (events, d) = parse_str(text);
    assert_eq!(d.lines, 5);
    assert!(d.malformed.is_empty(), "{:?}", d.malformed);
    assert_eq!(events.len(), 5);
    match &events[0] {
        Event::Change(c) => assert_eq!(c.time.to_rfc3339(), "2024-03-01T10:00:00+00:00"),
        other => panic!("expected a change, got {other:?}"),
    }
    match &events[2] {
        Event::Incident(i) => assert_eq!(i.opened.to_rfc3339(), "2024-03-01T14:00:00+00:00"),
        other => panic!("expected an incident, got {other:?}"),
    }
}

#[test]
fn bad_lines_are_reported_with_numbers_and_the_rest_is_read() {
    let text = "{\"type\":\"change\",\"id\":\"c1\",\"service\":\"a\",\"time\":\"2024-01-01T00:00:00Z\"}\n\
                not json\n\
                \n\
                {\"type\":\"weather\",\"id\":1}\n\
                {\"type\":\"deployment\",\"id\":\"d\",\"service\":\"a\",\"time\":\"2024-01-01T00:00:00Z\",\"status\":\"exploded\"}\n\
                {\"type\":\"change\",\"id\":5,\"service\":\"a\",\"time\":\"2024-01-01T00:00:00Z\"}\n\
                {\"type\":\"change\",\"id\":\"c2\",\"service\":\"a\",\"time\":\"yesterday\"}\n\
                [1,2]\n\
                {\"id\":\"no-type\"}\n\
                {\"type\":\"change\",\"id\":\"c3\",\"service\":\"a\",\"time\":\"2024-01-02T00:00:00Z\"}";
    let (events, d) = parse_str(text);
    assert_eq!(events.len(), 2);
    assert_eq!(d.lines, 10);
    assert_eq!(d.skipped_types, 1);
    let lines: Vec<u64> = d.malformed.iter().map(|m| m.line).collect();
    assert_eq!(lines, vec![2, 5, 6, 7, 8, 9]);
    assert!(
        d.malformed[1].error.contains("exploded"),
        "{}",
        d.malformed[1].error
    );
    assert!(
        d.malformed[5].error.contains("type"),
        "{}",
        d.malformed[5].error
    );
}

#[test]
fn control_characters_are_stripped_from_text() {
    let text = r#"{"type":"incident","id":"i1","service":"api","opened":"2024-03-01T13:00:00Z","title":"boom\u001b[2J\u0007 now"}"#;
    let (events, _) = parse_str(text);
    match &events[0] {
        Event::Incident(i) => assert_eq!(i.title.as_deref(), Some("boom now")),
        other => panic!("expected an incident, got {other:?}"),
    }
}

#[test]
fn lines_round_trip() {
    let text = r#"{"type":"deployment","id":"d1","service":"api","time":"2024-03-01T12:00:00Z","status":"rolled_back","team":"core","region":"eu-west-1","changes":["a","b"],"hotfix":true}"#;
    let (events, _) = parse_str(text);
    let again = to_line(&events[0]);
    let (events2, _) = parse_str(&again);
    assert_eq!(events, events2);
}

/// Every type with every field the schema has, as `to_line` writes it.
const EVERY_FIELD: &str = r#"{"type":"change","id":"c1","service":"api","time":"2024-03-01T12:00:00.250+02:00","team":"core","title":"Fix \"quotes\", é","author":"ana","url":"https://x/c1"}
{"type":"change","id":"c2","service":"api","time":"2024-03-01T12:00:00Z"}
{"type":"deployment","id":"d1","service":"api","time":"2024-03-01T12:00:00Z","status":"in_progress","team":"core","environment":"staging","region":"eu-west-1","stage":"canary","changes":["c1","c2"],"hotfix":true,"url":"https://x/d1"}
{"type":"deployment","id":"d2","service":"api","time":"2024-03-01T12:00:00Z","status":"success"}
{"type":"incident","id":"i1","service":"api","opened":"2024-03-01T13:00:00Z","team":"core","resolved":"2024-03-01T14:00:00Z","deployment":"d1","severity":"sev1","title":"down","url":"https://x/i1"}
{"type":"incident","id":"i2","service":"api","opened":"2024-03-01T13:00:00Z"}
{"type":"finding","id":"f1","severity":"critical","status":"suppressed","opened":"2024-03-01T00:00:00Z","team":"sec","account":"123","service":"api","resolved":"2024-03-02T00:00:00Z","title":"open bucket","rule":"S3.1","frameworks":["PCI","SOC2"],"tool":"trivy","url":"https://x/f1"}
{"type":"finding","id":"f2","severity":"info","status":"open","opened":"2024-03-01T00:00:00Z"}
{"type":"canary","deployment":"d1","region":"us-east-1","time":"2024-03-01T12:05:00Z","verdict":"marginal","error_rate":0.012,"baseline_error_rate":0.01,"p99_ms":250.5,"baseline_p99_ms":200,"score":97.5}
{"type":"canary","deployment":"d2","region":"us-east-1","time":"2024-03-01T12:05:00Z"}
"#;

const RECORDED: &str = r#"{"author":"ana","id":"c1","service":"api","team":"core","time":"2024-03-01T10:00:00.250Z","title":"Fix \"quotes\", é","type":"change","url":"https://x/c1"}
{"id":"c2","service":"api","time":"2024-03-01T12:00:00Z","type":"change"}
{"changes":["c1","c2"],"environment":"staging","hotfix":true,"id":"d1","region":"eu-west-1","service":"api","stage":"canary","status":"in_progress","team":"core","time":"2024-03-01T12:00:00Z","type":"deployment","url":"https://x/d1"}
{"id":"d2","service":"api","status":"success","time":"2024-03-01T12:00:00Z","type":"deployment"}
{"deployment":"d1","id":"i1","opened":"2024-03-01T13:00:00Z","resolved":"2024-03-01T14:00:00Z","service":"api","severity":"sev1","team":"core","title":"down","type":"incident","url":"https://x/i1"}
{"id":"i2","opened":"2024-03-01T13:00:00Z","service":"api","type":"incident"}
{"account":"123","frameworks":["PCI","SOC2"],"id":"f1","opened":"2024-03-01T00:00:00Z","resolved":"2024-03-02T00:00:00Z","rule":"S3.1","service":"api","severity":"critical","status":"suppressed","team":"sec","title":"open bucket","tool":"trivy","type":"finding","url":"https://x/f1"}
{"id":"f2","opened":"2024-03-01T00:00:00Z","severity":"info","status":"open","type":"finding"}
{"baseline_error_rate":0.01,"baseline_p99_ms":200.0,"deployment":"d1","error_rate":0.012,"p99_ms":250.5,"region":"us-east-1","score":97.5,"time":"2024-03-01T12:05:00Z","type":"canary","verdict":"marginal"}
{"deployment":"d2","region":"us-east-1","time":"2024-03-01T12:05:00Z","type":"canary"}
"#;

#[test]
fn to_line_writes_the_recorded_format() {
    let (events, d) = parse_str(EVERY_FIELD);
    assert!(d.malformed.is_empty(), "{:?}", d.malformed);
    assert_eq!(events.len(), 10);
    let lines: Vec<String> = events.iter().map(to_line).collect();
    // Byte for byte what the hand-written writer produced (keys sorted).
    let expected: Vec<&str> = RECORDED.lines().collect();
    assert_eq!(lines, expected);
    let (back, _) = parse_str(&lines.join("\n"));
    assert_eq!(back, events);
}

#[test]
fn an_incident_resolved_before_it_opened_is_malformed() {
    let text = r#"{"type":"incident","id":"i1","service":"a","opened":"2024-01-02T10:00:00Z","resolved":"2024-01-01T10:00:00Z"}
{"type":"incident","id":"i2","service":"a","opened":"2024-01-02T10:00:00Z","resolved":"2024-01-02T10:00:00Z"}"#;
    let (events, d) = parse_str(text);
    assert_eq!(events.len(), 1, "resolved at the moment it opened is fine");
    assert_eq!(d.malformed[0].line, 1);
    assert_eq!(
        d.malformed[0].error,
        "incident i1: `resolved` (2024-01-01T10:00:00Z) is before `opened` (2024-01-02T10:00:00Z)"
    );
}

/// What serde alone makes of a change, deployment or incident line.
fn serde_way(line: &str) -> Option<Event> {
    use super::{RawChange, RawDeployment, RawIncident};
    let b = line.as_bytes();
    let v: serde_json::Value = serde_json::from_slice(b).ok()?;
    Some(match v.get("type")?.as_str()? {
        "change" => Event::Change(
            serde_json::from_slice::<RawChange>(b)
                .ok()?
                .into_model()
                .ok()?,
        ),
        "deployment" => Event::Deployment(
            serde_json::from_slice::<RawDeployment>(b)
                .ok()?
                .into_model()
                .ok()?,
        ),
        "incident" => Event::Incident(
            serde_json::from_slice::<RawIncident>(b)
                .ok()?
                .into_model()
                .ok()?,
        ),
        _ => return None,
    })
}

/// Lines the fast path reads (the first nine) and lines it must leave to serde.
const TRICKY: &[&str] = &[
    r#"{"type":"change","id":"c1","service":"api",@TIME@,"lines":12,"team":null,"title":"x","author":"me","reverts":"c0","opened":"2024-03-01T11:00:00Z","merged":null,"first_review":"2024-03-01T11:30:00Z","url":"u"}"#,
    r#"{"type":"change","id":"c1","service":"api",@TIME@,"lines":0}"#,
    r#"{"type":"change","id":"c1","service":"api",@TIME@,"lines":null,"reverts":"c1"}"#,
    r#"{"type":"change","id":"c1","service":"api",@TIME@,"extra":"e","extra":[]}"#,
    "{\"type\":\"change\",\"id\":\"c1\",\"service\":\"a\u{202e}b\",@TIME@}",
    r#"{"type":"deployment","id":"d1","service":"api",@TIME@,"status":"success","changes":["c1","c2","c1"],"hotfix":true,"environment":"staging","region":"r","stage":"s","url":null,"team":"t"}"#,
    r#"{"type":"deployment","id":"d1","service":"api",@TIME@,"status":"rolled_back","changes":null,"hotfix":null}"#,
    r#" { "type" : "deployment", "id":"d1","service":"api",@TIME@,"status":"pending","changes":[ ] } "#,
    r#"{"type":"incident","id":"i1","service":"api","opened":"2024-03-01T12:00:00Z","resolved":"2024-03-01T13:00:00Z","deployment":"d1","severity":"sev1","title":"t","url":"u","team":"x"}"#,
    r#"{"type":"change","id":"c1","service":"api",@TIME@,"lines":1.0}"#,
    r#"{"type":"change","id":"c1","service":"api",@TIME@,"lines":"3"}"#,
    r#"{"type":"change","id":"c1","service":"api",@TIME@,"id":"c2"}"#,
    r#"{"type":"change","id":"c1","service":"a\u0001",@TIME@}"#,
    r#"{"type":"change","id":"c1",@TIME@}"#,
    r#"{"type":"change","id":7,"service":"api",@TIME@}"#,
    r#"{"type":"deployment","id":"d1","service":"api",@TIME@,"status":"done"}"#,
    r#"{"type":"deployment","id":"d1","service":"api",@TIME@,"status":"pending","hotfix":"yes"}"#,
    r#"{"type":"deployment","id":"d1","service":"api","time":"yesterday","status":"pending"}"#,
    r#"{"type":"incident","id":"i1","service":"api","opened":"2024-03-01T12:00:00Z","resolved":"2024-03-01T11:00:00Z"}"#,
    r#"{"type":"incident","type":"incident","id":"i1","service":"api","opened":"2024-03-01T12:00:00Z"}"#,
];

/// The fast path reads a line exactly as serde does, or leaves it to serde.
#[test]
fn the_fast_path_reads_what_serde_reads_and_leaves_the_rest_to_it() {
    use super::{Members, scan, scanned};
    let scan = |line: &str| {
        let mut m = Members::default();
        scan(line.as_bytes(), &mut m).and_then(|()| scanned(&m))
    };
    for (n, line) in TRICKY.iter().enumerate() {
        let line = line.replace("@TIME@", r#""time":"2024-03-01T12:00:00.5+02:00""#);
        let via_scan = scan(&line);
        assert_eq!(via_scan.is_some(), n < 9, "{line}");
        if let Some(e) = &via_scan {
            assert_eq!(Some(e), serde_way(&line).as_ref(), "{line}");
        }
        // Whichever path reads it, the reader gives what serde gives.
        let (events, _) = parse_str(&line);
        assert_eq!(events.first(), serde_way(&line).as_ref(), "{line}");
    }
    // Other types are left to the general path.
    let finding = r#"{"type":"finding","id":"f1","severity":"high","status":"open","opened":"2024-03-01T00:00:00Z"}"#;
    let mut m = Members::default();
    assert!(super::scan(finding.as_bytes(), &mut m).is_some() && scanned(&m).is_none());
    assert_eq!(parse_str(finding).0.len(), 1);
}

#[test]
fn reading_for_the_numbers_drops_change_titles_and_urls_and_keeps_the_rest() {
    let text = r#"{"type":"change","id":"c1","service":"api","team":"core","author":"ann","time":"2024-03-01T12:00:00Z","title":"Fix it","url":"https://x/c1","opened":"2024-03-01T10:00:00Z","lines":7,"reverts":"c0"}
{"type":"deployment","id":"d1","service":"api","time":"2024-03-01T13:00:00Z","status":"success","changes":["c1"],"region":"eu","url":"https://x/d1","hotfix":true}
{"type":"incident","id":"i1","service":"api","opened":"2024-03-01T14:00:00Z","title":"Down"}
"#;
    let (all, d_all) = super::parse_block(text.as_bytes(), "f");
    let (numbers, d_numbers) = super::prepare_block_numbers(text.as_bytes(), "f");
    assert_eq!(d_all.lines, d_numbers.lines);
    assert_eq!(numbers.len(), 3);
    let (Event::Change(a), Prepared::Change(n)) = (&all[0], &numbers[0]) else {
        panic!("expected changes: {numbers:?}");
    };
    assert_eq!(
        (a.title.as_deref(), a.url.as_deref()),
        (Some("Fix it"), Some("https://x/c1"))
    );
    assert_eq!((n.title.as_deref(), n.url.as_deref()), (None, None));
    let mut a = a.clone();
    (a.title, a.url) = (None, None);
    assert_eq!(n.to_change(), a, "only the title and url differ");
    let (Event::Deployment(a), Prepared::Deployment(n)) = (&all[1], &numbers[1]) else {
        panic!("expected deployments: {numbers:?}");
    };
    assert_eq!(n.line.url, None);
    let mut a = a.clone();
    a.url = None;
    assert_eq!(
        *n,
        crate::model::prepared::PreparedLine::new(a),
        "only the url differs"
    );
    // Incident titles are kept: only the cockpit's alerts read them, but they are few.
    assert_eq!(Prepared::new(all[2].clone()), numbers[2]);
}

/// A block's room is its newlines plus one, counted in runs of 255 bytes.
#[test]
fn a_block_has_room_for_each_of_its_lines() {
    use super::lines_in;
    assert_eq!(lines_in(b""), 1);
    assert_eq!(lines_in(b"a\nb"), 2);
    for n in [254, 255, 256, 511, 1000] {
        assert_eq!(lines_in(&vec![b'\n'; n]), n + 1, "{n} newlines");
        let mixed: Vec<u8> = (0..n).flat_map(|_| *b"x\n").collect();
        assert_eq!(lines_in(&mixed), n + 1, "{n} lines");
    }
}

/// A block in memory is cut into lines as a stream is: the same events, line
/// numbers, blank lines, carriage returns and limit.
#[test]
fn a_block_in_memory_reads_as_the_same_stream() {
    use crate::sources::event_lines::MAX_LINE;
    let good = r#"{"type":"change","id":"c1","service":"api","time":"2024-03-01T12:00:00Z"}"#;
    let padded = |n: usize| format!("{}{}", good, " ".repeat(n - good.len()));
    for text in [
        String::new(),
        "\n\n".to_string(),
        format!("{good}\r\n\nnot json\n{good}"),
        format!("{good}\n{}\n{good}\n", padded(MAX_LINE)),
        format!("{good}\n{}\n{good}\n", padded(MAX_LINE + 1)),
        format!("{good}\n{}", padded(MAX_LINE + 1)),
    ] {
        let mut streamed = Vec::new();
        let d = super::read(text.as_bytes(), "<text>", |e| streamed.push(e)).unwrap();
        let (events, diagnostics) = parse_str(&text);
        assert_eq!(events, streamed, "{:?}", &text[..text.len().min(80)]);
        assert_eq!(diagnostics.lines, d.lines);
        assert_eq!(diagnostics.malformed, d.malformed);
    }
}

/// Lines made ready for the records as they are read give what the events
/// read from them give, made ready: every shape above, with names absent,
/// empty, unclean or escaped, a url on a deployment line, CRLF, blank and
/// unknown lines, the same names on many lines, and kept whole or for the
/// numbers.
#[test]
fn lines_prepared_as_read_are_their_events_prepared() {
    let mut lines: Vec<String> = TRICKY
        .iter()
        .map(|l| l.replace("@TIME@", r#""time":"2024-03-01T12:00:00.5+02:00""#))
        .collect();
    lines.extend(
        [
            r#"{"type":"change","id":"c2","service":"api","time":"2024-03-01T12:00:00Z","team":"core","author":"ann","title":"Fix","opened":"2024-03-01T10:00:00Z"}"#,
            r#"{"type":"change","id":"c3","service":"api","time":"2024-03-01T12:00:00Z","team":"core","author":"ann"}"#,
            r#"{"type":"change","id":"c4","service":"api","time":"2024-03-01T12:00:00Z","team":"","author":null}"#,
            r#"{"type":"change","id":"c5","service":"a\u001b[2Jpi","time":"2024-03-01T12:00:00Z","team":"co\"re"}"#,
            r#"{"type":"change","id":"c6","service":"api","time":"2024-03-01T12:00:00Z","url":"https://x/c6","author":"ann"}"#,
            r#"{"type":"change","id":"c7","service":"api","time":"2024-03-01T12:00:00Z","opened":"yesterday"}"#,
            r#"{"type":"deployment","id":"d2","service":"api","time":"2024-03-01T12:00:00Z","status":"success","region":"eu","stage":"canary","team":"core","url":"https://x/d2"}"#,
            r#"{"type":"deployment","id":"d2","service":"api","time":"2024-03-01T12:05:00Z","status":"failed","region":"eu","stage":"canary","team":"core"}"#,
            r#"{"type":"deployment","id":"d3","service":"web","time":"2024-03-01T12:05:00Z","status":"success","environment":"","changes":["c2","c3"]}"#,
            "{\"type\":\"deployment\",\"id\":\"d4\",\"service\":\"api\",\"time\":\"2024-03-01T12:00:00Z\",\"status\":\"success\"}\r",
            "   ",
            r#"{"type":"finding","id":"f1","severity":"high","status":"open","opened":"2024-03-01T00:00:00Z"}"#,
            r#"{"type":"mystery","id":"m1"}"#,
            "not json",
        ]
        .map(String::from),
    );
    // Each line twice: the second read takes the names already shared.
    let text = [lines.join("\n"), lines.join("\n")].join("\n");
    let (events, d_events) = super::parse_block(text.as_bytes(), "f");
    let as_prepared = |keep_numbers: bool| -> Vec<Prepared> {
        (events.iter().cloned())
            .map(|mut e| {
                if keep_numbers {
                    super::keep_numbers(&mut e);
                }
                Prepared::new(e)
            })
            .collect()
    };
    let (all, d_all) = super::prepare_block(text.as_bytes(), "f");
    let (numbers, d_numbers) = super::prepare_block_numbers(text.as_bytes(), "f");
    assert_eq!(all, as_prepared(false));
    assert_eq!(numbers, as_prepared(true));
    for d in [&d_all, &d_numbers] {
        assert_eq!(
            (d.lines, d.skipped_types, &d.malformed),
            (d_events.lines, d_events.skipped_types, &d_events.malformed)
        );
    }
    assert_eq!(events.len(), 2 * 19, "the lines read: {events:?}");
}
