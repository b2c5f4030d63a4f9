//! `4` Findings: compliance posture per team and per account, then the findings
//! that pass the `/` filter (open first, most severe first). Enter opens one.

use crate::app::theme::Theme;
use crossterm::event::KeyCode;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::app::Action;
use crate::app::findings::{FindingsFilter, effective, matching_rows, prompt_hint};
use crate::app::keymap::{Binding, key};
use crate::app::list_filter;
use crate::app::list_sort::{self, ColumnSort, SortKey};
use crate::app::screen::{Ctx, Cursor, Reply, Screen};
use crate::metrics::posture::FindingRow;
use crate::model::{Finding, FindingStatus, Severity, Time};
use crate::ui::screens::{finding, findings_posture};
use crate::ui::widgets::fitted_table::{self, Col, FitRow, KEEP};
use crate::ui::widgets::{prompt, scroll};

const KEYS: &[Binding] = &[
    key(KeyCode::Enter, "Enter", Action::Open, "open the finding").hint("open"),
    key(
        KeyCode::Char('/'),
        "/",
        Action::Filter,
        "filter: sev: status: team: fw: (Esc clears)",
    )
    .hint("filter"),
    key(
        KeyCode::Char('R'),
        "R",
        Action::ToggleResolved,
        "show resolved and suppressed findings too / open only",
    )
    .hint("resolved"),
    key(
        KeyCode::Char('o'),
        "o O",
        Action::SortNext,
        "sort by the next column / reverse",
    )
    .hint("sort"),
    key(KeyCode::Char('O'), "", Action::SortReverse, ""),
];

/// What the title calls each column, in [`FINDING_COLUMNS`] order.
const SORT_NAMES: [&str; 7] = [
    "severity",
    "status",
    "age",
    "team",
    "account",
    "frameworks",
    "title",
];

/// `4` Findings' state: the filter, the `/` prompt that edits it, and the
/// rows that pass it (refiltered when the filter or the snapshot changes).
#[derive(Debug, Default)]
pub struct Findings {
    filter: FindingsFilter,
    /// The `/` prompt's text while it is open.
    prompt: Option<String>,
    /// Positions in `views.findings.rows` that pass the filter, in order.
    rows: Vec<usize>,
    /// The snapshot version `rows` were computed for.
    version: Option<u64>,
    /// `R`: resolved and suppressed findings listed too. Off, only open ones
    /// are (unless the filter names a status): what needs doing.
    show_resolved: bool,
    /// How many findings the open-only default hides.
    hidden: usize,
    /// The record of each row, so that the cursor stays on its finding.
    row_records: Vec<usize>,
    sort: ColumnSort,
}

impl Findings {
    fn refilter(&mut self, ctx: &Ctx, cursor: &mut Cursor) {
        let view = &ctx.snapshot.views.findings.rows;
        let records = &ctx.snapshot.records.findings;
        // The finding selected, by record: the cursor stays on it.
        let anchor = self.row_records.get(cursor.selected).copied();
        self.version = Some(ctx.snapshot.version);
        let mut rows = matching_rows(&self.filter, ctx.snapshot);
        let before = rows.len();
        if !self.show_resolved && self.filter.statuses.is_empty() {
            rows.retain(|&r| {
                view.get(r)
                    .and_then(|row| Some(effective(records.get(row.index)?, row.open)))
                    == Some(FindingStatus::Open)
            });
        }
        self.hidden = before - rows.len();
        self.sort.apply(&mut rows, |&r, col| {
            match view
                .get(r)
                .and_then(|row| Some((row, records.get(row.index)?)))
            {
                Some((row, f)) => sort_key(row, f, col, ctx.now),
                None => SortKey::Number(None),
            }
        });
        self.rows = rows;
        self.row_records = self
            .rows
            .iter()
            .map(|&r| view.get(r).map_or(usize::MAX, |row| row.index))
            .collect();
        if let Some(row) = anchor.and_then(|a| self.row_records.iter().position(|&r| r == a)) {
            cursor.selected = row;
        }
        cursor.set_rows(self.rows.len());
    }

