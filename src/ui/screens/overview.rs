//! `1` Overview: one scorecard row per team, teams needing help first.

use crate::app::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crossterm::event::KeyCode;

use super::overview_rows::{self, Sort};
use crate::app::Action;
use crate::app::keymap::{Binding, key};
use crate::app::listing::{ListKey, Listing};
use crate::app::screen::{Ctx, Cursor, Reply, Screen};
use crate::metrics::trend::{HIGHER_IS_BETTER, Trend, key_trends};
use crate::metrics::{Scorecards, TeamMetrics, TeamScorecard, Tier};
use crate::model::{Text, Time};
use crate::store::{Snapshot, WindowView};
use crate::ui::screens::team::TeamPage;
use crate::ui::widgets::fitted_table::{self, Col, FitRow, KEEP};
use crate::ui::widgets::{prompt, scroll};
use crate::util::format;

/// Enter opens the team's records; `v` switches to the gates' columns and back.
const KEYS: &[Binding] = &[
    key(
        KeyCode::Enter,
        "Enter",
        Action::Open,
        "open the team's records behind its numbers",
    )
    .hint("details"),
    key(
        KeyCode::Char('v'),
        "v",
        Action::ToggleGates,
        "gates: review, certification, batch size",
    )
    .hint("gates"),
    key(
        KeyCode::Char('/'),
        "/",
        Action::Filter,
        "filter: team: tier: or text (Esc clears)",
    )
    .hint("filter"),
    key(
        KeyCode::Char('o'),
        "o O",
        Action::SortNext,
        "sort by the next column / reverse",
    )
    .hint("sort"),
    key(KeyCode::Char('O'), "", Action::SortReverse, ""),
    key(
        KeyCode::Char('u'),
        "u",
        Action::Unattributed,
        "incidents attributed to no deployment",
    ),
];

/// `1` Overview's row model: the team of each row.
#[derive(Debug)]
pub struct Overview {
    /// Team names in row order, so that the cursor stays on its team when the
    /// teams are re-ranked or the window changes.
    teams: Vec<Text>,
    /// The same rows as indices into the window's scorecards.
    rows: Vec<usize>,
    /// Showing the gates' columns instead of the key metrics.
    gates: bool,
    list: Listing,
    /// The snapshot version and window `rows` were built for: drawn from
    /// another (an app drawn before its first refresh), the window's own
    /// order is shown instead of indices that may not fit it.
    built: Option<(u64, usize)>,
}

impl Default for Overview {
    fn default() -> Self {
        Self {
            teams: Vec::new(),
            rows: Vec::new(),
            gates: false,
            list: Listing::new(overview_rows::FILTER_KEYS, &overview_rows::COLUMN_NAMES),
            built: None,
        }
    }
}

impl Overview {
    /// Rebuilds the rows, keeping the cursor on its team where it is still listed.
    fn rebuild(&mut self, ctx: &Ctx, cursor: &mut Cursor) {
        let w = &ctx.snapshot.views.windows[ctx.window];
        let anchor = self.teams.get(cursor.selected).cloned();
        self.rows = overview_rows::rows(w, &self.list.filter, self.list.sort);
        self.built = Some((ctx.snapshot.version, ctx.window));
        self.teams = self
            .rows
            .iter()
            .map(|&i| w.scorecards.teams[i].team.clone())
            .collect();
        cursor.selected = anchor
            .and_then(|team| self.teams.iter().position(|t| *t == team))
            .unwrap_or(0);
        cursor.set_rows(self.teams.len());
    }
}

