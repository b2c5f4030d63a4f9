//! `3` Incidents, the on-call view: per-team time to restore on top, then open
//! incidents with their age ticking, then those restored in the window.

use crate::app::theme::Theme;
use crossterm::event::KeyCode;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table};

use crate::app::Action;
use crate::app::keymap::{Binding, key};
use crate::app::screen::{Ctx, Cursor, Reply, Screen};
use crate::metrics::dora::Attribution;
use crate::model::Time;
use crate::store::{Snapshot, WindowView};
use crate::ui::screens::incident;
use crate::ui::widgets::scroll;
use crate::util::format;

const KEYS: &[Binding] =
    &[key(KeyCode::Enter, "Enter", Action::Open, "open the incident").hint("open")];

/// `3` Incidents' row model: the incidents listed, by index.
#[derive(Debug, Default)]
pub struct Incidents {
    /// Open incidents (oldest first), then those restored in the window.
    rows: Vec<usize>,
}

impl Screen for Incidents {
    fn name(&self) -> &'static str {
        "Incidents"
    }

    fn keys(&self) -> &'static [Binding] {
        KEYS
    }

    fn refresh(&mut self, ctx: &Ctx, cursor: &mut Cursor) {
        let views = &ctx.snapshot.views;
        self.rows.clear();
        self.rows.extend(&views.open_incidents);
        self.rows
            .extend(&views.windows[ctx.window].resolved_incidents);
        cursor.set_rows(self.rows.len());
    }

    fn update(&mut self, action: Action, ctx: &Ctx, cursor: &mut Cursor) -> Reply {
        let records = &ctx.snapshot.records.incidents;
        match (action, self.rows.get(cursor.selected)) {
            (Action::Open, Some(&i)) => match records.get(i) {
                Some(inc) => Reply::Open(Box::new(incident::page(inc.id.clone()))),
                None => Reply::Nothing,
            },
            _ => Reply::Pass,
        }
    }

    fn render(&self, frame: &mut Frame, area: Rect, ctx: &Ctx, cursor: &Cursor) {
        draw(frame, area, ctx, cursor.selected, &self.rows);
    }
}

fn draw(frame: &mut Frame, area: Rect, ctx: &Ctx, selected: usize, rows: &[usize]) {
    let th = &ctx.theme;
    let snapshot = ctx.snapshot;
    let w = &snapshot.views.windows[ctx.window];
    // Team MTTR strip: as many teams as fit, two lines.
    let [strip_area, list_area] =
        Layout::vertical([Constraint::Length(4), Constraint::Fill(1)]).areas(area);
    frame.render_widget(strip(th, w), strip_area);
    list(frame, list_area, ctx, selected, rows);
}

/// Each team's median time to restore and its open incidents.
fn strip(th: &Theme, w: &WindowView) -> Paragraph<'static> {
    let mut spans = Vec::new();
    for (n, t) in w.scorecards.teams.iter().enumerate() {
        let r = &t.current.time_to_restore;
        if n > 0 {
            spans.push(Span::styled(" ·", th.dim));
        }
        spans.push(Span::raw(format!(" {} ", t.team)));
        spans.push(Span::styled(
            r.median_seconds.map_or("-".into(), format::duration_secs),
            th.tier(r.tier),
        ));
        if r.open > 0 {
            spans.push(Span::styled(format!(" ({} open)", r.open), th.alert));
        }
    }
    Paragraph::new(Line::from(spans))
        .wrap(ratatui::widgets::Wrap { trim: true })
        .block(Block::bordered().title(Span::styled(
            format!(" Time to restore by team · last {} days ", w.days),
            th.title,
        )))
}

