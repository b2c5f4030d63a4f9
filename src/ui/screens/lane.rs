//! A deployment's lane opened with Enter: stages with timestamps, the canary
//! metrics against the baseline with the verdict's reasoning, the gate, the
//! changes shipped and the linked incidents.

use crate::app::theme::Theme;
use ratatui::text::{Line, Span};

use crossterm::event::KeyCode;

use crate::app::Action;
use crate::app::keymap::key;
use crate::app::screen::{Ctx, Screen};
use crate::metrics::lanes::{CanaryView, Gate, Lane, Outcome, verdict_label};
use crate::model::canary::Outcome as MetricOutcome;
use crate::model::stage::StageState;
use crate::model::{Text, Time};
use crate::store::Snapshot;
use crate::ui::screens::detail::{DetailKind, DetailPage};
use crate::ui::screens::lanes::{canary_text, outcome_style};
use crate::ui::screens::lanes_legend::{gate_style, sparkline, stage_mark};
use crate::util::format;

fn num(v: Option<f64>, name: &str) -> String {
    match v {
        None => "no data".into(),
        Some(x) if name.contains("rate") => format::percent(x),
        Some(x) => format!("{x:.0}"),
    }
}

/// A deployment's lane, by deployment id.
pub static LANE: DetailKind = DetailKind {
    name: "Lane",
    lines: |ctx, id| {
        ctx.snapshot
            .views
            .lanes
            .find(id)
            .map(|lane| lines(ctx, lane))
    },
    title: |id| format!(" Lane {id} · j k PgDn scroll · Esc back "),
    missing: |id| {
        format!(" {id} is no longer listed (finished more than 12 hours ago). Esc goes back.")
    },
    crumb: |id| id.to_string(),
    keys: &[key(
        KeyCode::Enter,
        "Enter",
        Action::Open,
        "open the newest incident linked to this deployment",
    )
    .hint("incident")],
    open: Some(linked_incident),
};

/// Enter on a lane: the newest incident linked to its deployment.
fn linked_incident(ctx: &Ctx, id: &str) -> Result<Box<dyn Screen>, String> {
    let s = ctx.snapshot;
    let lane = s
        .views
        .lanes
        .find(id)
        .ok_or_else(|| format!("{id} is no longer listed"))?;
    let newest = lane
        .incidents
        .iter()
        .filter_map(|&i| s.records.incidents.get(i))
        .max_by_key(|inc| inc.opened)
        .ok_or_else(|| format!("no incident is linked to {id}"))?;
    Ok(Box::new(crate::ui::screens::incident::page(
        newest.id.clone(),
    )))
}

/// The lane of deployment `id`.
pub fn page(id: Text) -> DetailPage {
    DetailPage::new(&LANE, id)
}

/// The detail's lines, top to bottom (their count bounds the scroll keys).
pub fn lines(ctx: &Ctx, lane: &Lane) -> Vec<Line<'static>> {
    let th = &ctx.theme;
    let (snapshot, now) = (ctx.snapshot, ctx.now);
    let mut lines = vec![header(th, lane, now)];
    lines.push(Line::from(""));
    stages(th, &mut lines, lane, now);
    lines.push(certification(ctx, lane));
    lines.push(Line::from(""));
    canary(th, &mut lines, lane, snapshot.views.lanes.error_scale);
    lines.push(Line::from(""));
    changes(th, &mut lines, snapshot, lane);
    lines.push(Line::from(""));
    incidents(th, &mut lines, snapshot, lane, now);
    lines
}

/// Service, team, outcome and times.
fn header(th: &Theme, lane: &Lane, now: Time) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!(" {} ", lane.service), th.header),
        Span::raw(format!("team {} · ", lane.team)),
        Span::styled(lane.outcome.label(), outcome_style(th, lane.outcome)),
        Span::raw(format!(
            " · started {} ({} ago)",
            format::short_time(lane.started),
            format::age(now - lane.started)
        )),
        Span::raw(
            lane.finished
                .map(|f| format!(" · finished {}", format::short_time(f)))
                .unwrap_or_default(),
        ),
        Span::styled(if lane.hotfix { " · hotfix" } else { "" }, th.warn),
    ])
}