impl Screen for Overview {
    fn name(&self) -> &'static str {
        "Overview"
    }

    fn keys(&self) -> &'static [Binding] {
        KEYS
    }

    fn refresh(&mut self, ctx: &Ctx, cursor: &mut Cursor) {
        self.rebuild(ctx, cursor);
    }

    fn update(&mut self, action: Action, ctx: &Ctx, cursor: &mut Cursor) -> Reply {
        match self.list.key(action) {
            ListKey::Pass => {}
            ListKey::Redraw => return Reply::Redraw,
            // The selection stays on its team (see `rebuild`).
            ListKey::Rebuild { .. } => {
                self.rebuild(ctx, cursor);
                return Reply::Redraw;
            }
        }
        match (action, self.teams.get(cursor.selected)) {
            (Action::Open, Some(team)) => Reply::Open(Box::new(TeamPage::new(team.clone()))),
            (Action::Unattributed, _) => Reply::Open(Box::new(super::incidents::unattributed())),
            (Action::ToggleGates, _) => {
                self.gates = !self.gates;
                Reply::Redraw
            }
            _ => Reply::Pass,
        }
    }

    fn listing(&self) -> Option<&Listing> {
        Some(&self.list)
    }

    fn listing_mut(&mut self) -> Option<&mut Listing> {
        Some(&mut self.list)
    }

    fn selected_id(&self, _ctx: &Ctx, cursor: &Cursor) -> Option<String> {
        self.teams.get(cursor.selected).map(|t| t.to_string())
    }

    fn targets(&self, ctx: &Ctx) -> Vec<(&'static str, String, String)> {
        let w = &ctx.snapshot.views.windows[ctx.window];
        w.scorecards
            .teams
            .iter()
            .map(|t| ("team", t.team.to_string(), t.team.to_string()))
            .collect()
    }

    fn open_id(&mut self, id: &str, _ctx: &Ctx, cursor: &mut Cursor) -> Reply {
        if let Some(row) = self.teams.iter().position(|t| &**t == id) {
            cursor.selected = row;
        }
        Reply::Open(Box::new(TeamPage::new(id.into())))
    }

    fn render(&self, frame: &mut Frame, area: Rect, ctx: &Ctx, cursor: &Cursor) {
        draw(frame, area, ctx, cursor.selected, self);
        prompt::render_listing(&ctx.theme, frame, area, &self.list);
    }
}

fn draw(frame: &mut Frame, area: Rect, ctx: &Ctx, selected: usize, state: &Overview) {
    let th = &ctx.theme;
    let snapshot = ctx.snapshot;
    let w = &snapshot.views.windows[ctx.window];
    let [summary_area, table_area, legend_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(
        summary(th, &w.scorecards, snapshot, summary_area.width),
        summary_area,
    );
    // The compliance column is dropped by the column rules when it does not
    // fit (under about 80 columns); the legend explains it where it is shown.
    let audit = table_area.width >= 80;
    let listed = if state.built == Some((snapshot.version, ctx.window)) {
        (
            &state.rows[..],
            state.list.filter.title(state.rows.len(), w.order.len()),
        )
    } else {
        (&w.order[..], String::new())
    };
    if state.gates {
        super::overview_gates::table(frame, table_area, ctx, selected, listed);
        frame.render_widget(super::overview_gates::legend(th), legend_area);
        return;
    }
    table(frame, table_area, ctx, selected, (listed, state.list.sort));
    let gov = super::governance::has_data(snapshot);
    frame.render_widget(
        super::overview_legend::legend(th, (audit, gov), legend_area.width),
        legend_area,
    );
}

/// Teams, how many need help, open and unattributed incidents: the longest
/// wording of the last that fits in `width` columns.
fn summary(th: &Theme, cards: &Scorecards, snapshot: &Snapshot, width: u16) -> Paragraph<'static> {
    let low = cards
        .teams
        .iter()
        .filter(|t| t.tier == Some(Tier::Low))
        .count();
    let open = snapshot.views.open_incidents.len() as u64 + snapshot.views.remote_open_incidents;
    // Nothing read at all (an empty file, a source still on its first read):
    // say so, rather than a row of zeros that reads like a quiet organisation.
    if cards.teams.is_empty() && snapshot.views.records == 0 {
        let reading = snapshot.sources.iter().find(|s| s.reading);
        let text = match reading {
            Some(s) => format!(" 0 teams yet: reading {} (5 Sources)", s.name),
            None => " 0 teams: nothing read yet (5 Sources says what each source read)".into(),
        };
        return Paragraph::new(Line::from(Span::styled(text, th.dim)));
    }
    let mut spans = vec![
        Span::raw(format!(" {}  ", format::plural(cards.teams.len(), "team"))),
        Span::styled(
            format!("{low} {} help  ", if low == 1 { "needs" } else { "need" }),
            if low > 0 { th.alert } else { th.ok },
        ),
        Span::styled(
            format!(
                "{open} {} open  ",
                if open == 1 { "incident" } else { "incidents" }
            ),
            if open > 0 { th.alert } else { th.ok },
        ),
    ];
    let used: usize = spans.iter().map(Span::width).sum();
    let room = usize::from(width).saturating_sub(used);
    let unattributed = match cards.unattributed_incidents {
        0 => vec!["no unattributed incidents".to_string()],
        n => vec![
            format!(
                "{} (all time, u lists them)",
                format::plural(n as usize, "unattributed incident")
            ),
            format!("{n} unattributed (u lists them)"),
            format!("{n} unattributed"),
        ],
    };
    let last = unattributed.last().cloned().unwrap_or_default();
    let text = unattributed
        .into_iter()
        .find(|t| t.chars().count() <= room)
        .unwrap_or(last);
    spans.push(Span::styled(text, th.dim));
    Paragraph::new(Line::from(spans))
}

