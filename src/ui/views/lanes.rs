//! `2` Lanes: one row per deployment (in flight newest first, then recently
//! finished), a column per region in rollout order with the stage's state glyph
//! and elapsed time, the canary verdict and score, a sparkline of the canary
//! error rate, and the certification gate. Builds only the visible rows.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table};

use crate::app::App;
use crate::metrics::lanes::{Gate, Lane, Outcome, Stage, StageState, verdict_label};
use crate::model::{Time, Verdict};
use crate::store::Snapshot;
use crate::ui::{theme, widgets::scroll};

/// Width of a region column: glyph, space, compact elapsed ("1h05m").
const REGION_W: u16 = 10;
const SPARK_W: usize = 8;

pub fn stage_style(s: StageState) -> Style {
    let c = match s {
        StageState::Queued => Color::DarkGray,
        StageState::Progressing => Color::Cyan,
        StageState::Paused => Color::Yellow,
        StageState::Verifying => Color::Magenta,
        StageState::Certified => Color::LightGreen,
        StageState::Succeeded => Color::Green,
        StageState::Failed | StageState::RolledBack | StageState::Aborted => Color::Red,
    };
    let style = Style::new().fg(c);
    if matches!(
        s,
        StageState::Failed | StageState::RolledBack | StageState::Aborted | StageState::Certified
    ) {
        style.add_modifier(Modifier::BOLD)
    } else {
        style
    }
}

pub fn outcome_style(o: Outcome) -> Style {
    match o {
        Outcome::InFlight => Style::new().fg(Color::Cyan),
        Outcome::Succeeded => theme::ok(),
        Outcome::Failed | Outcome::RolledBack | Outcome::Aborted => theme::alert(),
    }
}

pub fn verdict_style(v: Option<Verdict>) -> Style {
    match v {
        Some(Verdict::Pass) => theme::ok(),
        Some(Verdict::Marginal) => theme::warn(),
        Some(Verdict::Fail) => theme::alert(),
        None => theme::dim(),
    }
}

pub fn gate_style(g: &Gate) -> Style {
    match g {
        Gate::Waiting => theme::dim(),
        Gate::Certified { .. } => theme::ok(),
        Gate::Blocked(_) => theme::alert(),
    }
}

/// "42s", "12m", "1h05m", "3d04h": short enough for a lane cell.
pub fn compact(d: chrono::TimeDelta) -> String {
    let s = d.num_seconds().max(0);
    let (days, h, m) = (s / 86_400, s / 3600 % 24, s / 60 % 60);
    if days > 0 {
        format!("{days}d{h:02}h")
    } else if h > 0 {
        format!("{h}h{m:02}m")
    } else if m > 0 {
        format!("{m}m")
    } else {
        format!("{s}s")
    }
}

fn stage_cell(stage: &Stage, lane: &Lane, now: Time) -> Cell<'static> {
    let text = match stage.duration(now) {
        Some(d) => format!("{} {}", stage.state.glyph(), compact(d)),
        None if lane.outcome != Outcome::InFlight => "  –".to_string(),
        None => format!("{}", stage.state.glyph()),
    };
    Cell::from(text).style(stage_style(stage.state))
}

/// Unicode bars scaled to the series' maximum.
pub fn sparkline(values: &[f64], width: usize) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let tail = &values[values.len().saturating_sub(width)..];
    let max = tail.iter().copied().fold(0.0_f64, f64::max);
    tail.iter()
        .map(|&v| {
            if max <= 0.0 {
                BARS[0]
            } else {
                BARS[((v / max) * 7.0).round().clamp(0.0, 7.0) as usize]
            }
        })
        .collect()
}

pub fn canary_text(lane: &Lane) -> (String, Style) {
    match &lane.canary {
        None if lane
            .stages
            .first()
            .is_some_and(|s| s.state == StageState::Verifying) =>
        {
            ("analysing".into(), theme::dim())
        }
        None => ("–".into(), theme::dim()),
        Some(c) => match (c.verdict, c.score) {
            (Some(v), Some(s)) => (
                format!("{} {s:.0}", verdict_label(v)),
                verdict_style(Some(v)),
            ),
            (Some(v), None) => (verdict_label(v).to_string(), verdict_style(Some(v))),
            (None, _) => ("no data".into(), theme::warn()),
        },
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, snapshot: &Snapshot) {
    let lanes = &snapshot.views.lanes;
    let now = app.now;
    let finished = lanes.lanes.len() - lanes.in_flight;
    let block = Block::bordered().title(Span::styled(
        format!(
            " Lanes · {} in flight · {finished} finished in the last 12h · canary region {} · Enter opens ",
            lanes.in_flight,
            lanes.regions.first().map_or("-", |r| &**r)
        ),
        theme::title(),
    ));
    if lanes.lanes.is_empty() {
        frame.render_widget(
            Paragraph::new(vec![
                Line::from(""),
                Line::from(" No deployments in flight or finished in the last 12 hours."),
                Line::from(Span::styled(
                    " Lanes appear as sources report production deployments.",
                    theme::dim(),
                )),
            ])
            .block(block),
            area,
        );
        return;
    }
    let height = block.inner(area).height.saturating_sub(1) as usize;
    let selected = app.view().selected;
    let offset = scroll::offset(selected, height);

    let mut header = vec![Cell::from("DEPLOYMENT"), Cell::from("STATE")];
    for r in &lanes.regions {
        header.push(Cell::from(r.to_string()));
    }
    header.extend([
        Cell::from("CANARY"),
        Cell::from("ERR RATE"),
        Cell::from("GATE"),
    ]);
    let rows = lanes
        .lanes
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(i, lane)| {
            let id_style = if i < lanes.in_flight {
                Style::new()
            } else {
                theme::dim()
            };
            let hotfix = if lane.hotfix { " hotfix" } else { "" };
            let mut cells = vec![
                Cell::from(format!("{}{hotfix}", lane.id)).style(id_style),
                Cell::from(lane.outcome.label()).style(outcome_style(lane.outcome)),
            ];
            for s in &lane.stages {
                cells.push(stage_cell(s, lane, now));
            }
            let (canary, style) = canary_text(lane);
            cells.push(Cell::from(canary).style(style));
            let spark = if lane.error_series.is_empty() {
                Cell::from("–").style(theme::dim())
            } else {
                let worse = lane
                    .canary
                    .as_ref()
                    .is_some_and(|c| c.verdict == Some(Verdict::Fail));
                Cell::from(sparkline(&lane.error_series, SPARK_W)).style(if worse {
                    theme::alert()
                } else {
                    Style::new().fg(Color::Blue)
                })
            };
            cells.push(spark);
            cells.push(Cell::from(lane.gate.label()).style(gate_style(&lane.gate)));
            let row = Row::new(cells);
            if i == selected {
                row.style(theme::selected())
            } else {
                row
            }
        });
    let mut widths = vec![Constraint::Length(21), Constraint::Length(11)];
    widths.extend(lanes.regions.iter().map(|_| Constraint::Length(REGION_W)));
    widths.extend([
        Constraint::Length(11),
        Constraint::Length(SPARK_W as u16),
        Constraint::Fill(1),
    ]);
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme::header()))
        .column_spacing(1)
        .block(block);
    frame.render_widget(table, area);
}
