//! Lane and finding details scroll by line (j k PgDn G); the lane detail labels
//! the source's canary score and flightdeck's own; the `?` help scrolls on a
//! 60x12 terminal; the Findings filter's keys.

use crate::support as common;

use flightdeck::app::findings::{FindingsFilter, prompt_hint};
use flightdeck::app::keymap::prompt_action;
use flightdeck::app::{Action, App, Effect};
use flightdeck::model::{FindingStatus, Severity};
use flightdeck::store::Snapshot;
use flightdeck::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn draw(app: &App, snapshot: &Snapshot, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    terminal
        .draw(|f| ui::render(f, app, snapshot))
        .expect("draw into a test backend");
    let buf = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..h {
        for x in 0..w {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// The app on the Lanes screen with the lane that has the most lines open.
fn longest_lane(snapshot: &Snapshot) -> App {
    let mut app = common::app();
    app.update(common::show("Lanes"), snapshot);
    let lanes = &snapshot.views.lanes.lanes;
    let (row, _) = lanes
        .iter()
        .enumerate()
        .max_by_key(|(_, l)| ui::screens::lane::lines(&app.ctx(snapshot), l).len())
        .expect("the demo has lanes");
    for _ in 0..row {
        app.update(Action::Down, snapshot);
    }
    assert_eq!(app.update(Action::Open, snapshot), Effect::Redraw);
    app
}

#[test]
fn detail_scrolling_is_bounded_by_the_lines_the_detail_built() {
    let snapshot = common::demo_snapshot();
    let mut app = longest_lane(&snapshot);
    assert_eq!(app.top().name(), "Lane");
    let id = app.top().crumb();
    let lane = snapshot.views.lanes.find(&id).expect("listed");
    let built = ui::screens::lane::lines(&app.ctx(&snapshot), lane).len();
    assert_eq!(app.cursor().rows, built);
    app.update(Action::Bottom, &snapshot);
    assert_eq!(app.cursor().selected, built - 1, "G stops at the last line");
    // Another detail has its own count, and starts at its first line.
    app.update(Action::Back, &snapshot);
    let longest = app.cursor().selected;
    app.update(
        if longest == 0 {
            Action::Down
        } else {
            Action::Top
        },
        &snapshot,
    );
    app.update(Action::Open, &snapshot);
    let other = snapshot
        .views
        .lanes
        .find(&app.top().crumb())
        .expect("listed");
    let other_lines = ui::screens::lane::lines(&app.ctx(&snapshot), other).len();
    assert_eq!(app.cursor().rows, other_lines);
    assert_ne!(
        other_lines, built,
        "the demo's longest lane is longer than the next"
    );
    assert_eq!(app.cursor().selected, 0);
}

#[test]
fn lane_detail_scrolls_to_linked_incidents_at_80x24() {
    let snapshot = common::demo_snapshot();
    let mut app = longest_lane(&snapshot);
    assert_eq!(app.top().name(), "Lane");
    let before = draw(&app, &snapshot, 80, 24);
    let rows = app.cursor().rows;
    assert!(rows > 20, "the longest demo lane has {rows} lines");
    assert!(
        !before.contains("Linked incidents"),
        "the last section starts hidden at 80x24:\n{before}"
    );
    app.update(Action::Down, &snapshot);
    assert_eq!(app.cursor().selected, 1, "j scrolls one line");
    let end = app.top().scroll_end().expect("drawn once");
    app.update(Action::PageDown, &snapshot);
    assert_eq!(app.cursor().selected, 11.min(end), "PgDn scrolls a page");
    app.update(Action::Bottom, &snapshot);
    let after = draw(&app, &snapshot, 80, 24);
    assert!(after.contains("Linked incidents"), "after G:\n{after}");
    assert!(
        after.contains(&format!(" of {rows} ")),
        "position shown:\n{after}"
    );
    // G stopped at the last full screen, so one k scrolls up at once.
    let last = app.cursor().selected;
    assert!(last < rows - 1, "G stops where the last screen is full");
    assert!(
        after.contains(&format!("line {} of {rows}", last + 1)),
        "{after}"
    );
    app.update(Action::Up, &snapshot);
    let up = draw(&app, &snapshot, 80, 24);
    assert!(up.contains(&format!("line {last} of {rows}")), "{up}");
    app.update(Action::Top, &snapshot);
    assert_eq!(app.cursor().selected, 0);
    assert_eq!(draw(&app, &snapshot, 80, 24), before);
}

#[test]
fn finding_detail_scrolls_to_its_id_at_80x12() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    app.update(common::show("Findings"), &snapshot);
    assert_eq!(app.update(Action::Open, &snapshot), Effect::Redraw);
    assert_eq!(app.top().name(), "Finding", "Enter opens a finding");
    let row = snapshot.views.findings.rows[0].index;
    let id = snapshot.records.findings[row].id.clone();
    let before = draw(&app, &snapshot, 80, 12);
    assert!(
        !before.contains(" id  "),
        "the id line starts hidden:\n{before}"
    );
    for _ in 0..40 {
        app.update(Action::Down, &snapshot);
    }
    let i = snapshot.records.finding(&id).expect("a finding");
    let lines = ui::screens::finding::lines(&app.ctx(&snapshot), i, &id).len();
    // j stops where the last screen is full (10 rows inside the border).
    let end = app.cursor().selected;
    assert!(end > 0 && end < lines - 1, "{end} of {lines}");
    let after = draw(&app, &snapshot, 80, 12);
    assert!(after.contains(" id  "), "after scrolling:\n{after}");
    assert!(
        after.contains(&format!("line {} of {lines}", end + 1)),
        "{after}"
    );
}

#[test]
fn lane_detail_labels_the_source_score_and_the_rejudgement() {
    let snapshot = common::demo_snapshot();
    let lanes = &snapshot.views.lanes.lanes;
    let mut disagreeing = 0;
    for (row, lane) in lanes.iter().enumerate() {
        let Some(c) = &lane.canary else { continue };
        let mut app = common::app();
        app.update(common::show("Lanes"), &snapshot);
        for _ in 0..row {
            app.update(Action::Down, &snapshot);
        }
        app.update(Action::Open, &snapshot);
        let screen = draw(&app, &snapshot, 160, 60);
        if c.disagrees() {
            disagreeing += 1;
            let source = c.score.map(|s| format!("{s:.0}")).unwrap_or_default();
            let own = c
                .judgement
                .score
                .map(|s| format!("{s:.0}"))
                .unwrap_or_default();
            assert!(screen.contains("source "), "{screen}");
            assert!(screen.contains("re-judged "), "{screen}");
            assert!(
                screen.contains(&source) && screen.contains(&own),
                "{screen}"
            );
            assert!(
                screen.contains("flightdeck re-judged error rate and p99 alone"),
                "the difference is explained:\n{screen}"
            );
        } else {
            assert!(!screen.contains("re-judged"), "{screen}");
        }
    }
    assert!(disagreeing > 0, "the demo has a canary whose scores differ");
}

#[test]
fn help_scrolls_at_60x12() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    app.update(Action::ToggleHelp, &snapshot);
    let top = draw(&app, &snapshot, 60, 12);
    assert!(top.contains("switch screen"), "{top}");
    assert!(!top.contains("Ctrl-C"), "the end is below at 60x12:\n{top}");
    assert!(top.contains("line 1 of"), "says there is more:\n{top}");
    app.update(Action::Bottom, &snapshot);
    let bottom = draw(&app, &snapshot, 60, 12);
    assert!(bottom.contains("Ctrl-C"), "{bottom}");
    // The screen's own keys come first: the Overview's Enter, not Findings' `/`.
    assert!(top.contains("open the team's records"), "{top}");
    assert!(!bottom.contains("filter findings"), "{bottom}");
    // Closing and reopening starts at the top again.
    app.update(Action::ToggleHelp, &snapshot);
    app.update(Action::ToggleHelp, &snapshot);
    assert_eq!(app.help_offset, 0);
}

#[test]
fn each_screen_declares_its_keys_to_the_help_and_the_status_bar() {
    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    app.update(common::show("Findings"), &snapshot);
    let list = draw(&app, &snapshot, 160, 40);
    let status = list.lines().last().unwrap_or_default();
    assert!(
        status.contains("Enter open · / filter · R resolved · o O sort · ? help  q quit"),
        "{status}"
    );
    app.update(Action::ToggleHelp, &snapshot);
    let help = draw(&app, &snapshot, 160, 40);
    assert!(
        help.contains("filter: sev: status: team: fw: (Esc clears)"),
        "{help}"
    );
    // While the prompt is open, the status bar names the prompt's keys only.
    app.update(Action::ToggleHelp, &snapshot);
    app.update(Action::Filter, &snapshot);
    let typing = draw(&app, &snapshot, 160, 40);
    let status = typing.lines().last().unwrap_or_default();
    assert!(
        status.contains("Enter keeps · Esc clears · ^U erases"),
        "{status}"
    );
    assert!(!status.contains("q quit"), "{status}");
    app.update(Action::Back, &snapshot);
    // `/` filters the Overview too; Sources has nothing to filter.
    app.update(common::show("Overview"), &snapshot);
    let slash = crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('/'),
        crossterm::event::KeyModifiers::NONE,
    );
    assert_eq!(
        flightdeck::app::keymap::action_for(&slash, app.top().keys()),
        Some(Action::Filter)
    );
    let overview = draw(&app, &snapshot, 160, 40);
    let status = overview.lines().last().unwrap_or_default();
    assert!(
        status.contains("Enter details · v gates · / filter · o O sort · ? help"),
        "{status}"
    );
}