/// Whether any record is older than the window: else the previous window holds
/// no data, and an arrow against it would read as a change.
pub(super) fn has_previous(snapshot: &Snapshot, w: &WindowView) -> bool {
    snapshot
        .records
        .earliest()
        .is_some_and(|first| first < w.scorecards.window.start)
}

/// The window, and when the history read is shorter than it, how much it
/// covers (DESIGN.md, coverage): with no previous data there is no trend.
/// Only scorecards read back from exporters (`read_back`, no records): no
/// previous window either.
fn title(w: &WindowView, earliest: Option<Time>, read_back: bool) -> String {
    let window = w.scorecards.window;
    match earliest {
        None if read_back => format!(
            " Overview · last {} days, read back from the exporters · no previous window, no trends ",
            w.days
        ),
        Some(first) if first >= window.start => {
            // Whole days, rounded down: "covers 30" would read as the whole window.
            let covered = (window.end - first).num_days().max(0);
            let covered = match covered {
                0 => "under a day".to_string(),
                n => format!("{n} days"),
            };
            format!(
                " Overview · last {} days, history covers {covered} · no previous data, no trends ",
                w.days
            )
        }
        _ => format!(
            " Overview · last {} days, trends vs the {} days before ",
            w.days, w.days
        ),
    }
}

/// The teams listed (indices into the window's scorecards, in row order),
/// and what the title says about the filter.
pub(super) type Listed<'a> = (&'a [usize], String);

