//! The parsers of files and bodies a user points flightdeck at (issue 13):
//! events lines, the four findings formats and the rollouts objects. Arbitrary
//! bytes, valid documents with bytes flipped, cut or inserted, and valid
//! documents with one value swapped for a value of another type never panic;
//! every error names where the input came from; text that reaches the model
//! holds no control characters.
//!
//! Seeds: a small valid document per format written here, plus the shared
//! public fixtures (`../shared/fixtures`) under 32 KiB where they are present.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

use flightdeck::model::{Event, Finding, Time};
use flightdeck::sources::events::{parse_line, read};
use flightdeck::sources::findings::{Format, read_bytes};
use flightdeck::sources::rollouts::{parse_body, to_events};

const ORIGIN: &str = "fuzz-origin.json";
const CASES: u32 = 1500;

fn now() -> Time {
    Utc.with_ymd_and_hms(2024, 4, 1, 0, 0, 0)
        .single()
        .expect("a valid time")
}

const EVENTS: &str = r#"{"type":"change","id":"c1","service":"a","time":"2024-01-01T00:00:00Z","author":"x"}
{"type":"deployment","id":"d1","service":"a","status":"success","time":"2024-01-02T00:00:00+02:00","changes":["c1"],"environment":"production","region":"eu"}
{"type":"incident","id":"i1","service":"a","opened":"2024-01-02T01:00:00Z","resolved":"2024-01-02T03:00:00Z","severity":"sev1","deployment":"d1","title":"t"}
{"type":"finding","id":"f1","severity":"high","status":"open","opened":"2024-01-01T00:00:00Z","team":"t","title":"x","frameworks":["cis"]}
{"type":"canary","deployment":"d1","region":"eu","time":"2024-01-02T00:05:00Z","verdict":"pass","error_rate":0.01}
"#;

const SARIF: &str = r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"scan","rules":[{"id":"R1","properties":{"security-severity":"9.5"}}]}},"results":[{"ruleId":"R1","level":"error","message":{"text":"bad"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"src/a.rs"},"region":{"startLine":3}}}]}]}]}"#;
const ASFF: &str = r#"{"Findings":[{"SchemaVersion":"2018-10-08","Id":"arn:1","ProductArn":"arn:p","GeneratorId":"g","AwsAccountId":"123456789012","Types":["Software and Configuration Checks"],"CreatedAt":"2024-01-01T00:00:00Z","UpdatedAt":"2024-01-02T00:00:00Z","Severity":{"Label":"HIGH"},"Title":"t","Description":"d","Resources":[{"Type":"AwsS3Bucket","Id":"arn:b"}],"Compliance":{"Status":"FAILED","AssociatedStandards":[{"StandardsId":"cis"}]},"Workflow":{"Status":"NEW"},"RecordState":"ACTIVE"}]}"#;
const OCSF: &str = r#"[{"class_uid":2004,"activity_id":1,"severity_id":4,"severity":"High","status":"New","status_code":"FAIL","time":1704067200000,"finding_info":{"uid":"u1","title":"t","created_time":1704067200000},"metadata":{"event_code":"e","product":{"name":"prowler"}},"cloud":{"account":{"uid":"123456789012"},"region":"eu-west-1"},"resources":[{"uid":"r1","type":"bucket"}],"unmapped":{"compliance":{"CIS":["1.1"]}}}]"#;
const TRIVY: &str = r#"{"SchemaVersion":2,"ArtifactName":"img","ArtifactType":"container_image","CreatedAt":"2024-01-01T00:00:00Z","Results":[{"Target":"img (alpine 3.10)","Class":"os-pkgs","Type":"alpine","Vulnerabilities":[{"VulnerabilityID":"CVE-1","PkgName":"p","InstalledVersion":"1","FixedVersion":"2","Severity":"CRITICAL","Title":"t"}],"Misconfigurations":[{"ID":"DS001","Title":"m","Severity":"HIGH","Status":"FAIL"}]}]}"#;
const ROLLOUT: &str = r#"{"apiVersion":"argoproj.io/v1alpha1","kind":"Rollout","metadata":{"name":"web","namespace":"prod","annotations":{"rollout.argoproj.io/revision":"3"},"creationTimestamp":"2024-01-01T00:00:00Z"},"spec":{"strategy":{"canary":{"steps":[{"setWeight":20},{"pause":{}}]}}},"status":{"phase":"Paused","currentStepIndex":1,"canary":{"weights":{"canary":{"weight":20}}},"pauseConditions":[{"reason":"CanaryPauseStep","startTime":"2024-01-01T00:01:00Z"}],"conditions":[{"type":"Progressing","status":"True","reason":"RolloutPaused","lastUpdateTime":"2024-01-01T00:01:00Z"}]}}"#;
const FLAGGER: &str = r#"{"name":"podinfo","namespace":"test","phase":"Progressing","metadata":{"eventMessage":"Advance podinfo.test canary weight 10","eventType":"Normal","timestamp":"1578917233"}}"#;