    /// Keys while the prompt is open: the list follows the text as it is
    /// typed (a text with a problem keeps the last good filter and the hint
    /// says why); Enter keeps the filter, Esc clears it.
    fn edit_prompt(&mut self, action: Action, ctx: &Ctx, cursor: &mut Cursor) -> Reply {
        let Some(text) = self.prompt.as_mut() else {
            return Reply::Pass;
        };
        if list_filter::edit(text, action) {
            let filter = FindingsFilter::parse(text);
            if filter.problems.is_empty() && filter != self.filter {
                self.filter = filter;
                cursor.selected = 0;
                self.refilter(ctx, cursor);
            }
            return Reply::Redraw;
        }
        match action {
            Action::Open => {
                if !FindingsFilter::parse(text).problems.is_empty() {
                    return Reply::Nothing;
                }
                self.prompt = None;
            }
            Action::Back => {
                self.prompt = None;
                self.filter = FindingsFilter::default();
                cursor.selected = 0;
                self.refilter(ctx, cursor);
            }
            _ => return Reply::Pass,
        }
        Reply::Redraw
    }
}

impl Screen for Findings {
    fn name(&self) -> &'static str {
        "Findings"
    }

    fn keys(&self) -> &'static [Binding] {
        KEYS
    }

    fn refresh(&mut self, ctx: &Ctx, cursor: &mut Cursor) {
        if self.version != Some(ctx.snapshot.version) {
            self.refilter(ctx, cursor);
        }
    }

    fn update(&mut self, action: Action, ctx: &Ctx, cursor: &mut Cursor) -> Reply {
        if self.prompt.is_some() {
            return self.edit_prompt(action, ctx, cursor);
        }
        match action {
            Action::Filter => {
                self.prompt = Some(self.filter.text.clone());
                Reply::Redraw
            }
            // Esc on the list clears an active filter.
            Action::Back if !self.filter.is_empty() => {
                self.filter = FindingsFilter::default();
                cursor.selected = 0;
                self.refilter(ctx, cursor);
                Reply::Redraw
            }
            Action::ToggleResolved => {
                self.show_resolved = !self.show_resolved;
                cursor.selected = 0;
                self.refilter(ctx, cursor);
                Reply::Redraw
            }
            Action::SortNext | Action::SortReverse => {
                if let Some(sort) = self.sort.key(action, SORT_NAMES.len()) {
                    self.sort = sort;
                }
                self.refilter(ctx, cursor);
                Reply::Redraw
            }
            Action::Open => {
                let id = self
                    .rows
                    .get(cursor.selected)
                    .and_then(|&row| ctx.snapshot.views.findings.rows.get(row))
                    .and_then(|row| ctx.snapshot.records.findings.get(row.index));
                match id {
                    Some(f) => Reply::Open(Box::new(finding::page(f.id.clone()))),
                    None => Reply::Nothing,
                }
            }
            _ => Reply::Pass,
        }
    }

    fn prompt(&self) -> Option<&str> {
        self.prompt.as_deref()
    }

    fn saved_view(&self) -> Option<String> {
        let resolved = if self.show_resolved { "R" } else { "" };
        Some(list_sort::saved(self.sort, &SORT_NAMES, &self.filter.text) + "\t" + resolved)
    }

    fn restore_view(&mut self, text: &str) {
        let (sort, rest) = list_sort::restore(text, &SORT_NAMES);
        let (text, resolved) = rest.split_once('\t').unwrap_or((rest, ""));
        self.sort = sort;
        self.show_resolved = resolved == "R";
        self.version = None;
        let filter = FindingsFilter::parse(text);
        if filter.problems.is_empty() {
            self.filter = filter;
            self.version = None;
        }
    }

    fn targets(&self, ctx: &Ctx) -> Vec<(&'static str, String, String)> {
        ctx.snapshot
            .records
            .findings
            .iter()
            .map(|f| {
                let title = f.title.as_deref().unwrap_or("");
                ("finding", format!("{} {title}", f.id), f.id.to_string())
            })
            .collect()
    }

    fn open_id(&mut self, id: &str, ctx: &Ctx, cursor: &mut Cursor) -> Reply {
        let view = &ctx.snapshot.views.findings.rows;
        let records = &ctx.snapshot.records.findings;
        if let Some(row) = self.rows.iter().position(|&r| {
            view.get(r)
                .and_then(|row| records.get(row.index))
                .is_some_and(|f| &*f.id == id)
        }) {
            cursor.selected = row;
        }
        Reply::Open(Box::new(finding::page(id.into())))
    }

    fn selected_id(&self, ctx: &Ctx, cursor: &Cursor) -> Option<String> {
        let row = ctx
            .snapshot
            .views
            .findings
            .rows
            .get(*self.rows.get(cursor.selected)?)?;
        Some(ctx.snapshot.records.findings.get(row.index)?.id.to_string())
    }

    fn render(&self, frame: &mut Frame, area: Rect, ctx: &Ctx, cursor: &Cursor) {
        let th = &ctx.theme;
        draw(frame, area, ctx, self, cursor.selected);
        if let Some(text) = &self.prompt {
            prompt::render(th, frame, area, text, |room| prompt_hint(text, room));
        }
    }
}

