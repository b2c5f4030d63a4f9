//! A team's drill-down: each metric and the records behind it.

use crate::app::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crossterm::event::KeyCode;

use super::team_rows::row_line;
use crate::app::Action;
use crate::app::keymap::{Binding, key};
use crate::app::screen::{Ctx, Cursor, Reply, Screen};
use crate::metrics::dora::TeamDetail;
use crate::metrics::trend::{HIGHER_IS_BETTER, Trend, key_trends, rework_trend};
use crate::metrics::{TeamScorecard, Tier};
use crate::model::Text;
use crate::model::benchmarks::{Benchmarks, Framing};
use crate::store::Snapshot;
use crate::ui::screens::incident;
use crate::ui::screens::overview::key_values;
use crate::ui::widgets::scroll;
use crate::util::format;

/// The region whose canary certifies deployments (gate 2), for the Gates title.
fn canary_region(snapshot: &Snapshot) -> String {
    crate::metrics::gates::canary_region(&snapshot.settings).to_string()
}

const KEYS: &[Binding] = &[
    key(
        KeyCode::Enter,
        "Enter",
        Action::Open,
        "open the row: an incident, a deployment's lane",
    )
    .hint("open"),
    key(
        KeyCode::Char('t'),
        "t",
        Action::ToggleTrends,
        "weekly charts of the team / its numbers",
    ),
    key(
        KeyCode::Char('m'),
        "m",
        Action::NextMetric,
        "charts: next metric",
    ),
    // h l, not ← →: the arrows switch screens everywhere.
    key(
        KeyCode::Char('h'),
        "h l",
        Action::WeekEarlier,
        "charts: the records of the week before / after",
    ),
    key(KeyCode::Char('l'), "", Action::WeekLater, ""),
];

/// A team's drill-down: its numbers, then the records behind them.
#[derive(Debug)]
pub struct TeamPage {
    team: Text,
    /// The records behind the numbers, gathered on refresh (never per frame).
    detail: Option<TeamDetail>,
    /// `Some` while the weekly charts are shown (`t`).
    trends: Option<super::team_trends::Trends>,
}

impl TeamPage {
    pub fn new(team: Text) -> Self {
        Self {
            team,
            detail: None,
            trends: None,
        }
    }

    /// The drill-down with its weekly charts shown.
    pub fn with_charts(team: Text) -> Self {
        Self {
            trends: Some(Default::default()),
            ..Self::new(team)
        }
    }
}

/// Enter on row `n` of a team's records: the incident, or the lane of the
/// deployment (of the change); a lane no longer listed says so.
fn open_row(d: &TeamDetail, ctx: &Ctx, n: usize) -> Reply {
    let r = &ctx.snapshot.records;
    let (deps, changes) = (d.deployments.len(), d.changes.len());
    let deployment = if n < deps {
        d.deployments[n].deployment
    } else if n < deps + changes {
        d.changes[n - deps].deployment
    } else {
        return match d
            .incidents
            .get(n - deps - changes)
            .and_then(|row| r.incidents.get(row.incident))
        {
            Some(inc) => Reply::Open(Box::new(incident::page(inc.id.clone()))),
            None => Reply::Nothing,
        };
    };
    let Some(dep) = r.deployments.get(deployment) else {
        return Reply::Nothing;
    };
    if ctx.snapshot.views.lanes.find(&dep.id).is_none() {
        return Reply::Say(format!(
            "{} finished more than 12 hours ago: its lane is no longer listed",
            dep.id
        ));
    }
    Reply::Open(Box::new(crate::ui::screens::lane::page(Text::from(
        dep.id.as_str(),
    ))))
}

/// A team's records behind its numbers in window `window` (an index into
/// `views.windows`); `None` when the data names no such team.
pub fn detail(snapshot: &Snapshot, window: usize, team: &str) -> Option<TeamDetail> {
    let w = snapshot.views.windows.get(window)?;
    w.scorecards.teams.iter().find(|t| &*t.team == team)?;
    Some(
        snapshot
            .views
            .facts
            .team_detail(&snapshot.records, team, w.scorecards.window),
    )
}

