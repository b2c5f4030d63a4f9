//! Findings read back by the `scorecards` source: the Findings screen lists
//! each team's open counts by severity, saying where they were read and which
//! shard serves the team; the Overview's AUDIT column counts them as it does
//! local teams'. Rendered into a TestBackend.

use std::sync::Arc;

use flightdeck::model::Text;
use flightdeck::model::records::Records;
use flightdeck::model::remote::{RemoteScorecards, RemoteTeam, RemoteWindow};
use flightdeck::model::settings::Settings;
use flightdeck::store::{Snapshot, SourceStatus};
use flightdeck::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::support as common;

const ORIGIN: &str = "http://prom.example:9090";

fn team(name: &str, open_findings: [u64; 5], shard: u32) -> RemoteTeam {
    let windows = [7, 30, 90]
        .into_iter()
        .map(|days| RemoteWindow {
            days,
            values: vec![
                ("flightdeck_team_deployments", 12.0),
                ("flightdeck_team_deployment_frequency_per_day", 0.4),
            ],
            tiers: vec![
                (Text::from("deployment_frequency"), 3.0),
                (Text::from("team"), 3.0),
            ],
        })
        .collect();
    RemoteTeam {
        team: name.into(),
        instance: format!("10.0.0.{shard}:9464").into(),
        shard,
        windows,
        open_incidents: 0,
        open_findings,
    }
}

/// Three teams read back from one Prometheus, no local records.
fn read_back() -> Snapshot {
    let read = RemoteScorecards {
        origin: ORIGIN.into(),
        read_at: common::now(),
        shards: 3,
        unattributed_incidents: Some(0),
        teams: vec![
            team("busy", [0, 3, 4, 0, 1], 2),
            team("calm", [0, 0, 0, 0, 0], 1),
            team("urgent", [2, 1, 0, 0, 0], 3),
        ],
    };
    let records = Records::from_events([flightdeck::model::Event::Scorecards(Arc::new(read))]);
    let mut source = SourceStatus::new(Text::from("organisation"), "scorecards");
    source.last_ok = Some(common::now());
    Snapshot::compute(
        Arc::new(records),
        Arc::new(Settings::default()),
        vec![source],
        common::now(),
        1,
    )
}

fn draw(screen: &str, snapshot: &Snapshot) -> Vec<String> {
    let mut app = common::app();
    app.update(common::show(screen), snapshot);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test backend");
    terminal
        .draw(|f| ui::render(f, &app, snapshot))
        .expect("draw into a test backend");
    let buf = terminal.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect()
}

fn words(line: &str) -> Vec<&str> {
    line.split(|c: char| c == '│' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The words of the first line at or after line `from` whose first cell is `name`.
fn row<'a>(lines: &'a [String], from: usize, name: &str) -> Vec<&'a str> {
    lines
        .iter()
        .skip(from)
        .map(|l| words(l))
        .find(|w| w.first() == Some(&name))
        .unwrap_or_else(|| panic!("no row {name}:\n{}", lines.join("\n")))
}

#[test]
fn the_findings_screen_lists_read_back_counts_by_severity() {
    let snapshot = read_back();
    let lines = draw("Findings", &snapshot);
    let text = lines.join("\n");
    insta::assert_snapshot!(text);
    assert!(
        text.contains(&format!(
            "Read back from {ORIGIN} · 3 teams · 11 open · counts only: the findings stay with their shards"
        )),
        "{text}"
    );
    // The summary and the empty list say what was read back, and why no finding is listed.
    assert!(
        text.contains("0 new in 24h  11 open read back (2 critical)"),
        "{text}"
    );
    assert!(
        text.contains("No findings read here: the 3 teams read back list counts only (above)"),
        "{text}"
    );
    let table = lines
        .iter()
        .position(|l| l.contains("Read back from"))
        .expect("the read-back table");
    let row = |name: &str| row(&lines, table, name);
    let head = row("TEAM");
    assert_eq!(
        head,
        [
            "TEAM", "OPEN", "CRIT", "HIGH", "MED", "LOW", "INFO", "SHARD", "SERVED", "BY"
        ]
    );
    // Criticals first, then the most open.
    assert_eq!(
        row("urgent"),
        ["urgent", "3", "2", "1", "0", "0", "0", "3", "10.0.0.3:9464"]
    );
    assert_eq!(
        row("busy"),
        ["busy", "8", "0", "3", "4", "0", "1", "2", "10.0.0.2:9464"]
    );
    assert_eq!(
        row("calm"),
        ["calm", "0", "0", "0", "0", "0", "0", "1", "10.0.0.1:9464"]
    );
    let at = |name: &str| lines.iter().position(|l| l.contains(&format!("│{name} ")));
    assert!(
        at("urgent") < at("busy") && at("busy") < at("calm"),
        "{text}"
    );
}

#[test]
fn the_overview_audit_column_counts_read_back_findings() {
    let snapshot = read_back();
    let lines = draw("Overview", &snapshot);
    let text = lines.join("\n");
    let head = lines
        .iter()
        .find(|l| l.contains("AUDIT"))
        .unwrap_or_else(|| panic!("no AUDIT column:\n{text}"));
    let col = head.find("AUDIT").expect("AUDIT");
    let audit = |team: &str| -> String {
        let line = lines
            .iter()
            .find(|l| words(l).first() == Some(&team))
            .unwrap_or_else(|| panic!("no {team} row:\n{text}"));
        line.chars()
            .skip(head[..col].chars().count())
            .take(5)
            .collect::<String>()
            .trim()
            .to_string()
    };
    assert_eq!(audit("urgent"), "3", "{text}");
    assert_eq!(audit("busy"), "8", "{text}");
    assert_eq!(audit("calm"), "0", "{text}");
}