pub fn severity_style(th: &Theme, s: Severity) -> Style {
    match s {
        Severity::Critical => th.alert.bold(),
        Severity::High => th.alert,
        Severity::Medium => th.warn,
        Severity::Low => Style::default(),
        Severity::Info => th.dim,
    }
}

pub fn severity_short(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "CRIT",
        Severity::High => "HIGH",
        Severity::Medium => "MED",
        Severity::Low => "LOW",
        Severity::Info => "INFO",
    }
}

pub fn status_label(s: FindingStatus) -> &'static str {
    match s {
        FindingStatus::Open => "open",
        FindingStatus::Resolved => "resolved",
        FindingStatus::Suppressed => "suppressed",
    }
}

fn draw(frame: &mut Frame, area: Rect, ctx: &Ctx, state: &Findings, selected: usize) {
    let th = &ctx.theme;
    let snapshot = ctx.snapshot;
    let view = &snapshot.views.findings;
    let Some(table) = view.windows.get(ctx.window) else {
        return;
    };
    let team_height = (table.teams.len() as u16 + 3).min(area.height / 3).max(4);
    let account_height = (table.accounts.len() as u16 + 3)
        .min(area.height / 5)
        .max(4);
    let [summary, teams_area, remote_area, accounts_area, list_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(team_height),
        Constraint::Length(super::findings_remote::height(snapshot, area)),
        Constraint::Length(account_height),
        Constraint::Fill(1),
    ])
    .areas(area);

    // Summary line (the prompt, while open, is drawn over it).
    let t = &table.total;
    let line = {
        let mut spans = vec![
            Span::raw(format!(" {} open  ", t.open_total)),
            Span::styled(
                format!("{} critical  ", t.open[0]),
                if t.open[0] > 0 { th.alert } else { th.ok },
            ),
            Span::styled(
                format!("{} past SLA  ", t.sla_breaches),
                if t.sla_breaches > 0 { th.alert } else { th.ok },
            ),
            Span::raw(format!("{} new in 24h  ", t.new_24h)),
        ];
        spans.extend(super::findings_remote::summary(th, snapshot));
        if state.filter.is_empty() {
            spans.push(Span::styled("/ to filter", th.dim));
        } else {
            spans.push(Span::styled(
                format!("filter: {} (/ to change)", state.filter.text),
                th.title,
            ));
        }
        Line::from(spans)
    };
    frame.render_widget(Paragraph::new(line), summary);

    findings_posture::table(
        frame,
        teams_area,
        "TEAM",
        &table.teams,
        &format!(
            " Posture by team · last {} days, trend vs the {} days before ",
            table.days, table.days
        ),
        ctx,
    );
    super::findings_remote::draw(frame, remote_area, ctx);
    findings_posture::table(
        frame,
        accounts_area,
        "ACCOUNT",
        &table.accounts,
        " Posture by account ",
        ctx,
    );
    // Tall terminals: open findings by severity week by week above the list.
    let list_area = if list_area.height >= 16 {
        let [chart, rest] =
            Layout::vertical([Constraint::Length(9), Constraint::Fill(1)]).areas(list_area);
        let title = Span::styled(" Open findings by severity · 12 weeks ", th.title);
        crate::ui::charts::findings_over_time(
            frame,
            chart,
            th,
            ratatui::widgets::Block::bordered().title(title),
            (&snapshot.views.weekly_open_findings, snapshot.views.now),
        );
        rest
    } else {
        list_area
    };
    findings_list(frame, list_area, ctx, state, selected);
}

/// `12d / 7d` with the SLA, or the age alone.
pub fn age_vs_sla(row: &FindingRow, age: chrono::TimeDelta) -> String {
    match row.sla_days {
        Some(d) => format!(
            "{} / {d}d",
            crate::util::format::span(age.max(chrono::TimeDelta::zero()), 1)
        ),
        None => crate::util::format::span(age.max(chrono::TimeDelta::zero()), 1),
    }
}