/// The scorecard table, one row per team listed.
fn table(frame: &mut Frame, area: Rect, ctx: &Ctx, selected: usize, view: (Listed, Sort)) {
    let ((listed, filtered), sort) = view;
    let th = &ctx.theme;
    let snapshot = ctx.snapshot;
    let w = &snapshot.views.windows[ctx.window];
    let mut head = title(
        w,
        snapshot.records.earliest(),
        !snapshot.records.remote.is_empty(),
    );
    // The filter and sort go before the closing space of the title.
    head.truncate(head.trim_end().len());
    let block = Block::bordered().title(Span::styled(
        crate::ui::fit_title(
            &format!("{head}{filtered}{} ", overview_rows::sort_title(sort)),
            area.width,
        ),
        th.title,
    ));
    let previous = has_previous(snapshot, w);
    // The organisation row stays on top, whatever the sort or the scroll.
    let org = w.scorecards.organisation.as_ref();
    let inner_height = (block.inner(area).height.saturating_sub(1) as usize)
        .saturating_sub(usize::from(org.is_some()));
    let offset = scroll::offset(selected, inner_height);

    // Wide terminals get each metric's tier in words as well as in colour.
    let wide = area.width >= 114;
    let names = if wide {
        [
            "DEPLOY FREQUENCY",
            "LEAD TIME",
            "CHANGE FAILURE",
            "TIME TO RESTORE",
        ]
    } else {
        ["DEPLOYS", "LEAD TIME", "FAIL RATE", "RESTORE"]
    };
    let gov = super::governance::has_data(snapshot);
    let cols: Vec<Col> = columns(names, true, gov)
        .into_iter()
        .enumerate()
        .map(|(i, c)| c.marked(sort.mark(i)))
        .collect();
    let org_row = org.map(|t| {
        let mut cells = team_cells(th, t, wide, previous);
        cells[0] = Line::from(Span::styled(t.team.to_string(), th.header));
        FitRow {
            cells,
            style: Style::new().bold(),
        }
    });
    let rows: Vec<FitRow> = org_row
        .into_iter()
        .chain(
            listed
                .iter()
                .filter_map(|&i| w.scorecards.teams.get(i))
                .enumerate()
                .skip(offset)
                .take(inner_height)
                .map(|(row, t)| {
                    let mut cells = team_cells(th, t, wide, previous);
                    cells.push(compliance_cell(th, snapshot, ctx.window, &t.team));
                    if gov {
                        cells.push(super::governance::team_cell(
                            th, snapshot, ctx.window, &t.team,
                        ));
                    }
                    cells.push(weekly_cell(th, snapshot, &t.team));
                    FitRow::marked(cells, row == selected, th.selected)
                }),
        )
        .collect();
    let empty = listed.is_empty() && !filtered.is_empty();
    fitted_table::draw(frame, area, block, (&cols, th.header), rows);
    if empty {
        no_match(frame, area, th, "team");
    }
}

/// A filter that hides every team says so (and how to undo it).
pub(super) fn no_match(frame: &mut Frame, area: Rect, th: &Theme, what: &str) {
    let inner = Block::bordered().inner(area);
    if inner.height < 2 {
        return;
    }
    let line = Rect {
        y: inner.y + 1,
        height: 1,
        ..inner
    };
    frame.render_widget(
        Paragraph::new(Span::styled(
            format!(" no {what} matches the filter · / edits it · Esc clears it"),
            th.dim,
        )),
        line,
    );
}

/// The team's deployments week by week as a sparkline (`·` an empty week);
/// `-` for a team read back from the exporters (no records here).
fn weekly_cell(th: &Theme, snapshot: &Snapshot, team: &str) -> Line<'static> {
    let views = &snapshot.views;
    let weeks = views
        .facts
        .teams
        .binary_search_by(|t| (**t).cmp(team))
        .ok()
        .and_then(|i| views.weekly_deployments.get(i));
    match weeks {
        Some(w) => Line::from(Span::styled(crate::ui::charts::sparkline_text(w), th.spark)),
        None => Line::from(Span::styled("-", th.dim)),
    }
}