impl Screen for TeamPage {
    fn name(&self) -> &'static str {
        "Team"
    }

    fn crumb(&self) -> String {
        self.team.to_string()
    }

    fn keys(&self) -> &'static [Binding] {
        KEYS
    }

    /// The deployment, change or incident of the row under the cursor.
    fn selected_id(&self, ctx: &Ctx, cursor: &Cursor) -> Option<String> {
        let d = self.detail.as_ref()?;
        let r = &ctx.snapshot.records;
        let n = cursor.selected;
        let (deps, changes) = (d.deployments.len(), d.changes.len());
        let id: &str = if n < deps {
            &r.deployments.get(d.deployments[n].deployment)?.id
        } else if n < deps + changes {
            &r.changes.get(d.changes[n - deps].change)?.id
        } else {
            &r.incidents
                .get(d.incidents.get(n - deps - changes)?.incident)?
                .id
        };
        Some(id.to_string())
    }

    fn refresh(&mut self, ctx: &Ctx, cursor: &mut Cursor) {
        self.detail = detail(ctx.snapshot, ctx.window, &self.team);
        if let Some(t) = &mut self.trends {
            t.refresh(ctx, &self.team);
            // The records behind the selected week instead of the window's.
            if let (Some(week), Some(_)) = (t.week_window(), &self.detail) {
                let facts = &ctx.snapshot.views.facts;
                self.detail = Some(facts.team_detail(&ctx.snapshot.records, &self.team, week));
            }
        }
        let rows = self.detail.as_ref().map_or(0, |d| {
            d.deployments.len() + d.changes.len() + d.incidents.len()
        });
        cursor.set_rows(rows);
    }

    /// Enter on a row opens its record: an incident, or the lane of a
    /// deployment (a change's: the deployment that shipped it).
    fn update(&mut self, action: Action, ctx: &Ctx, cursor: &mut Cursor) -> Reply {
        if action == Action::ToggleTrends {
            self.trends = match self.trends.take() {
                Some(_) => None,
                None => Some(Default::default()),
            };
            self.refresh(ctx, cursor);
            return Reply::Redraw;
        }
        if let Some(t) = &mut self.trends
            && t.update(action)
        {
            self.refresh(ctx, cursor);
            return Reply::Redraw;
        }
        if action != Action::Open {
            return Reply::Pass;
        }
        match &self.detail {
            Some(d) => open_row(d, ctx, cursor.selected),
            None => Reply::Nothing,
        }
    }

    fn render(&self, frame: &mut Frame, area: Rect, ctx: &Ctx, cursor: &Cursor) {
        if let (Some(t), Some(d)) = (&self.trends, &self.detail) {
            let pair = (&*self.team, t);
            super::team_trends::draw(frame, area, ctx, pair, cursor.selected, d);
            return;
        }
        draw(
            frame,
            area,
            ctx,
            cursor.selected,
            &self.team,
            self.detail.as_ref(),
        );
    }
}

fn draw(
    frame: &mut Frame,
    area: Rect,
    ctx: &Ctx,
    selected: usize,
    team: &str,
    detail: Option<&TeamDetail>,
) {
    let th = &ctx.theme;
    let snapshot = ctx.snapshot;
    let w = &snapshot.views.windows[ctx.window];
    let (Some(card), Some(detail)) = (w.scorecards.teams.iter().find(|t| &*t.team == team), detail)
    else {
        let msg = Paragraph::new(format!(" No team named {team} in the data. Esc goes back."))
            .block(Block::bordered());
        frame.render_widget(msg, area);
        return;
    };
    let governance = super::governance::team_lines(ctx, team);
    let gov_height = if governance.is_empty() {
        0
    } else {
        governance.len().min(4) as u16 + 2
    };
    let [top, gates_area, gov_area, list] = Layout::vertical([
        Constraint::Length(8),
        Constraint::Length(6),
        Constraint::Length(gov_height),
        Constraint::Fill(1),
    ])
    .areas(area);

    let previous = super::overview::has_previous(ctx.snapshot, w);
    let lines = numbers(th, card, previous, &snapshot.settings.benchmark);
    let title = format!(
        " {team} · last {} days · {} · t charts ",
        w.days, snapshot.settings.benchmark.name
    );
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(Span::styled(title, th.title))),
        top,
    );
    super::team_gates::draw(th, frame, gates_area, card, &canary_region(snapshot));
    if !governance.is_empty() {
        let block = Block::bordered().title(Span::styled(
            " Governance · contracts and accounts (6 lists them all) ",
            th.title,
        ));
        frame.render_widget(Paragraph::new(governance).block(block), gov_area);
    }

    let block = Block::bordered().title(Span::styled(
        " Records behind the numbers · Enter on an incident opens it · Esc back ",
        th.title,
    ));
    let inner = block.inner(list);
    frame.render_widget(block, list);
    if let Some(note) = remote_note(th, snapshot, team) {
        frame.render_widget(Paragraph::new(note), inner);
        return;
    }
    // Narrow terminals drop the service column so the verdict stays readable.
    let wide = inner.width >= 110;
    let lines = visible_lines(ctx, selected, detail, inner.height as usize, wide)
        .into_iter()
        .map(|l| crate::ui::fit_line(l, usize::from(inner.width)))
        .collect::<Vec<_>>();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// For a team read back by the `scorecards` source: its records are not here,
