//! `3` Incidents, the on-call view: per-team time to restore on top, then open
//! incidents with their age ticking, then those restored in the window.

use crate::app::theme::Theme;
use crossterm::event::KeyCode;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use crate::ui::charts::{self, RestoreBar};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

use crate::app::Action;
use crate::app::keymap::{Binding, key};
use crate::app::list_filter::Field;
use crate::app::list_sort::SortKey;
use crate::app::listing::{ListKey, Listing};
use crate::app::screen::{Ctx, Cursor, Reply, Screen};
use crate::metrics::dora::Attribution;
use crate::model::Time;
use crate::store::{Snapshot, WindowView};
use crate::ui::screens::incident;
use crate::ui::widgets::fitted_table::{self, Col, FitRow, KEEP};
use crate::ui::widgets::{prompt, scroll};
use crate::util::format;

const KEYS: &[Binding] = &[
    key(KeyCode::Enter, "Enter", Action::Open, "open the incident").hint("open"),
    key(
        KeyCode::Char('/'),
        "/",
        Action::Filter,
        "filter: team: service: sev: status: or text",
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
];

/// What `/` can name on Incidents.
const FILTER_KEYS: &[Field] = &[Field::Team, Field::Service, Field::Severity, Field::Status];

/// `3` Incidents' row model: the incidents listed, by index.
#[derive(Debug)]
pub struct Incidents {
    /// The incidents that pass the filter, each with whether it is open, in
    /// row order: open ones (oldest first), then those restored in the window
    /// (the latest restored first), unless sorted by a column.
    rows: Vec<(usize, bool)>,
    /// How many there are without the filter.
    total: usize,
    list: Listing,
    /// `u` on the Overview: every incident attributed to no deployment, of
    /// all time, as a drill-down (the tab lists the window's).
    unattributed: bool,
}

impl Default for Incidents {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            total: 0,
            list: Listing::new(FILTER_KEYS, &COLUMN_NAMES),
            unattributed: false,
        }
    }
}

/// The drill-down the Overview's unattributed count opens.
pub fn unattributed() -> Incidents {
    Incidents {
        unattributed: true,
        ..Incidents::default()
    }
}

impl Incidents {
    fn rebuild(&mut self, ctx: &Ctx, cursor: &mut Cursor) {
        let anchor = self.rows.get(cursor.selected).map(|r| r.0);
        let views = &ctx.snapshot.views;
        let query = self.list.query();
        let pass = |&(i, open): &(usize, bool)| {
            query.is_empty() || query.matches(&filter_fields(ctx.snapshot, i, open))
        };
        let all: Vec<(usize, bool)> = if self.unattributed {
            unattributed_rows(ctx.snapshot)
        } else {
            let resolved = &views.windows[ctx.window].resolved_incidents;
            let open = views.open_incidents.iter().map(|&i| (i, true));
            open.chain(resolved.iter().map(|&i| (i, false))).collect()
        };
        self.total = all.len();
        self.rows = all.into_iter().filter(pass).collect();
        self.list.sort.apply(&mut self.rows, |&(i, open), col| {
            sort_key(ctx.snapshot, i, open, col, ctx.now)
        });
        if let Some(row) = anchor.and_then(|a| self.rows.iter().position(|r| r.0 == a)) {
            cursor.selected = row;
        }
        cursor.set_rows(self.rows.len());
    }
}

/// Every incident attributed to no deployment, open ones first, then the
/// latest opened first.
fn unattributed_rows(snapshot: &Snapshot) -> Vec<(usize, bool)> {
    let records = &snapshot.records.incidents;
    let mut rows: Vec<(usize, bool)> = snapshot
        .views
        .facts
        .incidents
        .iter()
        .enumerate()
        .filter(|(_, f)| f.attribution.is_none())
        .filter_map(|(i, _)| Some((i, records.get(i)?.resolved.is_none())))
        .collect();
    rows.sort_by_key(|&(i, open)| (!open, std::cmp::Reverse(records[i].opened)));
    rows
}

/// What the title calls each column, in [`COLUMNS`] order.
const COLUMN_NAMES: [&str; 9] = [
    "state",
    "age",
    "opened",
    "severity",
    "team",
    "service",
    "incident",
    "deployment",
    "title",
];

/// An incident's value in sortable column `col` (in [`COLUMNS`] order).
fn sort_key(snapshot: &Snapshot, i: usize, open: bool, col: usize, now: Time) -> SortKey<'_> {
    let (Some(inc), Some(facts)) = (
        snapshot.records.incidents.get(i),
        snapshot.views.facts.incidents.get(i),
    ) else {
        return SortKey::Number(None);
    };
    let secs = |d: chrono::TimeDelta| Some(d.num_milliseconds() as f64);
    match col {
        0 => SortKey::Text(if open { "open" } else { "restored" }),
        1 if open => SortKey::Number(secs(now - inc.opened)),
        1 => SortKey::Number(inc.resolved.and_then(|r| secs(r - inc.opened))),
        2 => SortKey::Number(Some(inc.opened.timestamp_millis() as f64)),
        3 => SortKey::Text(inc.severity.as_deref().unwrap_or("")),
        4 => SortKey::Text(&facts.team),
        5 => SortKey::Text(&inc.service),
        6 => SortKey::Text(&inc.id),
        7 => SortKey::Text(match facts.attribution {
            Some(Attribution::Explicit(d) | Attribution::Implicit(d)) => {
                snapshot.records.deployments.get(d).map_or("", |d| &d.id)
            }
            None => "unattributed",
        }),
        _ => SortKey::Text(inc.title.as_deref().unwrap_or("")),
    }
}

