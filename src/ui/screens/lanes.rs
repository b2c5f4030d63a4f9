//! `2` Lanes: one row per deployment (failed, then paused, then in flight
//! newest first, then recently finished; the title counts the failed and
//! paused), a column per region in rollout order with the stage's state glyph
//! and elapsed time, the canary verdict and score, a sparkline of the canary
//! error rate on one scale for every row, the certification gate (or the pause
//! holding the lane), and the symbols' legend on the bottom border.
//! Builds only the visible rows.

use crate::app::theme::Theme;
use crossterm::event::KeyCode;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table};

use crate::app::Action;
use crate::app::keymap::{Binding, key};
use crate::app::list_filter::Field;
use crate::app::list_sort::{ColumnSort, SortKey};
use crate::app::listing::{ListKey, Listing};
use crate::app::screen::{Ctx, Cursor, Reply, Screen};
use crate::metrics::lanes::{Gate, Lane, Outcome, Stage, verdict_label};
use crate::model::stage::StageState;
use crate::model::{Text, Time, Verdict};
use crate::ui::screens::lane;
use crate::ui::screens::lanes_legend as legend;
use crate::ui::widgets::{prompt, scroll};

const KEYS: &[Binding] = &[
    key(
        KeyCode::Enter,
        "Enter",
        Action::Open,
        "open the lane: stages, canary, gate",
    )
    .hint("open"),
    key(
        KeyCode::Char('/'),
        "/",
        Action::Filter,
        "filter: team: service: region: status: or text",
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

/// The columns `o` sorts by, as the title names them: the id, the state, the
/// canary score and the gate (region cells are glyphs and times).
const SORT_NAMES: [&str; 4] = ["deployment", "state", "canary score", "gate"];

/// A lane's value in sortable column `col`.
fn sort_key(lane: &Lane, col: usize) -> SortKey<'_> {
    match col {
        0 => SortKey::Text(&lane.id),
        1 => SortKey::Text(lane.outcome.label()),
        2 => SortKey::Number(lane.canary.as_ref().and_then(|c| c.score)),
        _ => SortKey::Text(gate_word(&lane.gate)),
    }
}

/// What `/` can name on the Lanes.
const FILTER_KEYS: &[Field] = &[Field::Team, Field::Service, Field::Region, Field::Status];

/// `2` Lanes' row model: the deployment of each row.
#[derive(Debug)]
pub struct Lanes {
    /// Deployment ids in row order: the cursor stays on its deployment as
    /// lanes come and go.
    ids: Vec<Text>,
    /// The same rows as indices into the snapshot's lanes, and the snapshot
    /// version they were built for (drawn from another: every lane).
    rows: Vec<usize>,
    built: Option<u64>,
    list: Listing,
}

impl Default for Lanes {
    fn default() -> Self {
        Self {
            ids: Vec::new(),
            rows: Vec::new(),
            built: None,
            list: Listing::new(FILTER_KEYS, &SORT_NAMES),
        }
    }
}

impl Lanes {
    fn rebuild(&mut self, ctx: &Ctx, cursor: &mut Cursor) {
        let anchor = self.ids.get(cursor.selected).cloned();
        let lanes = &ctx.snapshot.views.lanes.lanes;
        let q = self.list.query();
        self.rows = (0..lanes.len())
            .filter(|&i| q.is_empty() || q.matches(&filter_fields(&lanes[i])))
            .collect();
        self.list
            .sort
            .apply(&mut self.rows, |&i, col| sort_key(&lanes[i], col));
        self.ids = self.rows.iter().map(|&i| lanes[i].id.clone()).collect();
        self.built = Some(ctx.snapshot.version);
        cursor.selected = anchor
            .and_then(|id| self.ids.iter().position(|i| *i == id))
            .unwrap_or(0);
        cursor.set_rows(self.ids.len());
    }
}

impl Lanes {
    /// The rows to draw (indices into the snapshot's lanes) and what the title
    /// says of the filter; every lane when the rows were built for another
    /// snapshot (an app drawn before its first refresh).
    fn listed(&self, snapshot: &crate::store::Snapshot) -> (std::borrow::Cow<'_, [usize]>, String) {
        let all = snapshot.views.lanes.lanes.len();
        if self.built == Some(snapshot.version) {
            let title = self.list.title(self.rows.len(), all, "oldest first");
            (std::borrow::Cow::Borrowed(&self.rows[..]), title)
        } else {
            (std::borrow::Cow::Owned((0..all).collect()), String::new())
        }
    }
}

fn title(lanes: &crate::metrics::lanes::Lanes, filtered: &str) -> String {
    let trouble = match lanes.trouble() {
        (0, 0) => String::new(),
        (f, 0) => format!(" · {f} failed"),
        (0, p) => format!(" · {p} paused"),
        (f, p) => format!(" · {f} failed · {p} paused"),
    };
    format!(
        " Lanes{trouble} · {} in flight · {} finished in the last 12h · canary region {}{filtered} · Enter opens ",
        lanes.in_flight,
        lanes.lanes.len() - lanes.in_flight,
        lanes.regions.first().map_or("-", |r| &**r)
    )
}

/// A lane's fields for the filter: its team, service, outcome and gate, the
/// regions it has reached, and its id.
fn filter_fields(lane: &Lane) -> Vec<(Field, &str)> {
    let mut f = vec![
        (Field::Team, &*lane.team),
        (Field::Service, &*lane.service),
        (Field::Status, lane.outcome.label()),
        (Field::Status, gate_word(&lane.gate)),
        (
            Field::Status,
            if lane.paused().is_some() {
                "paused"
            } else {
                ""
            },
        ),
        (Field::Text, &*lane.id),
    ];
    f.extend(
        lane.stages
            .iter()
            .filter(|s| s.start.is_some())
            .map(|s| (Field::Region, &*s.region)),
    );
    f
}

/// The gate in one word, for `status:blocked`.
fn gate_word(g: &Gate) -> &'static str {
    match g {
        Gate::Waiting => "waiting",
        Gate::Certified { .. } => "certified",
        Gate::Blocked(_) => "blocked",
    }
}

