//! Bad input for every finding reader: arbitrary bytes, mutated fixtures (byte
//! and JSON-tree mutations), truncated files, a 1 GB file (size cap), a JSON
//! nesting bomb, globs with bad files, and a SARIF with 100,000 results.
//! Case counts: 2,000 arbitrary inputs, 2,000 byte-mutated and 2,000
//! tree-mutated fixtures, each read with detection and with every format forced
//! (5 reads per case: 30,000 reads).

use crate::support as common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{TimeZone, Utc};
use flightdeck::model::Time;
use flightdeck::sources::findings::{
    self, FindingsError, FindingsSpec, Format, MAX_BYTES, read_findings_path,
};
use proptest::prelude::*;
use serde_json::Value;

const FORMATS: [Option<Format>; 5] = [
    None,
    Some(Format::Sarif),
    Some(Format::Asff),
    Some(Format::Ocsf),
    Some(Format::Trivy),
];

fn now() -> Time {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0)
        .single()
        .expect("valid")
}

/// Reads `bytes` every way; whatever happens, it must not panic.
fn read_all_ways(bytes: &[u8]) {
    for f in FORMATS {
        let _ = findings::read_bytes(bytes, f, "fuzz", now());
    }
}

fn fixtures() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for folder in ["sarif", "asff", "prowler_ocsf", "trivy"] {
        let Some(dir) = common::shared_fixtures(folder) else {
            continue;
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("lists")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        files.sort();
        for f in files {
            out.push(std::fs::read(f).expect("reads"));
        }
    }
    if out.is_empty() {
        out.push(flightdeck::sources::findings::sarif_test_document(3).into_bytes());
    }
    out
}

fn fixture_set() -> &'static [Vec<u8>] {
    static SET: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    SET.get_or_init(fixtures)
}

/// Replaces the node reached by `path` (indexes taken modulo the children) with `new`.
fn replace(v: &mut Value, path: &[usize], new: Value) {
    let Some((&i, rest)) = path.split_first() else {
        *v = new;
        return;
    };
    match v {
        Value::Array(a) if !a.is_empty() => {
            let n = a.len();
            replace(&mut a[i % n], rest, new)
        }
        Value::Object(o) if !o.is_empty() => {
            let n = o.len();
            if let Some((_, child)) = o.iter_mut().nth(i % n) {
                replace(child, rest, new)
            }
        }
        _ => *v = new,
    }
}

fn any_json() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,12}".prop_map(Value::String),
        Just(Value::Array(vec![])),
        Just(Value::Object(serde_json::Map::new())),
        Just(serde_json::json!([{"x": 1}, "\u{1b}[31mred", -1])),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        read_all_ways(&bytes);
    }

    #[test]
    fn byte_mutated_fixtures_never_panic(
        pick in any::<usize>(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let set = fixture_set();
        let mut bytes = set[pick % set.len()].clone();
        for (at, b, op) in edits {
            if bytes.is_empty() { break; }
            let at = at % bytes.len();
            match op {
                0 => bytes[at] = b,
                1 => { bytes.remove(at); }
                _ => bytes.insert(at, b),
            }
        }
        read_all_ways(&bytes);
    }

    #[test]
    fn tree_mutated_fixtures_never_panic(
        pick in any::<usize>(),
        edits in proptest::collection::vec((proptest::collection::vec(any::<usize>(), 0..8), any_json()), 1..6),
    ) {
        let set = fixture_set();
        let Ok(mut doc) = serde_json::from_slice::<Value>(&set[pick % set.len()]) else {
            return Ok(());
        };
        for (path, new) in edits {
            replace(&mut doc, &path, new);
        }
        for f in FORMATS {
            let _ = findings::read_value(&doc, f, "fuzz", now());
        }
    }
}

#[test]
fn truncated_fixtures_are_errors_naming_the_input() {
    for (n, bytes) in fixture_set().iter().enumerate() {
        for cut in 1..10 {
            let end = bytes.len() * cut / 10;
            let origin = format!("fixture-{n}-cut-{cut}");
            match findings::read_bytes(&bytes[..end], None, &origin, now()) {
                Err(e) => assert!(e.to_string().contains(&origin), "{e}"),
                // Cutting inside trailing whitespace can leave valid JSON.
                Ok(_) => assert!(bytes[end..].iter().all(u8::is_ascii_whitespace)),
            }
        }
    }
}

