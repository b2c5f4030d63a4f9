//! `5` Sources: each source's freshness, volume and last error; `/` filters,
//! `o` sorts, Enter opens one.

use crate::app::theme::Theme;
use crossterm::event::KeyCode;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, Wrap};

use crate::app::Action;
use crate::app::keymap::{Binding, key};
use crate::app::list_filter::Field;
use crate::app::list_sort::SortKey;
use crate::app::listing::{ListKey, Listing};
use crate::app::screen::{Ctx, Cursor, Reply, Screen};
use crate::model::{Text, Time};
use crate::store::SourceStatus;
use crate::ui::widgets::prompt;
use crate::util::format;

const KEYS: &[Binding] = &[
    key(
        KeyCode::Enter,
        "Enter",
        Action::Open,
        "open the source: last polls, errors, quota, counts",
    )
    .hint("open"),
    key(
        KeyCode::Char('/'),
        "/",
        Action::Filter,
        "filter: status: or text (name, kind)",
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

/// What `/` can name on Sources.
const FILTER_KEYS: &[Field] = &[Field::Status];

/// The columns `o` sorts by, as the title names them (in column order).
const SORT_NAMES: [&str; 6] = ["source", "kind", "state", "last ok", "next poll", "events"];

/// `5` Sources' row model: the sources listed, by position in the snapshot.
#[derive(Debug)]
pub struct Sources {
    rows: Vec<usize>,
    /// The source of each row, so that the cursor stays on it.
    names: Vec<Text>,
    list: Listing,
}

impl Default for Sources {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            names: Vec::new(),
            list: Listing::new(FILTER_KEYS, &SORT_NAMES),
        }
    }
}

impl Sources {
    fn rebuild(&mut self, ctx: &Ctx, cursor: &mut Cursor) {
        let anchor = self.names.get(cursor.selected).cloned();
        let sources = &ctx.snapshot.sources;
        let q = self.list.query();
        self.rows = (0..sources.len())
            .filter(|&i| {
                let s = &sources[i];
                q.is_empty()
                    || q.matches(&[
                        (Field::Status, state(s).0),
                        // A stale source is failing too (with older data shown).
                        (Field::Status, if s.failing() { "failing" } else { "" }),
                        (Field::Text, &s.name),
                        (Field::Text, s.kind),
                    ])
            })
            .collect();
        self.list
            .sort
            .apply(&mut self.rows, |&i, col| sort_key(&sources[i], col));
        self.names = self.rows.iter().map(|&i| sources[i].name.clone()).collect();
        if let Some(row) = anchor.and_then(|a| self.names.iter().position(|n| *n == a)) {
            cursor.selected = row;
        }
        cursor.set_rows(self.rows.len());
    }
}

/// A source's value in sortable column `col`; times sort as how long ago
/// (or how soon), so that ascending reads freshest first.
fn sort_key(s: &SourceStatus, col: usize) -> SortKey<'_> {
    let millis = |t: Option<Time>| t.map(|t| -(t.timestamp_millis() as f64));
    match col {
        0 => SortKey::Text(&s.name),
        1 => SortKey::Text(s.kind),
        2 => SortKey::Text(state(s).0),
        3 => SortKey::Number(millis(s.last_ok)),
        4 => SortKey::Number(s.next_poll.map(|t| t.timestamp_millis() as f64)),
        _ => SortKey::Number(Some(s.items.total() as f64)),
    }
}

impl Screen for Sources {
    fn name(&self) -> &'static str {
        "Sources"
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
            // The selection stays on its source (see `rebuild`).
            ListKey::Rebuild { .. } => {
                self.rebuild(ctx, cursor);
                return Reply::Redraw;
            }
        }
        match (action, self.names.get(cursor.selected)) {
            (Action::Open, Some(name)) => {
                Reply::Open(Box::new(super::source_detail::page(name.clone())))
            }
            (Action::Open, None) => Reply::Say("no source is selected".into()),
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
        self.names.get(cursor.selected).map(|n| n.to_string())
    }

    fn render(&self, frame: &mut Frame, area: Rect, ctx: &Ctx, cursor: &Cursor) {
        draw(frame, area, ctx, cursor.selected, self);
        prompt::render_listing(&ctx.theme, frame, area, &self.list);
    }
}

