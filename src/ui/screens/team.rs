//! A team's drill-down: each metric and the records behind it.

use crate::app::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crossterm::event::KeyCode;

use crate::app::Action;
use crate::app::keymap::{Binding, key};
use crate::app::screen::{Ctx, Cursor, Reply, Screen};
use crate::metrics::dora::{Attribution, ChangeRow, FailReason, ReworkReason, TeamDetail};
use crate::metrics::trend::{HIGHER_IS_BETTER, Trend, key_trends};
use crate::metrics::{TeamScorecard, Tier};
use crate::model::{Text, Time};
use crate::store::Snapshot;
use crate::ui::screens::incident;
use crate::ui::screens::overview::key_values;
use crate::ui::widgets::scroll;
use crate::util::format;

/// The region whose canary certifies deployments (gate 2), for the Gates title.
fn canary_region(snapshot: &Snapshot) -> String {
    crate::metrics::gates::canary_region(&snapshot.settings).to_string()
}

const KEYS: &[Binding] = &[key(
    KeyCode::Enter,
    "Enter",
    Action::Open,
    "open the incident under the cursor",
)
.hint("open incident")];

/// A team's drill-down: its numbers, then the records behind them.
#[derive(Debug)]
pub struct TeamPage {
    team: Text,
    /// The records behind the numbers, gathered on refresh (never per frame).
    detail: Option<TeamDetail>,
}

impl TeamPage {
    pub fn new(team: Text) -> Self {
        Self { team, detail: None }
    }
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

    fn refresh(&mut self, ctx: &Ctx, cursor: &mut Cursor) {
        self.detail = detail(ctx.snapshot, ctx.window, &self.team);
        let rows = self.detail.as_ref().map_or(0, |d| {
            d.deployments.len() + d.changes.len() + d.incidents.len()
        });
        cursor.set_rows(rows);
    }

    /// Enter on an incident row opens it.
    fn update(&mut self, action: Action, ctx: &Ctx, cursor: &mut Cursor) -> Reply {
        if action != Action::Open {
            return Reply::Pass;
        }
        let Some(d) = &self.detail else {
            return Reply::Nothing;
        };
        let first_incident = d.deployments.len() + d.changes.len();
        let row = cursor
            .selected
            .checked_sub(first_incident)
            .and_then(|n| d.incidents.get(n))
            .and_then(|row| ctx.snapshot.records.incidents.get(row.incident));
        match row {
            Some(inc) => Reply::Open(Box::new(incident::page(inc.id.clone()))),
            None => Reply::Nothing,
        }
    }