/// An incident's fields for the filter.
fn filter_fields(snapshot: &Snapshot, i: usize, open: bool) -> Vec<(Field, &str)> {
    let (Some(inc), Some(facts)) = (
        snapshot.records.incidents.get(i),
        snapshot.views.facts.incidents.get(i),
    ) else {
        return vec![];
    };
    vec![
        (Field::Team, &facts.team),
        (Field::Service, &inc.service),
        (Field::Severity, inc.severity.as_deref().unwrap_or("")),
        (Field::Status, if open { "open" } else { "restored" }),
        (Field::Text, &inc.id),
        (Field::Text, inc.title.as_deref().unwrap_or("")),
        (
            Field::Text,
            if facts.attribution.is_none() {
                "unattributed"
            } else {
                ""
            },
        ),
    ]
}

impl Screen for Incidents {
    fn name(&self) -> &'static str {
        if self.unattributed {
            "Unattributed"
        } else {
            "Incidents"
        }
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
            ListKey::Rebuild { refiltered } => {
                if refiltered {
                    cursor.selected = 0;
                }
                self.rebuild(ctx, cursor);
                return Reply::Redraw;
            }
        }
        let records = &ctx.snapshot.records.incidents;
        match (action, self.rows.get(cursor.selected)) {
            (Action::Open, Some(&(i, _))) => match records.get(i) {
                Some(inc) => Reply::Open(Box::new(incident::page(inc.id.clone()))),
                None => Reply::Nothing,
            },
            _ => Reply::Pass,
        }
    }

    fn listing(&self) -> Option<&Listing> {
        Some(&self.list)
    }

    fn listing_mut(&mut self) -> Option<&mut Listing> {
        Some(&mut self.list)
    }

    fn targets(&self, ctx: &Ctx) -> Vec<(&'static str, String, String)> {
        if self.unattributed {
            return Vec::new();
        }
        ctx.snapshot
            .records
            .incidents
            .iter()
            .map(|i| {
                let title = i.title.as_deref().unwrap_or("");
                (
                    "incident",
                    format!("{} {} {title}", i.id, i.service),
                    i.id.to_string(),
                )
            })
            .collect()
    }

    fn open_id(&mut self, id: &str, ctx: &Ctx, cursor: &mut Cursor) -> Reply {
        let records = &ctx.snapshot.records.incidents;
        if let Some(row) = self
            .rows
            .iter()
            .position(|&(i, _)| records.get(i).is_some_and(|r| &*r.id == id))
        {
            cursor.selected = row;
        }
        Reply::Open(Box::new(incident::page(id.into())))
    }

    fn selected_id(&self, ctx: &Ctx, cursor: &Cursor) -> Option<String> {
        let (i, _) = *self.rows.get(cursor.selected)?;
        Some(ctx.snapshot.records.incidents.get(i)?.id.to_string())
    }

    fn render(&self, frame: &mut Frame, area: Rect, ctx: &Ctx, cursor: &Cursor) {
        draw(frame, area, ctx, cursor.selected, self);
        prompt::render_listing(&ctx.theme, frame, area, &self.list);
    }
}

fn draw(frame: &mut Frame, area: Rect, ctx: &Ctx, selected: usize, rows: &Incidents) {
    if rows.unattributed {
        return list(frame, area, ctx, selected, rows);
    }
    let th = &ctx.theme;
    let snapshot = ctx.snapshot;
    let w = &snapshot.views.windows[ctx.window];
    // Time to restore per team as bars: every team and the median when they
    // fit in two fifths of the screen.
    let wanted = w.scorecards.teams.len() as u16 + 1 + 2;
    let height = wanted.min((area.height * 2 / 5).max(5));
    let [bars_area, list_area] =
        Layout::vertical([Constraint::Length(height), Constraint::Fill(1)]).areas(area);
    restore_chart(frame, bars_area, th, w);
    list(frame, list_area, ctx, selected, rows);
}