impl Screen for Lanes {
    fn name(&self) -> &'static str {
        "Lanes"
    }

    fn keys(&self) -> &'static [Binding] {
        KEYS
    }

    fn legend(&self, th: &Theme) -> Vec<(String, String)> {
        legend::help_lines(th)
    }

    fn refresh(&mut self, ctx: &Ctx, cursor: &mut Cursor) {
        self.rebuild(ctx, cursor);
    }

    fn listing(&self) -> Option<&Listing> {
        Some(&self.list)
    }

    fn listing_mut(&mut self) -> Option<&mut Listing> {
        Some(&mut self.list)
    }

    fn update(&mut self, action: Action, ctx: &Ctx, cursor: &mut Cursor) -> Reply {
        match self.list.key(action) {
            ListKey::Pass => {}
            ListKey::Redraw => return Reply::Redraw,
            // The selection stays on its lane (see `rebuild`).
            ListKey::Rebuild { .. } => {
                self.rebuild(ctx, cursor);
                return Reply::Redraw;
            }
        }
        match (action, self.ids.get(cursor.selected)) {
            (Action::Open, Some(id)) => Reply::Open(Box::new(lane::page(id.clone()))),
            _ => Reply::Pass,
        }
    }

    fn targets(&self, ctx: &Ctx) -> Vec<(&'static str, String, String)> {
        ctx.snapshot
            .views
            .lanes
            .lanes
            .iter()
            .map(|l| ("lane", format!("{} {}", l.id, l.service), l.id.to_string()))
            .collect()
    }

    fn open_id(&mut self, id: &str, _ctx: &Ctx, cursor: &mut Cursor) -> Reply {
        if let Some(row) = self.ids.iter().position(|i| &**i == id) {
            cursor.selected = row;
        }
        Reply::Open(Box::new(lane::page(id.into())))
    }

    fn selected_id(&self, _ctx: &Ctx, cursor: &Cursor) -> Option<String> {
        self.ids.get(cursor.selected).map(|t| t.to_string())
    }

    fn render(&self, frame: &mut Frame, area: Rect, ctx: &Ctx, cursor: &Cursor) {
        draw(frame, area, ctx, cursor.selected, self);
        prompt::render_listing(&ctx.theme, frame, area, &self.list);
    }
}

/// Width of a region column: glyph, space, compact elapsed ("1h05m").
const REGION_W: u16 = 10;
const SPARK_W: usize = 8;
/// From this width on, full region names and the error-rate sparkline.
const WIDE: u16 = 110;
/// The gate needs "certified" at least.
const GATE_MIN: usize = 9;

/// "us-east-1" -> "use1", "eu-west-1" -> "euw1": a header that fits a narrow
/// region column. Names without dashes are cut to six characters.
pub fn region_code(region: &str) -> String {
    let parts: Vec<&str> = region.split('-').filter(|p| !p.is_empty()).collect();
    if parts.len() < 2 {
        return region.chars().take(6).collect();
    }
    let (last, rest) = parts.split_last().unwrap_or((&"", &[]));
    let mut code: String = rest
        .iter()
        .enumerate()
        .flat_map(|(n, p)| p.chars().take(if n == 0 { 2 } else { 1 }))
        .collect();
    if last.chars().all(|c| c.is_ascii_digit()) {
        code.push_str(last);
    } else {
        code.extend(last.chars().take(1));
    }
    code.chars().take(6).collect()
}