    fn render(&self, frame: &mut Frame, area: Rect, ctx: &Ctx, cursor: &Cursor) {
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

    let lines = numbers(th, card, super::overview::has_previous(ctx.snapshot, w));
    let title = format!(" {team} · last {} days ", w.days);
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
    let lines = visible_lines(ctx, selected, detail, inner.height as usize, wide);
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
fn numbers(th: &Theme, card: &TeamScorecard, previous: bool) -> Vec<Line<'static>> {
    let m = &card.current;
    let p = &card.previous;
    let now = key_values(m);
    let (before, trends) = if previous {
        (key_values(p), key_trends(m, p))
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
        "Time to restore",
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
    lines.push(Line::from(vec![
        Span::raw(format!(" {:<22}", "Rework rate")),
        Span::raw(format!(
            "{:>9}",
            m.rework_rate.rate.map_or("-".into(), format::percent)
        )),
        Span::styled(
            format!(
                "         was {:<9}",
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
    ]));
    lines.push(Line::from(vec![
        Span::raw(" Team tier "),
        Span::styled(Tier::label_of(card.tier).to_uppercase(), th.tier(card.tier)),
        Span::styled("  (the weakest of the four key metrics)", th.dim),
    ]));
    lines
}

/// Display lines: section headers plus rows; only the visible ones are built.
fn visible_lines<'a>(
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

fn row_line<'a>(
    th: &Theme,
    snapshot: &'a Snapshot,
    d: &TeamDetail,
    section: usize,
    i: usize,
    now: Time,
    wide: bool,
) -> Line<'a> {
    let r = &snapshot.records;
    match section {
        0 => {
            let row = &d.deployments[i];
            let dep = &r.deployments[row.deployment];
            let mut spans = vec![
                Span::raw(format!("  {}  ", format::short_time(row.done))),
                Span::raw(if wide {
                    format!("{:<24} {:<18} ", dep.id, dep.service)
                } else {
                    format!("{:<22} ", dep.id)
                }),
            ];
            spans.extend(super::team_gates::deployment_cells(th, &row.gates, wide));
            // The short rework marker goes before the failure text, which
            // can be long and is cut at the row's end.
            match &row.rework {
                Some(ReworkReason::Hotfix) => {
                    spans.push(Span::styled("rework: hotfix  ", th.tier(None)))
                }
                Some(ReworkReason::DuringIncident(id)) => spans.push(Span::styled(
                    format!("rework: during {id}  "),
                    th.tier(None),
                )),
                // Short, as the hotfix marker: the failure text after it must fit;
                // the deployment it reverts names this change.
                Some(ReworkReason::Revert { .. }) => {
                    spans.push(Span::styled("rework: revert  ", th.tier(None)))
                }
                None => {}
            }
            if row.fail_reasons.is_empty() {
                spans.push(Span::styled("ok", th.ok));
            } else {
                let why: Vec<String> = row.fail_reasons.iter().map(reason).collect();
                spans.push(Span::styled(
                    format!("FAILED: {}", why.join("; ")),
                    th.alert,
                ));
            }
            Line::from(spans)
        }
        1 => change_line(th, snapshot, &d.changes, i, wide),
        _ => {
            let row = &d.incidents[i];
            let inc = &r.incidents[row.incident];
            let state = match inc.resolved {
                Some(res) if !row.open => Span::raw(format!(
                    "restored in {:<8}",
                    format::duration(res - inc.opened)
                )),
                _ => Span::styled(
                    format!("OPEN for {:<11}", format::age(now - inc.opened)),
                    th.alert,
                ),
            };
            let dep = match row.attribution {
                Some(Attribution::Explicit(d)) => format!("→ {} (named)", r.deployments[d].id),
                Some(Attribution::Implicit(d)) => format!("→ {} (linked)", r.deployments[d].id),
                None => "unattributed".into(),
            };
            Line::from(vec![
                Span::raw(format!("  {:<24} ", inc.id)),
                state,
                Span::raw(format!(" {dep}  ")),
                Span::styled(inc.title.as_deref().unwrap_or("").to_string(), th.dim),
            ])
        }
    }
}

/// A change row: its lead time, where it shipped, its review times and title.
/// Changes come grouped by deployment: the first of a group names the
/// deployment and how many changes it shipped.
fn change_line<'a>(
    th: &Theme,
    snapshot: &'a Snapshot,
    rows: &[ChangeRow],
    i: usize,
    wide: bool,
) -> Line<'a> {
    let r = &snapshot.records;
    let row = &rows[i];
    let c = &r.changes[row.change];
    let first = i == 0 || rows[i - 1].deployment != row.deployment;
    let shipped = if first {
        let n = rows[i..]
            .iter()
            .take_while(|x| x.deployment == row.deployment)
            .count();
        format!("→ {} ({n})", r.deployments[row.deployment].id)
    } else {
        String::new()
    };
    let lead = if row.skewed {
        Span::styled(format!("{:>9}", "skewed"), th.alert)
    } else {
        Span::raw(format!("{:>9}", format::duration(row.lead)))
    };
    let mut spans = vec![
        Span::raw("  "),
        lead,
        Span::raw(format!("  {:<22} {:<29} ", short_id(&c.id), shipped)),
    ];
    spans.extend(super::team_gates::change_cells(th, c, wide));
    spans.push(Span::styled(
        c.title.as_deref().unwrap_or("").to_string(),
        th.dim,
    ));
    Line::from(spans)
}

fn reason(r: &FailReason) -> String {
    match r {
        FailReason::Status { status, region } => match region {
            Some(region) => format!("{} in {region}", status.label()),
            None => status.label().to_string(),
        },
        FailReason::Incident { id, .. } => format!("incident {id}"),
        // The reverting change (as in the JSON): short enough to fit the row.
        FailReason::Revert { change, .. } => format!("reverted by {}", short_id(change)),
    }
}

/// A full git commit id (alone or after `service@`) as git abbreviates it:
/// the 10 first hex digits name one commit in any history this size.
fn short_id(id: &str) -> &str {
    let hash = id.rsplit('@').next().unwrap_or(id);
    if hash.len() == 40 && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        &id[..id.len() - 30]
    } else {
        id
    }
}