fn temp(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("flightdeck-findings-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

struct Cleanup(PathBuf);
impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_1_gb_file_is_refused_quickly_by_the_size_cap() {
    let dir = temp("huge");
    let _c = Cleanup(dir.clone());
    let path = dir.join("huge.sarif");
    let file = std::fs::File::create(&path).expect("create");
    file.set_len(1 << 30).expect("sparse 1 GB file");
    let started = Instant::now();
    let err = findings::read_file(&path, None, MAX_BYTES, now()).expect_err("refused");
    assert!(started.elapsed().as_secs() < 2, "refused without reading");
    match &err {
        FindingsError::TooLarge { size, limit, .. } => {
            assert_eq!(*size, 1 << 30);
            assert_eq!(*limit, MAX_BYTES);
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("huge.sarif") && msg.contains("limit"), "{msg}");
    // A smaller cap from the source's config applies too.
    let small = dir.join("small.json");
    std::fs::write(&small, b"[]   ").expect("write");
    let e = findings::read_file(&small, None, 2, now()).expect_err("over a 2-byte cap");
    assert!(matches!(e, FindingsError::TooLarge { .. }), "{e:?}");
}

#[test]
fn a_nesting_bomb_is_an_error_not_a_stack_overflow() {
    for bomb in [
        "[".repeat(200_000),
        format!("{}{}", r#"{"runs":[{"results":"#, "[".repeat(100_000)),
        r#"{"a":"#.repeat(50_000),
    ] {
        let err =
            findings::read_bytes(bomb.as_bytes(), None, "bomb.json", now()).expect_err("refused");
        let msg = err.to_string();
        assert!(msg.starts_with("bomb.json: not valid JSON"), "{msg}");
    }
    // Nesting inside the limit still reads (as unknown or empty input).
    let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
    let _ = findings::read_bytes(ok.as_bytes(), None, "deep.json", now());
}

#[test]
fn unknown_json_is_a_clear_error() {
    let e =
        findings::read_bytes(br#"{"hello":"world"}"#, None, "x.json", now()).expect_err("unknown");
    assert_eq!(
        e.to_string(),
        "x.json: not a recognised finding format (expected SARIF, ASFF, OCSF or Trivy JSON)"
    );
    let e = findings::read_bytes(br#"{"runs":3}"#, Some(Format::Sarif), "y.sarif", now())
        .expect_err("wrong shape");
    assert_eq!(e.to_string(), "y.sarif: not sarif input: no `runs` array");
}

#[test]
fn globs_read_every_match_and_report_the_bad_files() {
    let dir = temp("glob");
    let _c = Cleanup(dir.clone());
    std::fs::create_dir_all(dir.join("a/b")).expect("dirs");
    let sarif = findings::sarif_test_document(3);
    std::fs::write(dir.join("one.sarif"), &sarif).expect("write");
    std::fs::write(dir.join("a/b/two.sarif"), &sarif).expect("write");
    std::fs::write(dir.join("a/broken.sarif"), b"{\"runs\":[").expect("write");
    std::fs::write(dir.join("a/notes.txt"), b"not a scan").expect("write");
    let spec = |p: &Path| FindingsSpec {
        path: Some(p.display().to_string()),
        url: None,
        format: None,
        max_bytes: None,
    };
    let read = read_findings_path(&spec(&dir.join("**/*.sarif")), now()).expect("reads");
    assert_eq!(read.files, 3);
    assert_eq!(read.findings.len(), 6);
    assert_eq!(read.skipped.len(), 1);
    let warning = read.warning().expect("a warning");
    assert!(
        warning.contains("broken.sarif") && warning.contains("not valid JSON"),
        "{warning}"
    );

    let one = read_findings_path(&spec(&dir.join("*.sarif")), now()).expect("reads");
    assert_eq!((one.files, one.findings.len()), (1, 3));

    let none = read_findings_path(&spec(&dir.join("*.json")), now()).expect_err("no match");
    assert!(matches!(none, FindingsError::NoMatch { .. }), "{none:?}");
    let missing = read_findings_path(&spec(&dir.join("absent.sarif")), now()).expect_err("absent");
    assert!(missing.to_string().contains("absent.sarif"), "{missing}");
    let all_bad = read_findings_path(&spec(&dir.join("a/*.sarif")), now()).expect_err("all bad");
    assert!(all_bad.to_string().contains("broken.sarif"), "{all_bad}");

    // The same reads as the store's updates.
    use flightdeck::model::source_update::SourceUpdate;
    let name = flightdeck::model::Text::from("scans");
    let ups = findings::path::poll_updates(&name, &spec(&dir.join("**/*.sarif")), now());
    assert_eq!(ups.len(), 2);
    assert!(matches!(&ups[0], SourceUpdate::Events { events, .. } if events.len() == 6));
    assert!(
        matches!(&ups[1], SourceUpdate::Warned { warning, .. } if warning.contains("broken.sarif"))
    );
    let ups = findings::path::poll_updates(&name, &spec(&dir.join("absent.sarif")), now());
    assert!(
        matches!(&ups[..], [SourceUpdate::Failed { error, .. }] if error.contains("absent.sarif"))
    );
}

#[test]
fn the_spec_refuses_unknown_keys() {
    let ok: FindingsSpec =
        serde_json::from_value(serde_json::json!({"path": "scans/*.sarif", "format": "sarif"}))
            .expect("valid");
    assert_eq!(ok.format, Some(Format::Sarif));
    assert_eq!(ok.check(), Ok(()));
    let both: FindingsSpec =
        serde_json::from_value(serde_json::json!({"path": "a", "url": "https://x"}))
            .expect("parses");
    assert!(both.check().is_err());
    let neither: FindingsSpec = serde_json::from_value(serde_json::json!({})).expect("parses");
    assert!(neither.check().expect_err("needs one").contains("path"));
    let bad = serde_json::from_value::<FindingsSpec>(serde_json::json!({"paht": "x"}));
    assert!(bad.expect_err("unknown key").to_string().contains("paht"));
    let bad_format = serde_json::from_value::<FindingsSpec>(serde_json::json!({"format": "xml"}));
    assert!(bad_format.is_err());
}

#[test]
fn a_sarif_with_100_000_results_reads_them_all() {
    let doc = findings::sarif_test_document(100_000);
    assert!((doc.len() as u64) < MAX_BYTES, "{} bytes", doc.len());
    let found = findings::read_bytes(doc.as_bytes(), None, "gen.sarif", now()).expect("reads");
    assert_eq!(found.len(), 100_000);
    let mut ids: Vec<_> = found.iter().map(|f| f.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 100_000, "ids are distinct");
    // Rule R7 has security-severity 7.5: high.
    assert_eq!(found[7].severity, flightdeck::model::Severity::High);
    assert_eq!(found[9].severity, flightdeck::model::Severity::Critical);
}