pub fn outcome_style(th: &Theme, o: Outcome) -> Style {
    match o {
        Outcome::InFlight => th.active,
        Outcome::Succeeded => th.ok,
        Outcome::Failed | Outcome::RolledBack | Outcome::Aborted => th.alert,
    }
}

pub fn verdict_style(th: &Theme, v: Option<Verdict>) -> Style {
    match v {
        Some(Verdict::Pass) => th.ok,
        Some(Verdict::Marginal) => th.warn,
        Some(Verdict::Fail) => th.alert,
        None => th.dim,
    }
}

/// A region's mark and how long its stage took or has taken: two parts where
/// the columns are wide ("✓ 12m 30s"), the largest unit in 7 columns ("✓ 12m").
fn stage_cell(th: &Theme, stage: &Stage, lane: &Lane, now: Time, wide: bool) -> Cell<'static> {
    let (mark, _) = legend::stage_mark(stage, lane);
    let text = match stage.duration(now) {
        Some(d) => format!(
            "{mark} {}",
            crate::util::format::span(d, if wide { 2 } else { 1 })
        ),
        None => format!("{mark}"),
    };
    Cell::from(text).style(th.stage(stage.state))
}

pub fn canary_text(th: &Theme, lane: &Lane) -> (String, Style) {
    match &lane.canary {
        None if lane
            .stages
            .first()
            .is_some_and(|s| s.state == StageState::Verifying) =>
        {
            ("analysing".into(), th.dim)
        }
        None => ("–".into(), th.dim),
        Some(c) => match (c.verdict, c.score) {
            (Some(v), Some(s)) => (
                format!("{} {s:.0}", verdict_label(v)),
                verdict_style(th, Some(v)),
            ),
            (Some(v), None) => (verdict_label(v).to_string(), verdict_style(th, Some(v))),
            (None, _) => ("no data".into(), th.warn),
        },
    }
}

fn draw(frame: &mut Frame, area: Rect, ctx: &Ctx, selected: usize, state: &Lanes) {
    let th = &ctx.theme;
    let snapshot = ctx.snapshot;
    let lanes = &snapshot.views.lanes;
    let now = ctx.now;
    let (listed, filtered) = state.listed(snapshot);
    let block = Block::bordered().title(Span::styled(
        crate::ui::fit_title(&title(lanes, &filtered), area.width),
        th.title,
    ));
    if lanes.lanes.is_empty() {
        frame.render_widget(empty(th, block), area);
        return;
    }
    let height = block.inner(area).height.saturating_sub(1) as usize;
    let offset = scroll::offset(selected, height);

    // Responsive columns (k9s-style): ids stay whole; below WIDE the sparkline
    // goes and regions show a short code over glyph + compact elapsed; where the
    // gate would still be squeezed, the STATE column goes (the id's dimming and
    // the region glyphs say it too).
    let inner_w = block.inner(area).width as usize;
    let wide = area.width >= WIDE;
    // Sized from every lane listed (the last 12 hours, not the rows on view
    // or the filter's): a filter or a scroll never moves the columns.
    let id_w = lanes
        .lanes
        .iter()
        .map(|l| l.id.chars().count() + if l.hotfix { 7 } else { 0 })
        .max()
        .unwrap_or(10)
        .clamp(10, 32);
    let region_w = if wide { REGION_W as usize } else { 7 };
    let spark_w = if wide { SPARK_W + 1 } else { 0 };
    // The id and the canary score stay whole: regions that do not fit beside
    // them are dropped whole, the last ones first, and the border says so.
    let room = inner_w.saturating_sub(id_w + 1 + 12 + spark_w + GATE_MIN);
    let shown = (room / (region_w + 1)).min(lanes.regions.len());
    let fixed = id_w + 1 + shown * (region_w + 1) + 12 + spark_w;
    let show_state = wide || inner_w.saturating_sub(fixed + 12) >= GATE_MIN;
    let hidden = lanes.regions.len() - shown;
    let block = bottom_titles(block, th, (inner_w, hidden > 0), wide);

    let header = header(
        &lanes.regions[..shown],
        (show_state, wide),
        lanes.error_scale,
        state.list.sort,
    );
    let widths = widths(id_w, (show_state, shown, region_w), wide);
    // The gate takes what is left (one space between columns), cut with `…`.
    let gate_w = inner_w.saturating_sub(
        widths
            .iter()
            .map(|c| match c {
                Constraint::Length(n) => *n as usize + 1,
                _ => 0,
            })
            .sum(),
    );
    let rows = listed
        .iter()
        .filter_map(|&i| lanes.lanes.get(i))
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(row, lane)| {
            let row_cells = Row::new(lane_cells(
                th,
                lane,
                (lane.outcome == Outcome::InFlight, show_state, wide, shown),
                (now, lanes.error_scale, gate_w),
            ));
            (row, row_cells)
        })
        .map(|(n, row)| {
            if n == selected {
                row.style(th.selected)
            } else {
                row
            }
        });
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(th.header))
        .column_spacing(1)
        .block(block);
    let empty = listed.is_empty() && !filtered.is_empty();
    frame.render_widget(table, area);
    if empty {
        super::overview::no_match(frame, area, th, "lane");
    }
}