/// and which shard serves them.
fn remote_note(th: &Theme, snapshot: &Snapshot, team: &str) -> Option<Vec<Line<'static>>> {
    let (read, t) = snapshot.records.remote_team(team)?;
    let shard = match (t.shard, read.shards) {
        (0, _) => "an exporter without flightdeck_info".to_string(),
        (i, n) => format!("shard {i} of {n}"),
    };
    let clean = |s: &str| crate::util::text::sanitize(s).to_string();
    Some(vec![
        Line::from(Span::styled(
            " Records are not available through the scorecards source: these numbers were read back",
            th.dim,
        )),
        Line::from(Span::styled(
            format!(" from {} with PromQL.", clean(&read.origin)),
            th.dim,
        )),
        Line::from(format!(
            " {} is served by {shard} ({}): run the cockpit on that shard's sources to see its records.",
            clean(team),
            clean(&t.instance)
        )),
    ])
}

/// The five numbers with tier, trend and the previous window's value, then
/// the team's tier.
/// With no `previous` data (no record before the window) there is no trend and
/// nothing to compare with.
fn numbers(
    th: &Theme,
    card: &TeamScorecard,
    previous: bool,
    bench: &Benchmarks,
) -> Vec<Line<'static>> {
    let m = &card.current;
    let p = &card.previous;
    let now = key_values(m, m);
    let (before, trends) = if previous {
        (key_values(p, m), key_trends(m, p))
    } else {
        (
            std::array::from_fn(|_| "no data".to_string()),
            [Trend::Unknown; 4],
        )
    };
    let tiers = m.key_tiers();
    let names = [
        "Deployment frequency",
        "Lead time for changes",
        "Change failure rate",
        "Median time to restore",
    ];
    let counts = [
        format::plural(m.deployment_frequency.deployments as usize, "deployment"),
        format!(
            "{} changes, {} skewed",
            m.lead_time.changes, m.lead_time.skewed
        ),
        format!(
            "{} of {} failed",
            m.change_failure_rate.failed, m.change_failure_rate.deployments
        ),
        format!(
            "{} restored, {} open",
            m.time_to_restore.incidents, m.time_to_restore.open
        ),
    ];
    let mut lines = Vec::new();
    for k in 0..4 {
        lines.push(Line::from(vec![
            Span::raw(format!(" {:<22}", names[k])),
            Span::styled(
                format!("{:>9} {:<7}", now[k], Tier::label_of(tiers[k])),
                th.tier(tiers[k]),
            ),
            Span::styled(
                format!("{} ", trends[k].arrow(HIGHER_IS_BETTER[k])),
                th.trend(trends[k]),
            ),
            Span::styled(format!("was {:<9}", before[k]), th.dim),
            Span::raw(format!("  {}", counts[k])),
        ]));
    }
    lines.push(rework_line(th, card, previous));
    lines.push(team_tier_line(th, card, bench));
    lines
}