#[test]
fn filter_accepts_keys_and_bare_words() {
    let f = FindingsFilter::parse("sev:critical severity:high,low status:open resolved s:info");
    assert_eq!(
        f.severities,
        vec![
            Severity::Critical,
            Severity::High,
            Severity::Low,
            Severity::Info
        ]
    );
    assert_eq!(
        f.statuses,
        vec![FindingStatus::Open, FindingStatus::Resolved]
    );
    assert!(f.words.is_empty() && f.problems.is_empty(), "{f:?}");
    let f = FindingsFilter::parse("critical team:Pay fw:cis bucket");
    assert_eq!(f.severities, vec![Severity::Critical]);
    assert_eq!(f.team.as_deref(), Some("pay"));
    assert_eq!(f.framework.as_deref(), Some("cis"));
    assert_eq!(f.words, vec!["bucket".to_string()]);
}

#[test]
fn filter_reports_unknown_keys_and_values() {
    let f = FindingsFilter::parse("owner:alice");
    assert!(f.words.is_empty(), "not a text search: {f:?}");
    assert_eq!(f.problems.len(), 1);
    assert!(f.problems[0].contains("unknown key 'owner:'"), "{f:?}");
    let f = FindingsFilter::parse("sev:urgent");
    assert!(f.problems[0].contains("unknown severity 'urgent'"), "{f:?}");
    let f = FindingsFilter::parse("status:fixed");
    assert!(f.problems[0].contains("unknown status 'fixed'"), "{f:?}");
    // ARNs are searched as text.
    let f = FindingsFilter::parse("arn:aws:s3:::bucket");
    assert!(f.problems.is_empty(), "{f:?}");
    assert_eq!(f.words.len(), 1);
    // The hint: the problem first, else the syntax within the room.
    assert_eq!(
        prompt_hint("owner:x", 80),
        (
            "unknown key 'owner:' (sev: status: team: fw: account:)".into(),
            true
        )
    );
    let (hint, problem) = prompt_hint("", 60);
    assert!(
        !problem && hint.chars().count() <= 60 && hint.contains("sev:"),
        "{hint}"
    );
    assert_eq!(prompt_hint("", 5), (String::new(), false));
}