/// The columns' widths: id, state (when shown), `shown` regions, canary,
/// the sparkline (when `wide`), and the gate taking the rest.
fn widths(
    id_w: usize,
    (show_state, shown, region_w): (bool, usize, usize),
    wide: bool,
) -> Vec<Constraint> {
    let mut widths = vec![Constraint::Length(id_w as u16)];
    if show_state {
        widths.push(Constraint::Length(11));
    }
    widths.extend((0..shown).map(|_| Constraint::Length(region_w as u16)));
    widths.push(Constraint::Length(11));
    if wide {
        widths.push(Constraint::Length(SPARK_W as u16));
    }
    widths.push(Constraint::Fill(1));
    widths
}

/// The legend on the bottom border, and at its right where regions are
/// hidden, how to see them.
fn bottom_titles<'a>(
    block: Block<'a>,
    th: &Theme,
    (inner_w, hidden): (usize, bool),
    sparkline: bool,
) -> Block<'a> {
    let more = if inner_w >= 100 {
        " more regions: a wider terminal or Enter shows them "
    } else {
        " more regions: Enter "
    };
    let more_w = if hidden { more.len() + 1 } else { 0 };
    let block = block.title_bottom(Span::styled(
        legend::line(th, inner_w.saturating_sub(more_w), sparkline),
        th.dim,
    ));
    if hidden {
        block.title_bottom(Line::from(Span::styled(more, th.dim)).right_aligned())
    } else {
        block
    }
}

fn empty<'a>(th: &Theme, block: Block<'a>) -> Paragraph<'a> {
    Paragraph::new(vec![
        Line::from(""),
        Line::from(" No deployments in flight or finished in the last 12 hours."),
        Line::from(Span::styled(
            " Lanes appear as sources report production deployments.",
            th.dim,
        )),
    ])
    .block(block)
}

/// Column heads: regions in full when `wide`, else their short codes; the
/// sparkline's with the top of its scale; the sorted column marked ▲ or ▼.
fn header(
    regions: &[Text],
    (show_state, wide): (bool, bool),
    scale: f64,
    sort: ColumnSort,
) -> Vec<Cell<'static>> {
    let head = |name: &str, col: usize| Cell::from(format!("{name}{}", sort.mark(col)));
    let mut header = vec![head("DEPLOYMENT", 0)];
    if show_state {
        header.push(head("STATE", 1));
    }
    for r in regions {
        header.push(Cell::from(if wide {
            r.to_string()
        } else {
            region_code(r)
        }));
    }
    header.push(head("CANARY", 2));
    if wide {
        // The top of the shared scale: a full bar is this error rate.
        let top = legend::scale_top(scale);
        header.push(Cell::from(format!("ERR≤{top}")));
    }
    header.push(head("GATE", 3));
    header
}

/// One lane's row: id (dim once finished), state, a cell for each of the first
/// `shown` regions, canary, (when `wide`) the error-rate sparkline, and the gate.
fn lane_cells(
    th: &Theme,
    lane: &Lane,
    (in_flight, show_state, wide, shown): (bool, bool, bool, usize),
    (now, scale, gate_w): (Time, f64, usize),
) -> Vec<Cell<'static>> {
    let id_style = if in_flight { Style::new() } else { th.dim };
    let hotfix = if lane.hotfix { " hotfix" } else { "" };
    let mut cells = vec![Cell::from(format!("{}{hotfix}", lane.id)).style(id_style)];
    if show_state {
        cells.push(Cell::from(lane.outcome.label()).style(outcome_style(th, lane.outcome)));
    }
    for s in lane.stages.iter().take(shown) {
        cells.push(stage_cell(th, s, lane, now, wide));
    }
    let (canary, style) = canary_text(th, lane);
    cells.push(Cell::from(canary).style(style));
    if wide {
        let spark = if lane.error_series.is_empty() {
            Cell::from("–").style(th.dim)
        } else {
            Cell::from(Line::from(legend::sparkline(
                th,
                &lane.error_series,
                SPARK_W,
                (scale, lane.error_limit),
            )))
        };
        cells.push(spark);
    }
    let (gate, style) = legend::gate_text(th, lane);
    cells.push(Cell::from(crate::util::text::truncate(&gate, gate_w)).style(style));
    cells
}
