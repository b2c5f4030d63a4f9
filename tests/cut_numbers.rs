//! No number is cut at a cell's edge: every screen of the demo (each tab, the
//! Overview's gates view, and the drill-down Enter opens from each tab) is
//! drawn at 60x15, 80x24, 120x40 and 200x60, and every token on screen that
//! holds a digit must also be a whole token of the same screen drawn 400
//! columns wide, where nothing needs cutting. `pass 10` for `pass 100`,
//! `22h 5` for `22h 56m`, `3.2/da` or an id missing its last digits fail;
//! a name that ends in an ellipsis was shortened on purpose and passes.

use std::collections::HashSet;

use flightdeck::app::{Action, App};
use flightdeck::store::Snapshot;
use flightdeck::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::support::{demo_snapshot, show};

pub const SIZES: [(u16, u16); 4] = [(60, 15), (80, 24), (120, 40), (200, 60)];

/// What the screen shows at `w` x `h`, one string per row.
pub fn rows(app: &App, s: &Snapshot, w: u16, h: u16) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    terminal.draw(|f| ui::render(f, app, s)).expect("draw");
    let buf = terminal.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect())
        .collect()
}

/// The words of a row: split at spaces and box-drawing characters.
fn tokens(row: &str) -> impl Iterator<Item = &str> {
    row.split(|c: char| c.is_whitespace() || ('\u{2500}'..='\u{257f}').contains(&c))
        .filter(|t| !t.is_empty())
}

/// Each screen of the demo, named, as an app showing it.
pub fn screens(s: &Snapshot) -> Vec<(String, App)> {
    let mut out = Vec::new();
    for tab in [
        "Overview",
        "Lanes",
        "Incidents",
        "Findings",
        "Sources",
        "Governance",
    ] {
        let mut app = crate::support::app();
        app.refresh(s);
        app.update(show(tab), s);
        out.push((tab.to_string(), clone_of(&app, s, &[])));
        if tab == "Overview" {
            out.push((
                "Overview gates".into(),
                clone_of(&app, s, &[Action::ToggleGates]),
            ));
            // The first team's weekly charts, a week selected.
            out.push((
                "Overview team charts".into(),
                clone_of(
                    &app,
                    s,
                    &[Action::Open, Action::ToggleTrends, Action::WeekEarlier],
                ),
            ));
        }
        let before = app.depth();
        app.update(Action::Open, s);
        if app.depth() > before {
            out.push((format!("{tab} › {}", app.top().crumb()), app));
        }
    }
    out
}

/// A fresh app on the same tab as `app`, with `keys` pressed.
fn clone_of(app: &App, s: &Snapshot, keys: &[Action]) -> App {
    let mut fresh = crate::support::app();
    fresh.refresh(s);
    fresh.update(Action::Show(app.tab()), s);
    for k in keys {
        fresh.update(*k, s);
    }
    fresh
}

/// The numbers cut on `app`'s screen at `w` x `h`: (row, token).
pub fn cut_numbers(app: &App, s: &Snapshot, w: u16, h: u16) -> Vec<(usize, String)> {
    let whole: HashSet<String> = rows(app, s, 400, h)
        .iter()
        .flat_map(|r| tokens(r).map(str::to_string).collect::<Vec<_>>())
        .collect();
    // Region codes stand for region names on purpose (`use1` for `us-east-1`).
    let codes: HashSet<String> = s
        .settings
        .regions
        .iter()
        .map(|r| flightdeck::ui::screens::lanes::region_code(r))
        .collect();
    let shown = rows(app, s, w, h);
    let row_tokens: Vec<Vec<&str>> = shown.iter().map(|r| tokens(r).collect()).collect();
    let mut cut = Vec::new();
    for (y, ts) in row_tokens.iter().enumerate() {
        for (n, t) in ts.iter().enumerate() {
            if !t.chars().any(|c| c.is_ascii_digit())
                || t.ends_with('…')
                || whole.contains(*t)
                || codes.contains(*t)
            {
                continue;
            }
            // A long word wrapped onto the next row is whole across the two.
            let wrapped_on = n + 1 == ts.len()
                && row_tokens
                    .get(y + 1)
                    .and_then(|next| next.first())
                    .is_some_and(|next| whole.contains(&format!("{t}{next}")));
            let wrapped_from = n == 0
                && y > 0
                && row_tokens[y - 1]
                    .last()
                    .is_some_and(|prev| whole.contains(&format!("{prev}{t}")));
            if !(wrapped_on || wrapped_from) {
                cut.push((y, (*t).to_string()));
            }
        }
    }
    cut
}

/// Every screen follows the column rules: no number is cut at any size.
#[test]
fn no_number_is_cut_on_any_screen_at_any_size() {
    let s = demo_snapshot();
    let mut found = Vec::new();
    for (name, app) in screens(&s) {
        for (w, h) in SIZES {
            for (y, t) in cut_numbers(&app, &s, w, h) {
                found.push(format!("{name} {w}x{h} row {y}: `{t}`"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "{} cut:\n{}",
        found.len(),
        found.join("\n")
    );
}

/// Every screen of the demo at every size, as text, for review by eye.
/// The themes change styles only; their styles are checked in `themes`.
#[test]
fn every_screen_at_every_size() {
    let s = demo_snapshot();
    for (name, app) in screens(&s) {
        for (w, h) in SIZES {
            let text: Vec<String> = rows(&app, &s, w, h)
                .iter()
                .map(|r| r.trim_end().to_string())
                .collect();
            let id = format!("{name}_{w}x{h}")
                .replace(" › ", "_")
                .replace(' ', "_")
                .to_lowercase();
            insta::assert_snapshot!(id, text.join("\n"));
        }
    }
}

/// No block's title runs into its corner: a title too long for its block
/// keeps its leading ` · ` parts whole and ends in `…`, at every size.
#[test]
fn no_title_is_cut_by_its_corner() {
    let s = demo_snapshot();
    let mut found = Vec::new();
    for (name, app) in screens(&s) {
        for (w, h) in SIZES {
            for (y, row) in rows(&app, &s, w, h).iter().enumerate() {
                let cells: Vec<char> = row.chars().collect();
                let Some(open) = cells.iter().position(|&c| c == '┌') else {
                    continue;
                };
                for x in open + 1..cells.len() {
                    if cells[x] == '┐' && !matches!(cells[x - 1], '─' | ' ') {
                        found.push(format!("{name} {w}x{h} row {y}: {row}"));
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