#[test]
fn prompt_keys_ctrl_u_ctrl_w_unknown_key_and_esc_on_the_list() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
    assert_eq!(prompt_action(&ctrl('u')), Some(Action::ClearPrompt));
    assert_eq!(prompt_action(&ctrl('w')), Some(Action::EraseWord));

    let snapshot = common::demo_snapshot();
    let mut app = common::app();
    app.update(common::show("Findings"), &snapshot);
    let all = app.cursor().rows;
    assert!(all > 0);
    app.update(Action::Filter, &snapshot);
    for c in "team:x sev:".chars() {
        app.update(Action::Type(c), &snapshot);
    }
    app.update(Action::EraseWord, &snapshot);
    assert_eq!(app.top().prompt(), Some("team:x "));
    app.update(Action::ClearPrompt, &snapshot);
    assert_eq!(app.top().prompt(), Some(""));
    // An unknown key keeps the prompt open and says why.
    for c in "owner:x".chars() {
        app.update(Action::Type(c), &snapshot);
    }
    assert_eq!(app.update(Action::Open, &snapshot), Effect::Nothing);
    assert!(app.typing());
    let screen = draw(&app, &snapshot, 80, 24);
    assert!(screen.contains("unknown key 'owner:'"), "{screen}");
    app.update(Action::ClearPrompt, &snapshot);
    // The syntax hint fits 80 columns.
    let screen = draw(&app, &snapshot, 80, 24);
    assert!(screen.contains("sev:critical status:open"), "{screen}");
    for c in "sev:critical".chars() {
        app.update(Action::Type(c), &snapshot);
    }
    app.update(Action::Open, &snapshot);
    assert!(!app.typing());
    let critical = app.cursor().rows;
    assert!(critical > 0 && critical < all, "{critical} of {all}");
    // Esc on the list clears the filter; a second Esc does nothing.
    assert_eq!(app.update(Action::Back, &snapshot), Effect::Redraw);
    assert_eq!(app.cursor().rows, all);
    let screen = draw(&app, &snapshot, 80, 24);
    assert!(screen.contains("/ to filter"), "no filter shown:\n{screen}");
    assert_eq!(app.update(Action::Back, &snapshot), Effect::Nothing);
}

#[test]
fn team_detail_shows_the_rework_reason_before_the_failure_text_at_80x24() {
    let snapshot = common::demo_snapshot();
    // Find a team whose deployments include a failed rework row.
    let w = &snapshot.views.windows[1];
    let row = w
        .order
        .iter()
        .position(|&t| {
            let team = &w.scorecards.teams[t].team;
            flightdeck::ui::screens::team::detail(&snapshot, 1, team)
                .expect("a team of the window")
                .deployments
                .iter()
                .any(|d| d.rework.is_some() && !d.fail_reasons.is_empty())
        })
        .expect("the demo has a failed rework deployment");
    let mut app = common::app();
    for _ in 0..row {
        app.update(Action::Down, &snapshot);
    }
    app.update(Action::Open, &snapshot);
    let screen = draw(&app, &snapshot, 80, 24);
    let line = screen
        .lines()
        .find(|l| l.contains("FAILED") && l.contains("rework:"))
        .unwrap_or_else(|| panic!("a failed rework row shows both:\n{screen}"));
    assert!(line.find("rework:") < line.find("FAILED"), "{line}");
}