fn draw(frame: &mut Frame, area: Rect, ctx: &Ctx, selected: usize, state: &Sources) {
    let th = &ctx.theme;
    let snapshot = ctx.snapshot;
    // Sources are only ever added; before the first refresh every one is listed.
    let all: Vec<usize>;
    let listed: &[usize] = if state.rows.is_empty() && state.list.query().is_empty() {
        all = (0..snapshot.sources.len()).collect();
        &all
    } else {
        &state.rows
    };
    let problem = |s: &SourceStatus| problem(s, ctx.now);
    // What the selected source read, by type (EVENTS mixes them), then its
    // problem, else the first failing source's, so that an error is always
    // readable somewhere on this screen.
    let current = listed.get(selected).and_then(|&i| snapshot.sources.get(i));
    let detail = current
        .and_then(problem)
        .or_else(|| snapshot.sources.iter().find_map(problem));
    let problem_first = detail.is_some();
    let mut lines: Vec<Line> = detail
        .map(|d| Line::styled(d, th.alert))
        .into_iter()
        .collect();
    lines.extend(current.map(read_line));
    // As tall as the wrapped text, up to half the screen.
    let inner = usize::from(area.width.saturating_sub(2)).max(1);
    let wrapped: usize = lines.iter().map(|l| l.width().div_ceil(inner).max(1)).sum();
    let height = match wrapped {
        0 => 0,
        n => (n as u16 + 2).min(area.height / 2),
    };
    let [table_area, detail_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(height)]).areas(area);
    // Borders and header take three rows; the list scrolls with the selection.
    let rows = usize::from(table_area.height.saturating_sub(3));
    let table = table(ctx, listed, (selected, rows), state, area.width);
    frame.render_widget(table, table_area);
    if listed.is_empty() && !snapshot.sources.is_empty() {
        super::overview::no_match(frame, table_area, th, "source");
    }
    if height > 0 {
        let title = match (problem_first, current.is_some()) {
            (true, true) => " Problem · what the selected source read ",
            (true, false) => " Problem ",
            _ => " Read ",
        };
        let p = Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(Block::bordered().title(Span::styled(title, th.title)));
        frame.render_widget(p, detail_area);
    }
}

/// The sources listed, one row each.
fn table<'a>(
    ctx: &Ctx,
    listed: &[usize],
    (selected, rows): (usize, usize),
    state: &Sources,
    width: u16,
) -> Table<'a> {
    let th = &ctx.theme;
    let snapshot = ctx.snapshot;
    // Narrow terminals: SOURCE as wide as the longest name, and QUOTA only when
    // a source reports one, so that PROBLEMS keeps some room.
    let show_quota = width >= 110 || snapshot.sources.iter().any(|s| s.quota.is_some());
    let name_w = snapshot
        .sources
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(6)
        .clamp(6, 16) as u16;
    let rows = listed
        .iter()
        .filter_map(|&i| snapshot.sources.get(i))
        .enumerate()
        .skip(crate::ui::widgets::scroll::offset(selected, rows))
        .take(rows)
        .map(|(n, s)| {
            let r = Row::new(source_cells(th, s, show_quota, ctx.now));
            if n == selected {
                r.style(th.selected)
            } else {
                r
            }
        });
    let mut heads = vec!["SOURCE", "KIND", "STATE", "LAST OK", "NEXT POLL", "EVENTS"];
    let mut widths = vec![
        Constraint::Length(name_w),
        Constraint::Length(11),
        Constraint::Length(8),
        Constraint::Length(14),
        Constraint::Length(10),
        Constraint::Length(7),
    ];
    if show_quota {
        heads.push("QUOTA");
        widths.push(Constraint::Length(10));
    }
    heads.push("PROBLEMS");
    widths.push(Constraint::Fill(1));
    let header = Row::new(
        heads
            .into_iter()
            .enumerate()
            .map(|(i, h)| Cell::from(format!("{h}{}", state.list.sort.mark(i))).style(th.header)),
    );
    // EVENTS counts lines read; an update to a record (an incident's resolve,
    // a deployment's next region) is a line but not a new record, so the
    // status bar's count is smaller: the title says how the two relate.
    let read: u64 = snapshot.sources.iter().map(|s| s.items.total()).sum();
    let head = format!(
        " Sources · {} read into {}{}",
        format::plural(read as usize, "event"),
        format::plural(snapshot.views.records, "record"),
        state
            .list
            .title(listed.len(), snapshot.sources.len(), "reversed")
    );
    // The key hint only where the whole title fits (the border cuts a title).
    let title = [format!("{head} · Enter opens "), format!("{head} ")]
        .into_iter()
        .find(|t| crate::util::text::width(t) + 2 <= width as usize)
        .unwrap_or_else(|| crate::ui::fit_title(&format!("{head} "), width));
    Table::new(rows, widths).header(header).block(
        Block::bordered()
            .title(Span::styled(title, th.title))
            .title_bottom(Span::styled(" p pause/resume · r poll now ", th.dim)),
    )
}