/// The seeds of one area: the inline ones, then the shared fixtures of `dirs`.
fn seeds(inline: &[&str], dirs: &[&str]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = inline.iter().map(|s| s.as_bytes().to_vec()).collect();
    for dir in dirs {
        let Some(dir) = crate::support::shared_fixtures(dir) else {
            continue;
        };
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("the fixtures folder lists")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        files.sort();
        for f in files {
            let bytes = std::fs::read(&f).expect("a fixture reads");
            if bytes.len() <= 32 * 1024 {
                out.push(bytes);
            }
        }
    }
    out
}

/// One change to a document's bytes.
#[derive(Debug, Clone)]
enum ByteEdit {
    Flip(Index, u8),
    Delete(Index, usize),
    Insert(Index, Vec<u8>),
    Truncate(Index),
    Repeat(Index, usize),
}

fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    // Bytes that matter to JSON and to text cleaning more often than others.
    let special = prop_oneof![
        Just(b'"'),
        Just(b'\\'),
        Just(b'{'),
        Just(b']'),
        Just(b','),
        Just(b':'),
        Just(0x1b),
        Just(0u8),
        Just(0xff),
        any::<u8>()
    ];
    prop_oneof![
        (any::<Index>(), special).prop_map(|(i, b)| ByteEdit::Flip(i, b)),
        (any::<Index>(), 1usize..64).prop_map(|(i, n)| ByteEdit::Delete(i, n)),
        (any::<Index>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(i, b)| ByteEdit::Insert(i, b)),
        any::<Index>().prop_map(ByteEdit::Truncate),
        (any::<Index>(), 1usize..200).prop_map(|(i, n)| ByteEdit::Repeat(i, n)),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[ByteEdit]) -> Vec<u8> {
    for edit in edits {
        if bytes.is_empty() {
            break;
        }
        match edit {
            ByteEdit::Flip(i, b) => {
                let at = i.index(bytes.len());
                bytes[at] = *b;
            }
            ByteEdit::Delete(i, n) => {
                let at = i.index(bytes.len());
                let end = (at + n).min(bytes.len());
                bytes.drain(at..end);
            }
            ByteEdit::Insert(i, b) => {
                let at = i.index(bytes.len());
                bytes.splice(at..at, b.iter().copied());
            }
            ByteEdit::Truncate(i) => bytes.truncate(i.index(bytes.len())),
            ByteEdit::Repeat(i, n) => {
                // A byte run, e.g. a very long string or deep nesting.
                let at = i.index(bytes.len());
                let b = bytes[at];
                bytes.splice(at..at, std::iter::repeat_n(b, *n));
            }
        }
    }
    bytes
}

/// Any JSON value, a few levels deep, with the numbers and strings that
/// break careless readers (huge, negative, fractional, control characters).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop_oneof![
            Just(1e308),
            Just(-1e308),
            Just(-0.5),
            Just(0.0),
            any::<f64>()
        ]
        .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
        "[\\x00-\\x1f\\u{7f}\\u{200d}\\u{2028}a-z]{0,8}".prop_map(Value::from),
        Just(Value::from("2024-13-45T99:99:99Z")),
        Just(Value::from("9999999999999999999")),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Replaces the node that `path` leads to (descending while it can) with `by`.
fn swap_node(node: &mut Value, path: &[Index], by: Value) {
    let Some((step, rest)) = path.split_first() else {
        *node = by;
        return;
    };
    match node {
        Value::Array(items) if !items.is_empty() => {
            let at = step.index(items.len());
            swap_node(&mut items[at], rest, by);
        }
        Value::Object(map) if !map.is_empty() => {
            let at = step.index(map.len());
            if let Some(v) = map.values_mut().nth(at) {
                swap_node(v, rest, by);
            }
        }
        _ => *node = by,
    }
}

/// A seed with one node swapped, as bytes; seeds that are not one JSON
/// document (NDJSON) are returned with their first line's node swapped.
fn swapped(seed: &[u8], path: &[Index], by: Value) -> Vec<u8> {
    let text = String::from_utf8_lossy(seed);
    let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let whole = serde_json::from_str::<Value>(&text);
    let (mut doc, tail) = match whole {
        Ok(doc) => (doc, ""),
        Err(_) => match serde_json::from_str::<Value>(first) {
            Ok(doc) => (doc, rest),
            Err(_) => return seed.to_vec(),
        },
    };
    swap_node(&mut doc, path, by);
    let mut out = serde_json::to_vec(&doc).expect("a Value serialises");
    if !tail.is_empty() {
        out.push(b'\n');
        out.extend_from_slice(tail.as_bytes());
    }
    out
}