/// The deployment's certification time (gate 2) against its team's median
/// over the window on view (both computed by the store).
fn certification(ctx: &Ctx, lane: &Lane) -> Line<'static> {
    let th = &ctx.theme;
    let snapshot = ctx.snapshot;
    let own = snapshot
        .records
        .deployment(&lane.id)
        .and_then(|d| snapshot.views.facts.gates.get(d))
        .and_then(|g| g.certification);
    let w = &snapshot.views.windows[ctx.window];
    let median = w
        .scorecards
        .teams
        .iter()
        .find(|t| t.team == lane.team)
        .and_then(|t| t.current.gates.certification.median_seconds);
    let region = crate::metrics::gates::canary_region(&snapshot.settings);
    let (text, style) = match own {
        None => (format!("not certified in {region} yet"), th.dim),
        Some(d) if d < chrono::TimeDelta::zero() => (
            "skewed (the pass is older than the first line)".to_string(),
            th.warn,
        ),
        Some(d) => {
            let slow = median.is_some_and(|m| d.num_milliseconds() as f64 / 1000.0 > m);
            (format::duration(d), if slow { th.warn } else { th.ok })
        }
    };
    Line::from(vec![
        Span::styled("  ── certification: ", th.dim),
        Span::styled(text, style),
        Span::styled(
            format!(
                "  · team {} median {} (last {} days)",
                lane.team,
                median.map_or("-".into(), format::duration_secs),
                w.days
            ),
            th.dim,
        ),
    ])
}

/// One line per region, the gate after the canary region's.
fn stages(th: &Theme, lines: &mut Vec<Line<'static>>, lane: &Lane, now: Time) {
    lines.push(Line::from(Span::styled(" Stages", th.section)));
    for (i, s) in lane.stages.iter().enumerate() {
        let role = if i == 0 { "canary" } else { "rollout" };
        let (mark, word) = stage_mark(s, lane);
        let mut spans = vec![
            Span::raw(format!("  {:<12}", s.region)),
            Span::styled(format!("{mark} {word:<12}"), th.stage(s.state)),
            Span::styled(format!("{role:<8}"), th.dim),
        ];
        if let Some(start) = s.start {
            spans.push(Span::raw(format!(
                "{} → {}  ({})",
                start.format("%H:%M:%S"),
                s.end
                    .map_or("now".to_string(), |e| e.format("%H:%M:%S").to_string()),
                s.duration(now).map(format::duration).unwrap_or_default()
            )));
        }
        if let Some(w) = s.weight {
            spans.push(Span::raw(format!("  weight {w}%")));
        }
        if let Some((a, b)) = s.step {
            spans.push(Span::raw(format!("  step {a}/{b}")));
        }
        if let Some(r) = &s.reason {
            spans.push(Span::styled(format!("  {r}"), th.warn));
        }
        if s.state == StageState::Paused
            && let Some(since) = s.since
        {
            spans.push(Span::styled(
                format!("  paused for {}", format::age(now - since)),
                th.warn,
            ));
        }
        lines.push(Line::from(spans));
        if i == 0 {
            lines.push(gate(th, lane));
        }
    }
}