/// Each team's median time to restore (open incidents with the name), the
/// longest first, and the organisation's median.
fn restore_chart(frame: &mut Frame, area: Rect, th: &Theme, w: &WindowView) {
    let mut bars: Vec<RestoreBar> = w
        .scorecards
        .teams
        .iter()
        .map(|t| {
            let r = &t.current.time_to_restore;
            let team = match r.open {
                0 => t.team.to_string(),
                n => format!("{} ({n} open)", t.team),
            };
            RestoreBar {
                team,
                seconds: r.median_seconds,
                tier: r.tier,
            }
        })
        .collect();
    bars.sort_by(|a, b| {
        b.seconds
            .unwrap_or(-1.0)
            .total_cmp(&a.seconds.unwrap_or(-1.0))
    });
    let shown = (area.height.saturating_sub(3) as usize).min(bars.len());
    let median = w.restore_median_seconds;
    let more = match bars.len() - shown {
        0 => String::new(),
        n => format!(" · {n} more"),
    };
    let title = format!(
        " Time to restore by team · last {} days · ┆ median {}{more} ",
        w.days,
        median.map_or("none restored".into(), format::duration_secs)
    );
    let block = Block::bordered().title(Span::styled(
        crate::ui::fit_title(&title, area.width),
        th.title,
    ));
    charts::restore_bars(frame, area, th, block, (&bars, median));
}

/// Open incidents, then those restored in the window.
fn list(frame: &mut Frame, area: Rect, ctx: &Ctx, selected: usize, state: &Incidents) {
    let th = &ctx.theme;
    let snapshot = ctx.snapshot;
    let w = &snapshot.views.windows[ctx.window];
    let listed = &state.rows;
    // Rows are indexes from the snapshot of the last refresh; records only
    // grow, but a row past this snapshot's end is never drawn.
    let known = snapshot.records.incidents.len();
    let filtered = state.list.title(listed.len(), state.total, "reversed");
    let head = if state.unattributed {
        format!(
            " {} (all time): no deployment of the service within the link window",
            format::plural(state.total, "unattributed incident")
        )
    } else {
        format!(
            " Incidents · {} open · {} restored in the last {} days",
            snapshot.views.open_incidents.len(),
            w.resolved_incidents.len(),
            w.days,
        )
    };
    let block = Block::bordered().title(Span::styled(
        crate::ui::fit_title(&format!("{head}{filtered} · Enter opens "), area.width),
        th.title,
    ));
    let height = block.inner(area).height.saturating_sub(1) as usize;
    let offset = scroll::offset(selected, height);
    // Under 110 columns STATE is shortened; the columns are fitted to the
    // width (`fitted_table`): ids and ages whole, names with an ellipsis.
    let wide = area.width >= 110;
    let rows: Vec<FitRow> = listed
        .iter()
        .copied()
        .enumerate()
        .skip(offset)
        .take(height)
        .filter(|&(_, (i, _))| i < known)
        .map(|(row, (i, open))| {
            FitRow::marked(
                incident_cells(th, snapshot, i, open, wide, ctx.now),
                row == selected,
                th.selected,
            )
        })
        .collect();
    let empty = rows.is_empty() && !state.list.query().text.is_empty();
    let cols: Vec<Col> = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| c.marked(state.list.sort.mark(i)))
        .collect();
    fitted_table::draw(frame, area, block, (&cols, th.header), rows);
    if empty {
        super::overview::no_match(frame, area, th, "incident");
    }
}

/// The incident list's columns; a narrow terminal drops the service first
/// (the incident id usually names it), then the title, the severity, the
/// deployment and the team; the state, the age and the id always stay.
const COLUMNS: [Col; 9] = [
    Col::whole("STATE", KEEP),
    Col::whole("AGE/TOOK", KEEP),
    Col::whole("OPENED", 0),
    Col::whole("SEV", 3),
    Col::name("TEAM", 6, 5),
    Col::name("SERVICE", 6, 1),
    Col::whole("INCIDENT", KEEP),
    Col::whole("DEPLOYMENT", 4),
    Col::text("TITLE", 12, 2),
];

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
/// service, id, deployment and title.
fn incident_cells(
    th: &Theme,
    snapshot: &Snapshot,
    i: usize,
    is_open: bool,
    wide: bool,
    now: Time,
) -> Vec<Line<'static>> {
    let inc = &snapshot.records.incidents[i];
    let facts = &snapshot.views.facts.incidents[i];
    let (state, time) = if is_open {
        (
            Span::styled("OPEN", th.alert),
            Span::styled(format::age(now - inc.opened), th.alert),
        )
    } else {
        let took = inc
            .resolved
            .map(|res| format::age(res - inc.opened))
            .unwrap_or_default();
        let label = if wide { "restored" } else { "ok" };
        (Span::styled(label, th.ok), Span::raw(took))
    };
    let dep = deployment_label(snapshot, i);
    let dep_style = if facts.attribution.is_none() {
        th.dim
    } else {
        Style::new()
    };
    [
        state,
        time,
        Span::raw(format::short_time(inc.opened)),
        Span::raw(inc.severity.as_deref().unwrap_or("-").to_string()),
        Span::raw(facts.team.to_string()),
        Span::raw(inc.service.to_string()),
        Span::raw(inc.id.to_string()),
        Span::styled(dep, dep_style),
        Span::raw(inc.title.as_deref().unwrap_or("").to_string()),
    ]
    .into_iter()
    .map(Line::from)
    .collect()
}