/// Open incidents, then those restored in the window.
fn list(frame: &mut Frame, area: Rect, ctx: &Ctx, selected: usize, listed: &[usize]) {
    let th = &ctx.theme;
    let snapshot = ctx.snapshot;
    let w = &snapshot.views.windows[ctx.window];
    let open = snapshot.views.open_incidents.len();
    // Rows are indexes from the snapshot of the last refresh; records only
    // grow, but a row past this snapshot's end is never drawn.
    let known = snapshot.records.incidents.len();
    let block = Block::bordered().title(Span::styled(
        format!(
            " Incidents · {open} open · {} restored in the last {} days · Enter opens ",
            w.resolved_incidents.len(),
            w.days
        ),
        th.title,
    ));
    let height = block.inner(area).height.saturating_sub(1) as usize;
    let offset = scroll::offset(selected, height);
    let r = &snapshot.records;
    // Narrow terminals (under 110) hide the service column (the incident id
    // usually says it) and shorten STATE; ids, teams and deployments get the
    // width of their longest visible value so none is cut.
    let wide = area.width >= 110;
    let (mut team_w, mut id_w, mut dep_w) = (4, 8, 10);
    for &i in listed
        .iter()
        .skip(offset)
        .take(height)
        .filter(|&&i| i < known)
    {
        team_w = team_w.max(snapshot.views.facts.incidents[i].team.chars().count());
        id_w = id_w.max(r.incidents[i].id.chars().count());
        dep_w = dep_w.max(deployment_label(snapshot, i).chars().count());
    }
    let rows = listed
        .iter()
        .copied()
        .enumerate()
        .skip(offset)
        .take(height)
        .filter(|&(_, i)| i < known)
        .map(|(row, i)| {
            let row_ = Row::new(incident_cells(th, snapshot, i, row < open, wide, ctx.now));
            if row == selected {
                row_.style(th.selected)
            } else {
                row_
            }
        });
    let mut heads = vec!["STATE", "AGE/TOOK", "SEV", "TEAM"];
    if wide {
        heads.push("SERVICE");
    }
    heads.extend(["INCIDENT", "DEPLOYMENT", "TITLE"]);
    let header = Row::new(heads.into_iter().map(|h| Cell::from(h).style(th.header)));
    let cap = |w: usize| w.min(32) as u16;
    let mut widths = vec![
        Constraint::Length(if wide { 8 } else { 5 }),
        Constraint::Length(if wide { 11 } else { 10 }),
        Constraint::Length(4),
        Constraint::Length(cap(team_w)),
    ];
    if wide {
        widths.push(Constraint::Length(16));
    }
    widths.extend([
        Constraint::Length(cap(id_w)),
        Constraint::Length(cap(dep_w)),
        Constraint::Fill(1),
    ]);
    let table = Table::new(rows, widths).header(header).block(block);
    frame.render_widget(table, area);
}

/// The deployment an incident is attributed to, or `unattributed`.
fn deployment_label(snapshot: &Snapshot, i: usize) -> String {
    match snapshot.views.facts.incidents[i].attribution {
        Some(Attribution::Explicit(d) | Attribution::Implicit(d)) => {
            snapshot.records.deployments[d].id.to_string()
        }
        None => "unattributed".into(),
    }
}

/// One incident's row: state and age (open) or time taken, severity, team,
/// (when `wide`) service, id, deployment and title.
fn incident_cells(
    th: &Theme,
    snapshot: &Snapshot,
    i: usize,
    is_open: bool,
    wide: bool,
    now: Time,
) -> Vec<Cell<'static>> {
    let inc = &snapshot.records.incidents[i];
    let facts = &snapshot.views.facts.incidents[i];
    let (state, time) = if is_open {
        (
            Cell::from("OPEN").style(th.alert),
            Cell::from(format::age(now - inc.opened)).style(th.alert),
        )
    } else {
        let took = inc
            .resolved
            .map(|res| format::duration(res - inc.opened))
            .unwrap_or_default();
        let label = if wide { "restored" } else { "ok" };
        (Cell::from(label).style(th.ok), Cell::from(took))
    };
    let dep = deployment_label(snapshot, i);
    let dep_style = if facts.attribution.is_none() {
        th.dim
    } else {
        ratatui::style::Style::new()
    };
    let mut cells = vec![
        state,
        time,
        Cell::from(inc.severity.as_deref().unwrap_or("-").to_string()),
        Cell::from(facts.team.to_string()),
    ];
    if wide {
        cells.push(Cell::from(inc.service.to_string()));
    }
    cells.extend([
        Cell::from(inc.id.to_string()),
        Cell::from(dep).style(dep_style),
        Cell::from(inc.title.as_deref().unwrap_or("").to_string()),
    ]);
    cells
}