/// "github read 12 deployment lines, 300 changes" (or "nothing yet").
fn read_line(s: &SourceStatus) -> Line<'static> {
    let read = match s.items.total() {
        0 => "nothing yet".to_string(),
        _ => s.items.summary(),
    };
    Line::raw(format!("{} read {read}", s.name))
}

/// One source's row: name, kind, state, last success, next poll, events,
/// (when `show_quota`) the rate-limit quota, and its problem.
fn source_cells(th: &Theme, s: &SourceStatus, show_quota: bool, now: Time) -> Vec<Cell<'static>> {
    let (state, kind) = state(s);
    let style = match kind {
        Health::Bad => th.alert,
        Health::Doubtful => th.warn,
        Health::Good => th.ok,
        Health::Unknown => th.dim,
    };
    let mut cells = vec![
        Cell::from(s.name.to_string()),
        Cell::from(s.kind),
        Cell::from(state).style(style),
        Cell::from(
            s.last_ok
                .map_or("never".into(), |t| format!("{} ago", format::age(now - t))),
        )
        .style(if s.stale() {
            th.alert
        } else {
            ratatui::style::Style::default()
        }),
        Cell::from(if s.paused {
            "paused".to_string()
        } else if s.reading {
            "after read".to_string()
        } else {
            s.next_poll.map_or("-".into(), |t| {
                if t > now {
                    format!("in {}", format::age(t - now))
                } else {
                    "now".into()
                }
            })
        }),
        Cell::from(s.items.total().to_string()),
    ];
    if show_quota {
        cells.push(
            Cell::from(s.quota.map_or("-".into(), |q| match q.limit {
                Some(l) => format!("{}/{l}", q.remaining),
                None => q.remaining.to_string(),
            }))
            .style(if s.quota.is_some_and(|q| q.remaining == 0) {
                th.alert
            } else {
                ratatui::style::Style::default()
            }),
        );
    }
    cells.push(match (&s.last_error, &s.warning) {
        (Some((t, e)), _) => {
            Cell::from(format!("{} ago: {e}", format::age(now - *t))).style(th.alert)
        }
        (None, Some(w)) => Cell::from(w.clone()).style(th.warn),
        (None, None) => Cell::from(""),
    });
    cells
}

/// How a source's state reads at a glance.
pub enum Health {
    Bad,
    Doubtful,
    Good,
    Unknown,
}

/// A source's state in one word, and how it reads.
pub fn state(s: &SourceStatus) -> (&'static str, Health) {
    if s.stale() {
        ("stale", Health::Bad)
    } else if s.failing() {
        ("failing", Health::Bad)
    } else if s.paused {
        ("paused", Health::Doubtful)
    } else if s.warning.is_some() {
        ("warning", Health::Doubtful)
    } else if s.last_ok.is_some() {
        ("ok", Health::Good)
    } else if s.reading {
        // A first read: a source read before keeps its word while it polls.
        ("reading", Health::Unknown)
    } else {
        ("waiting", Health::Unknown)
    }
}

/// A source's whole error or warning, which the table may cut.
fn problem(s: &SourceStatus, now: Time) -> Option<String> {
    let text = match (&s.last_error, &s.warning) {
        (Some((t, e)), _) if s.failing() => {
            format!(
                "{}: failing since {} ago: {e}",
                s.name,
                format::age(now - *t)
            )
        }
        (_, Some(w)) => format!("{}: {w}", s.name),
        _ => return None,
    };
    Some(text)
}