/// The gate, and the pause holding the lane after it where one does.
fn gate(th: &Theme, lane: &Lane) -> Line<'static> {
    let gate = &lane.gate;
    let label = match gate {
        Gate::Certified { by } => format!("certified by {by}"),
        Gate::Waiting => "waiting for the canary".into(),
        Gate::Blocked(b) => format!(
            "blocked by {}",
            b.iter()
                .map(|b| b.describe())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut spans = vec![
        Span::styled("  ── gate: ", th.dim),
        Span::styled(label, gate_style(th, gate)),
    ];
    if let Some(s) = lane.paused().filter(|_| lane.outcome == Outcome::InFlight) {
        spans.push(Span::styled(
            format!(
                " · paused in {}: {}",
                s.region,
                s.reason.as_deref().unwrap_or("no reason given")
            ),
            th.warn,
        ));
    }
    Line::from(spans)
}

/// The verdict, each metric against the baseline, the reasons and the
/// error-rate sparkline.
fn canary(th: &Theme, lines: &mut Vec<Line<'static>>, lane: &Lane, scale: f64) {
    let (mut verdict, vstyle) = canary_text(th, lane);
    if let Some(c) = lane.canary.as_ref().filter(|c| c.disagrees()) {
        // Two judgements of one canary: say whose each number is.
        verdict = format!("source {verdict} · re-judged {}", own_text(&c.judgement));
    }
    lines.push(Line::from(vec![
        Span::styled(" Canary analysis  ", th.section),
        Span::styled(verdict, vstyle),
        Span::styled(
            lane.canary
                .as_ref()
                .map(|c| format!("  in {} at {}", c.region, c.time.format("%H:%M:%S")))
                .unwrap_or_default(),
            th.dim,
        ),
    ]));
    if let Some(c) = &lane.canary {
        canary_metrics(th, lines, c);
    }
    if !lane.error_series.is_empty() {
        let mut spans = vec![Span::raw("  error rate, last canaries of the service: ")];
        spans.extend(sparkline(
            th,
            &lane.error_series,
            24,
            (scale, lane.error_limit),
        ));
        spans.push(Span::styled(
            format!(
                "  scale 0-{} (all lanes){}",
                crate::ui::screens::lanes_legend::scale_top(scale),
                lane.error_limit
                    .map(|l| format!(" · canary limit {}", format::percent(l)))
                    .unwrap_or_default()
            ),
            th.dim,
        ));
        lines.push(Line::from(spans));
    }
}

fn canary_metrics(th: &Theme, lines: &mut Vec<Line<'static>>, c: &CanaryView) {
    lines.push(Line::from(Span::styled(
        format!(
            "  {:<14}{:>10}{:>10}  result",
            "metric", "canary", "baseline"
        ),
        th.dim,
    )));
    for m in &c.judgement.metrics {
        let style = match m.outcome {
            MetricOutcome::Pass => th.ok,
            MetricOutcome::NoData => th.warn,
            _ => th.alert,
        };
        lines.push(Line::from(vec![
            Span::raw(format!(
                "  {:<14}{:>10}{:>10}  ",
                m.name,
                num(m.canary, &m.name),
                num(m.baseline, &m.name)
            )),
            Span::styled(m.outcome.label(), style),
            Span::styled(if m.critical { " (critical)" } else { "" }, th.dim),
        ]));
    }
    for r in &c.judgement.reasons {
        lines.push(Line::from(Span::raw(format!("  · {r}"))));
    }
    if c.disagrees() {
        let source = match (c.verdict, c.score) {
            (Some(v), Some(s)) => format!("{} with score {s:.0}", verdict_label(v)),
            (Some(v), None) => verdict_label(v).to_string(),
            _ => "no verdict".into(),
        };
        lines.push(Line::from(Span::styled(
            format!(
                "  · the source judged {source} on its own metrics; flightdeck re-judged error rate and p99 alone: {}",
                own_text(&c.judgement)
            ),
            th.dim,
        )));
    }
}

fn changes(th: &Theme, lines: &mut Vec<Line<'static>>, snapshot: &Snapshot, lane: &Lane) {
    lines.push(Line::from(Span::styled(
        format!(" Changes shipped ({})", lane.changes.len()),
        th.section,
    )));
    let records = &snapshot.records;
    for c in &lane.changes {
        let detail = records
            .change(c)
            .map(|i| &records.changes[i])
            .map(|ch| {
                format!(
                    "{}  {}",
                    ch.author.as_deref().unwrap_or("-"),
                    ch.title.as_deref().unwrap_or("")
                )
            })
            .unwrap_or_default();
        lines.push(Line::from(format!("  {c}  {detail}")));
    }
}

fn incidents(
    th: &Theme,
    lines: &mut Vec<Line<'static>>,
    snapshot: &Snapshot,
    lane: &Lane,
    now: Time,
) {
    lines.push(Line::from(Span::styled(
        format!(" Linked incidents ({})", lane.incidents.len()),
        th.section,
    )));
    for &n in &lane.incidents {
        let i = &snapshot.records.incidents[n];
        let state = match i.resolved.filter(|r| *r <= now) {
            Some(r) => (
                format!("restored after {}", format::duration(r - i.opened)),
                th.ok,
            ),
            None => (format!("OPEN {}", format::age(now - i.opened)), th.alert),
        };
        lines.push(Line::from(vec![
            Span::raw(format!(
                "  {}  {}  {}  ",
                i.id,
                i.severity.as_deref().unwrap_or("-"),
                i.title.as_deref().unwrap_or("")
            )),
            Span::styled(state.0, state.1),
        ]));
    }
    if lane.incidents.is_empty() {
        lines.push(Line::from(Span::styled("  none", th.dim)));
    }
}

/// flightdeck's own verdict and score, e.g. `pass 100`.
fn own_text(j: &crate::model::canary::Judgement) -> String {
    match (j.verdict, j.score) {
        (Some(v), Some(s)) => format!("{} {s:.0}", verdict_label(v)),
        (Some(v), None) => verdict_label(v).to_string(),
        _ => "no data".into(),
    }
}