/// The scorecard's columns: the team and its tier stay; what a narrow
/// terminal drops first is rework, then open incidents, then the audit count
/// and governance, then time to restore, lead time, frequency and failure rate.
/// A long team name is cut (with `…`) before one of the four key metrics goes;
/// the team itself would go only after time to restore, which never happens
/// at the 60-column minimum.
fn columns(names: [&'static str; 4], audit: bool, gov: bool) -> Vec<Col> {
    let whole = Col::whole;
    let mut cols = vec![
        Col::name("TEAM", 8, 5),
        whole("TIER", KEEP),
        whole(names[0], 7),
        whole(names[1], 6),
        whole(names[2], 8),
        whole(names[3], 5),
        whole("REWORK", 2),
        whole("OPEN", 3),
    ];
    if audit {
        cols.push(whole("AUDIT", 4));
    }
    if gov {
        cols.push(whole("GOV", 4));
    }
    // The 12 weeks' deployments, dropped first.
    cols.push(whole("WEEKLY", 1));
    cols
}

/// A team's cells up to OPEN: tier, the four key metrics with their trend
/// arrows (and tiers in words when `wide`), rework and open incidents.
fn team_cells(th: &Theme, t: &TeamScorecard, wide: bool, previous: bool) -> Vec<Line<'static>> {
    let m = &t.current;
    let values = key_values(m, m);
    let trends = if previous {
        key_trends(m, &t.previous)
    } else {
        [Trend::Unknown; 4]
    };
    let tiers = m.key_tiers();
    let mut cells = vec![
        Line::from(t.team.to_string()),
        // No record at all is not LOW: the team says it has no data.
        Line::from(Span::styled(
            t.tier
                .map_or("no data".into(), |t| t.label().to_uppercase()),
            th.tier(t.tier).bold(),
        )),
    ];
    for k in 0..4 {
        // The arrow sits against its own value: `1.2/wk↑`, then padding.
        let used = values[k].chars().count() + 1;
        let mut spans = vec![
            Span::styled(values[k].clone(), th.tier(tiers[k])),
            Span::styled(
                trends[k].arrow(HIGHER_IS_BETTER[k]).to_string(),
                th.trend(trends[k]),
            ),
        ];
        if wide {
            spans.push(Span::raw(" ".repeat(9usize.saturating_sub(used) + 1)));
            spans.push(Span::styled(
                Tier::label_of(tiers[k]).to_string(),
                th.tier(tiers[k]),
            ));
        }
        cells.push(Line::from(spans));
    }
    cells.push(Line::from(
        m.rework_rate.rate.map_or("-".into(), format::percent),
    ));
    let open = m.time_to_restore.open;
    cells.push(Line::from(Span::styled(
        open.to_string(),
        if open > 0 { th.alert } else { th.dim },
    )));
    cells
}

/// The compliance column: open findings of the team, and `!N` for those past
/// their SLA (red), from the posture the store computed.
fn compliance_cell(th: &Theme, snapshot: &Snapshot, window: usize, team: &str) -> Line<'static> {
    let posture = snapshot
        .views
        .findings
        .windows
        .get(window)
        .and_then(|w| w.teams.iter().find(|p| &*p.name == team));
    let (text, style) = match posture {
        Some(p) if p.sla_breaches > 0 => {
            (format!("{} !{}", p.open_total, p.sla_breaches), th.alert)
        }
        Some(p) if p.open[0] > 0 => (p.open_total.to_string(), th.warn),
        Some(p) if p.open_total > 0 => (p.open_total.to_string(), Style::new()),
        Some(p) => (p.open_total.to_string(), th.dim),
        // A team read back by a `scorecards` source: its shard's counts (no SLA here).
        None => match snapshot.records.remote_team(team) {
            Some((_, t)) if t.open_findings[0] > 0 => {
                (t.open_findings.iter().sum::<u64>().to_string(), th.warn)
            }
            Some((_, t)) => {
                let n: u64 = t.open_findings.iter().sum();
                (n.to_string(), if n > 0 { Style::new() } else { th.dim })
            }
            None => ("-".to_string(), th.dim),
        },
    };
    Line::from(Span::styled(text, style))
}

/// The four key metrics as short strings, in display order.
/// The four key metrics as shown, frequency in the unit `unit_of`'s would
/// take (a team's previous window is written in its current window's unit).
pub fn key_values(m: &TeamMetrics, unit_of: &TeamMetrics) -> [String; 4] {
    let f = &m.deployment_frequency;
    let like = unit_of.deployment_frequency.per_day;
    [
        // No tier: no data (no record at all, or no previous window read back).
        f.tier
            .map_or("-".into(), |_| format::per_day_as(f.per_day, like)),
        m.lead_time
            .median_seconds
            .map_or("-".into(), format::duration_secs),
        m.change_failure_rate
            .rate
            .map_or("-".into(), format::percent),
        m.time_to_restore
            .median_seconds
            .map_or("-".into(), format::duration_secs),
    ]
}