fn findings_list(frame: &mut Frame, area: Rect, ctx: &Ctx, state: &Findings, selected: usize) {
    let th = &ctx.theme;
    let snapshot = ctx.snapshot;
    let view = &snapshot.views.findings;
    let records = &snapshot.records.findings;
    let shown = state.rows.len();
    let hidden = match state.hidden {
        0 if state.show_resolved => " · R hides resolved".to_string(),
        0 => String::new(),
        n => format!(" · R shows {n} resolved"),
    };
    let block = Block::bordered().title(Span::styled(
        crate::ui::fit_title(
            &format!(
                " Findings · {shown} of {}{hidden}{} · Enter opens · / filter ",
                view.rows.len(),
                state.sort.title(&SORT_NAMES, "reversed"),
            ),
            area.width,
        ),
        th.title,
    ));
    let height = block.inner(area).height.saturating_sub(1) as usize;
    let offset = scroll::offset(selected, height);
    let body: Vec<FitRow> = state
        .rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .filter_map(|(n, &pos)| {
            let row = view.rows.get(pos)?;
            let f = records.get(row.index)?;
            Some(FitRow::marked(
                finding_cells(th, row, f, ctx.now),
                n == selected,
                th.selected,
            ))
        })
        .collect();
    let cols: Vec<Col> = FINDING_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| c.marked(state.sort.mark(i)))
        .collect();
    fitted_table::draw(frame, area, block, (&cols, th.header), body);
    if shown == 0 {
        let why = if view.rows.is_empty() {
            super::findings_remote::empty_note(snapshot)
                .unwrap_or_else(|| " No findings read yet.".to_string())
        } else if state.filter.is_empty() && state.hidden > 0 {
            format!(
                " No open findings: {} resolved or suppressed (R shows them).",
                state.hidden
            )
        } else {
            " No finding matches the filter (/ to change it).".to_string()
        };
        empty_message(th, frame, area, &why);
    }
}

/// The finding list's columns: a narrow terminal drops the account first
/// (the team says whose it is), then the frameworks and the title;
/// severity and age against the SLA always stay.
const FINDING_COLUMNS: [Col; 7] = [
    Col::whole("SEV", KEEP),
    Col::whole("STATUS", 7),
    Col::whole("AGE / SLA", KEEP),
    Col::name("TEAM", 6, 6),
    Col::whole("ACCOUNT", 1),
    Col::name("FRAMEWORKS", 10, 4),
    Col::text("TITLE", 24, 5),
];

/// One finding's row: severity, status, age against the SLA, team, account,
/// frameworks and title.
fn finding_cells(th: &Theme, row: &FindingRow, f: &Finding, now: Time) -> Vec<Line<'static>> {
    let status = effective(f, row.open);
    let age = if row.open {
        now - f.opened
    } else {
        f.resolved.unwrap_or(f.opened) - f.opened
    };
    let age_style = if row.breached {
        th.alert
    } else {
        Style::default()
    };
    let frameworks = row
        .frameworks
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let title = f
        .title
        .as_deref()
        .or(f.rule.as_deref())
        .unwrap_or(&f.id)
        .to_string();
    vec![
        Line::from(Span::styled(
            severity_short(f.severity),
            severity_style(th, f.severity),
        )),
        Line::from(status_label(status)),
        Line::from(Span::styled(age_vs_sla(row, age), age_style)),
        Line::from(row.team.to_string()),
        Line::from(f.account.as_deref().unwrap_or("-").to_string()),
        Line::from(Span::styled(frameworks, th.dim)),
        Line::from(title),
    ]
}

/// A finding's value in sortable column `col` (in [`FINDING_COLUMNS`] order).
fn sort_key<'a>(row: &'a FindingRow, f: &'a Finding, col: usize, now: Time) -> SortKey<'a> {
    let secs = |d: chrono::TimeDelta| Some(d.num_seconds() as f64);
    match col {
        // Most severe first when ascending, as the list reads by default.
        0 => SortKey::Number(Some(f.severity as u8 as f64)),
        1 => SortKey::Text(status_label(effective(f, row.open))),
        2 if row.open => SortKey::Number(secs(now - f.opened)),
        2 => SortKey::Number(secs(f.resolved.unwrap_or(f.opened) - f.opened)),
        3 => SortKey::Text(&row.team),
        4 => SortKey::Text(f.account.as_deref().unwrap_or("")),
        5 => SortKey::Text(row.frameworks.first().map_or("", |t| &**t)),
        _ => SortKey::Text(f.title.as_deref().or(f.rule.as_deref()).unwrap_or(&f.id)),
    }
}

/// Why the list is empty, on its first row.
fn empty_message(th: &Theme, frame: &mut Frame, area: Rect, msg: &str) {
    let inner = Rect {
        x: area.x + 1,
        y: area.y + 2,
        width: area.width.saturating_sub(2),
        height: 1.min(area.height.saturating_sub(3)),
    };
    frame.render_widget(Paragraph::new(Span::styled(msg, th.dim)), inner);
}