/// Rework rate: the value, its tier where the benchmark set grades it, the
/// trend against the previous window and that window's value.
fn rework_line(th: &Theme, card: &TeamScorecard, previous: bool) -> Line<'static> {
    let (m, p) = (&card.current, &card.previous);
    let rework_trend = if previous {
        rework_trend(m, p)
    } else {
        Trend::Unknown
    };
    Line::from(vec![
        Span::raw(format!(" {:<22}", "Rework rate")),
        Span::raw(format!(
            "{:>9}",
            m.rework_rate.rate.map_or("-".into(), format::percent)
        )),
        // A tier only where the benchmark set grades rework rate.
        Span::styled(
            format!(" {:<7}", m.rework_rate.tier.map_or("", Tier::label)),
            th.tier(m.rework_rate.tier),
        ),
        Span::styled(
            format!("{} ", rework_trend.arrow(false)),
            th.trend(rework_trend),
        ),
        Span::styled(
            format!(
                "was {:<9}",
                match p.rework_rate.rate {
                    _ if !previous => "no data".to_string(),
                    r => r.map_or("-".into(), format::percent),
                }
            ),
            th.dim,
        ),
        Span::raw(format!(
            "  {} of {} deployments",
            m.rework_rate.rework, m.rework_rate.deployments
        )),
    ])
}

/// The team's tier and what it is the weakest of; under the 2025 framing,
/// throughput and instability too.
fn team_tier_line(th: &Theme, card: &TeamScorecard, bench: &Benchmarks) -> Line<'static> {
    let over = if bench.rework_percent_at_most.is_some() {
        "  (the weakest of the key metrics and rework rate)"
    } else {
        "  (the weakest of the four key metrics)"
    };
    let mut spans = vec![
        Span::raw(" Team tier "),
        Span::styled(Tier::label_of(card.tier).to_uppercase(), th.tier(card.tier)),
        Span::styled(over, th.dim),
    ];
    if bench.framing == Framing::ThroughputInstability {
        let m = &card.current;
        let (t, i) = (m.throughput_tier(), m.instability_tier());
        spans.push(Span::raw("  throughput "));
        spans.push(Span::styled(Tier::label_of(t), th.tier(t)));
        spans.push(Span::raw(" · instability "));
        spans.push(Span::styled(Tier::label_of(i), th.tier(i)));
    }
    Line::from(spans)
}

/// Display lines: section headers plus rows; only the visible ones are built.
pub(super) fn visible_lines<'a>(
    ctx: &Ctx<'a>,
    selected: usize,
    d: &TeamDetail,
    height: usize,
    wide: bool,
) -> Vec<Line<'a>> {
    let th = &ctx.theme;
    let snapshot = ctx.snapshot;
    let sections = [d.deployments.len(), d.changes.len(), d.incidents.len()];
    let titles = [
        format!(
            "Deployments counted ({}) · batch, certification",
            sections[0]
        ),
        format!(
            "Changes and their lead times ({}) · review wait, review time",
            sections[1]
        ),
        format!(
            "Incidents restored in the window or still open ({})",
            sections[2]
        ),
    ];
    // Map the selected row to its display line (one header line before each section).
    let mut display_selected = selected;
    let mut seen = 0;
    for (s, n) in sections.iter().enumerate() {
        if selected < seen + n {
            display_selected = selected + s + 1;
            break;
        }
        seen += n;
    }
    let offset = scroll::offset(display_selected, height);
    let mut out = Vec::with_capacity(height);
    let mut line = 0usize;
    let mut row = 0usize;
    for (s, &n) in sections.iter().enumerate() {
        if line + 1 + n <= offset {
            line += 1 + n;
            row += n;
            continue;
        }
        if line >= offset {
            out.push(Line::from(Span::styled(
                format!(" {}", titles[s]),
                th.section,
            )));
        }
        line += 1;
        let skip = offset.saturating_sub(line);
        for i in skip..n {
            if out.len() >= height {
                return out;
            }
            let mut l = row_line(th, snapshot, d, s, i, ctx.now, wide);
            if row + i == selected {
                l = l.style(th.selected);
            }
            out.push(l);
        }
        line += n;
        row += n;
        if out.len() >= height {
            break;
        }
    }
    out.truncate(height);
    out
}
