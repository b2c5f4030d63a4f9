//! What the integration tests share: the demo organisation at a fixed time, the
//! shared public fixtures and the external tools a test needs.

pub mod replay_server;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use flightdeck::model::records::Records;
use flightdeck::model::settings::Settings;
use flightdeck::model::{Text, Time};
use flightdeck::sources::demo::DemoOrg;
use flightdeck::store::{Snapshot, SourceStatus};

pub fn now() -> Time {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0)
        .single()
        .expect("valid time")
}

pub fn demo_snapshot() -> Snapshot {
    let org = DemoOrg::new(7);
    let mut settings = Settings::default();
    org.declare(&mut settings);
    let events = org.history(now());
    let mut demo = SourceStatus::new(Text::from("demo"), "demo");
    demo.last_ok = Some(now() - chrono::TimeDelta::seconds(3));
    demo.items = flightdeck::model::event_counts::EventCounts::of(&events);
    let records = Records::from_events(events);
    Snapshot::compute(Arc::new(records), Arc::new(settings), vec![demo], now(), 1)
}

/// The shared public fixtures (`../shared/fixtures`, or `FLIGHTDECK_SHARED_FIXTURES`).
/// They are read in place and never copied into the project. `None`, after a printed
/// notice, where the folder is absent, so that a checkout without it still tests the rest;
/// under `FLIGHTDECK_REQUIRE_TOOLS` (CI) an absent folder fails the test.
pub fn shared_fixtures(sub: &str) -> Option<std::path::PathBuf> {
    let root = std::env::var_os("FLIGHTDECK_SHARED_FIXTURES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures")
        });
    let dir = root.join(sub);
    if dir.is_dir() {
        Some(dir)
    } else {
        // CI has `../shared`: a test there must not pass by skipping.
        assert!(
            std::env::var_os("FLIGHTDECK_REQUIRE_TOOLS").is_none(),
            "shared fixtures {} are required (FLIGHTDECK_REQUIRE_TOOLS is set) but absent",
            dir.display()
        );
        eprintln!(
            "notice: shared fixtures {} are absent; skipping the tests that read them",
            dir.display()
        );
        None
    }
}

/// The path of an external program a test needs (`prometheus`, `promtool`, `git`).
/// Absent: a printed notice and `None`, so the test skips; but where
/// `FLIGHTDECK_REQUIRE_TOOLS` is set (`.ci/run` sets it) the test fails instead,
/// so CI can never pass by skipping.
pub fn tool(name: &str) -> Option<std::path::PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("FLIGHTDECK_REQUIRE_TOOLS").is_none(),
            "{name} is required (FLIGHTDECK_REQUIRE_TOOLS is set) but is not on PATH"
        );
        eprintln!("notice: {name} is not installed; skipping the test that needs it");
    }
    found
}

/// A cockpit state on the registered screens, at [`now`].
pub fn app() -> flightdeck::app::App {
    flightdeck::ui::screens::app(now())
}

/// The action that shows the top-level screen named `name`.
pub fn show(name: &str) -> flightdeck::app::Action {
    let n = flightdeck::ui::screens::tabs()
        .iter()
        .position(|s| s.name() == name)
        .unwrap_or_else(|| panic!("no screen named {name}"));
    flightdeck::app::Action::Show(n)
}

/// The small organisation the property tests draw events from.
pub const TEAMS: [&str; 3] = ["alpha", "beta", "gamma"];
pub const SERVICES: [&str; 3] = ["api", "web", "db"];
/// Every deployment status of the event schema.
pub const STATUSES: [&str; 5] = [
    "pending",
    "in_progress",
    "success",
    "failure",
    "rolled_back",
];

/// Records from JSON event lines, which must all parse.
pub fn records_of(lines: &[serde_json::Value]) -> Records {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let (events, diagnostics) = flightdeck::sources::events::parse_str(&text);
    assert!(
        diagnostics.malformed.is_empty(),
        "{:?}",
        diagnostics.malformed
    );
    Records::from_events(events)
}

/// `app` drawn into a `w` x `h` test terminal.
pub fn draw(
    app: &flightdeck::app::App,
    snapshot: &Snapshot,
    w: u16,
    h: u16,
) -> ratatui::buffer::Buffer {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("test backend");
    terminal
        .draw(|f| flightdeck::ui::render(f, app, snapshot))
        .expect("draw into a test backend");
    terminal.backend().buffer().clone()
}

/// A drawn buffer as text: each row with its trailing spaces trimmed, then a newline.
pub fn text(buf: &ratatui::buffer::Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