fn clean(text: &str) -> bool {
    !text.chars().any(char::is_control)
}

fn check_findings(bytes: &[u8]) -> Result<(), TestCaseError> {
    for format in [
        None,
        Some(Format::Sarif),
        Some(Format::Asff),
        Some(Format::Ocsf),
        Some(Format::Trivy),
    ] {
        match read_bytes(bytes, format, ORIGIN, now()) {
            Ok(found) => {
                for f in &found {
                    check_finding(f)?;
                }
            }
            Err(e) => prop_assert!(e.to_string().contains(ORIGIN), "{e}"),
        }
    }
    Ok(())
}

fn check_finding(f: &Finding) -> Result<(), TestCaseError> {
    let texts = [
        Some(&f.id),
        f.title.as_ref(),
        f.rule.as_ref(),
        f.account.as_ref(),
    ];
    for t in texts.into_iter().flatten() {
        prop_assert!(clean(t), "control character in {t:?}");
    }
    Ok(())
}

fn check_events(bytes: &[u8]) -> Result<(), TestCaseError> {
    let mut events = Vec::new();
    let d = read(bytes, ORIGIN, |e| events.push(e)).expect("reading memory cannot fail");
    for m in &d.malformed {
        prop_assert!(
            m.line >= 1 && m.line <= d.lines,
            "line {} of {}",
            m.line,
            d.lines
        );
        prop_assert!(clean(&m.error), "control character in {:?}", m.error);
        prop_assert_eq!(&m.origin, ORIGIN);
    }
    for line in bytes.split(|&b| b == b'\n') {
        let _ = parse_line(line);
    }
    for e in &events {
        if let Event::Change(c) = e {
            prop_assert!(clean(&c.id) && clean(&c.service), "{c:?}");
        }
    }
    Ok(())
}

fn check_rollouts(bytes: &[u8]) -> Result<(), TestCaseError> {
    let body = String::from_utf8_lossy(bytes);
    match parse_body(&body, ORIGIN) {
        Ok(objects) => {
            let _ = to_events(&objects, None, now());
        }
        Err(e) => prop_assert!(e.to_string().contains(ORIGIN), "{e}"),
    }
    Ok(())
}

/// A parser's property check.
type Check = fn(&[u8]) -> Result<(), TestCaseError>;

fn all_seeds() -> [(Check, Vec<Vec<u8>>); 3] {
    [
        (check_events, seeds(&[EVENTS], &[])),
        (
            check_findings,
            seeds(
                &[SARIF, ASFF, OCSF, TRIVY],
                &["sarif", "asff", "prowler_ocsf", "trivy"],
            ),
        ),
        (
            check_rollouts,
            seeds(&[ROLLOUT, FLAGGER], &["argo_rollouts", "flagger"]),
        ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        check_events(&bytes)?;
        check_findings(&bytes)?;
        check_rollouts(&bytes)?;
    }

    #[test]
    fn valid_documents_with_bytes_edited_never_panic(
        which in any::<Index>(),
        edits in prop::collection::vec(byte_edit(), 1..6),
    ) {
        for (check, seeds) in all_seeds() {
            let seed = which.get(&seeds);
            check(&apply(seed.clone(), &edits))?;
        }
    }

    #[test]
    fn valid_documents_with_a_value_of_another_type_never_panic(
        which in any::<Index>(),
        path in prop::collection::vec(any::<Index>(), 0..8),
        by in json_value(),
    ) {
        for (check, seeds) in all_seeds() {
            let seed = which.get(&seeds);
            check(&swapped(seed, &path, by.clone()))?;
        }
    }
}

#[test]
fn the_inline_seeds_are_read_as_what_they_are() {
    // The mutations start from real documents: each seed must parse cleanly.
    let mut events = Vec::new();
    let d = read(EVENTS.as_bytes(), ORIGIN, |e| events.push(e)).expect("memory");
    assert_eq!((events.len(), d.malformed.len()), (5, 0));
    for (doc, format) in [
        (SARIF, Format::Sarif),
        (ASFF, Format::Asff),
        (OCSF, Format::Ocsf),
        (TRIVY, Format::Trivy),
    ] {
        let found = read_bytes(doc.as_bytes(), None, ORIGIN, now());
        let found = found.unwrap_or_else(|e| panic!("{format:?}: {e}"));
        assert!(!found.is_empty(), "{format:?} seed gives no finding");
    }
    for doc in [ROLLOUT, FLAGGER] {
        let objects = parse_body(doc, ORIGIN).expect("a rollouts seed parses");
        assert_eq!(objects.len(), 1, "{doc}");
    }
}
