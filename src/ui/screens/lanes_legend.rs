//! What the Lanes' symbols mean, and the cells that use them the same way in
//! the list and in a lane's detail: a region's state mark, the gate (or the
//! pause holding the lane), and the error-rate sparkline on the one scale every
//! row shares, its bars over the canary's limit marked.

use ratatui::style::Style;
use ratatui::text::Span;

use crate::app::theme::Theme;
use crate::metrics::lanes::{Gate, Lane, Outcome, Stage};
use crate::model::stage::StageState;

/// The mark of a region never reached by a lane that has ended.
pub const NOT_REACHED: char = '–';

/// A region's mark and word: its state's glyph and label, or `–` and "not
/// reached" where the lane ended before it started there.
pub fn stage_mark(stage: &Stage, lane: &Lane) -> (char, &'static str) {
    if stage.start.is_none() && lane.outcome != Outcome::InFlight {
        (NOT_REACHED, "not reached")
    } else {
        (stage.state.glyph(), stage.state.label())
    }
}

/// The symbols, as `?` lists them on the Lanes: (symbols, meaning).
pub fn help_lines(th: &Theme) -> Vec<(String, String)> {
    let group = |states: &[StageState], extra: Option<(char, &str)>| {
        let marks = states
            .iter()
            .map(|s| (s.glyph(), s.label()))
            .chain(extra)
            .collect::<Vec<_>>();
        (
            marks
                .iter()
                .map(|m| m.0.to_string())
                .collect::<Vec<_>>()
                .join(" "),
            marks.iter().map(|m| m.1).collect::<Vec<_>>().join(", "),
        )
    };
    let (live, ended) = StageState::ALL.split_at(5);
    vec![
        group(live, None),
        group(ended, Some((NOT_REACHED, "not reached"))),
        (
            "▁▄█".into(),
            format!(
                "error rate, one scale for all rows; {}",
                over_limit_words(th)
            ),
        ),
    ]
}

/// How a bar over the canary's limit looks, in words.
fn over_limit_words(th: &Theme) -> &'static str {
    if th.colour {
        "red bar: over its canary limit"
    } else {
        "underlined bar: over its canary limit"
    }
}

/// The legend line under the lanes: as many `glyph word` items as fit in
/// `width`, whole, then where to find the rest; with `sparkline` on screen,
/// how a bar over the canary limit looks (the column head gives the scale).
pub fn line(th: &Theme, width: usize, sparkline: bool) -> String {
    let mut items: Vec<String> = StageState::ALL
        .iter()
        .map(|s| format!("{} {}", s.glyph(), s.label()))
        .collect();
    items.push(format!("{NOT_REACHED} not reached"));
    if sparkline {
        items.push(over_limit_words(th).to_string());
    }
    let mut out = String::from(" ");
    let more = "… ? lists all ";
    for (n, item) in items.iter().enumerate() {
        let last = n + 1 == items.len();
        let need = item.chars().count() + 1 + if last { 0 } else { more.len() };
        if out.chars().count() + need > width {
            if out.chars().count() + more.chars().count() <= width {
                out.push_str(more);
            }
            return out;
        }
        out.push_str(item);
        out.push(' ');
    }
    out
}

/// The gate cell: the pause holding an in-flight lane (`paused: <reason>`),
/// else the gate's short label.
pub fn gate_text(th: &Theme, lane: &Lane) -> (String, Style) {
    match lane.paused().filter(|_| lane.outcome == Outcome::InFlight) {
        Some(s) => (
            format!("paused: {}", s.reason.as_deref().unwrap_or(&s.region)),
            th.warn,
        ),
        None => (lane.gate.label(), gate_style(th, &lane.gate)),
    }
}

pub fn gate_style(th: &Theme, g: &Gate) -> Style {
    match g {
        Gate::Waiting => th.dim,
        Gate::Certified { .. } => th.ok,
        Gate::Blocked(_) => th.alert,
    }
}

/// The top of the sparklines' shared scale, short enough for the column head
/// (`8.0%`, `12%`).
pub fn scale_top(scale: f64) -> String {
    if scale >= 0.1 || scale == 0.0 {
        format!("{:.0}%", scale * 100.0)
    } else {
        format!("{:.1}%", scale * 100.0)
    }
}

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The last `width` values as bars on the scale 0..`scale` (shared by every
/// row), each over `limit` in the alert style; runs of one style share a span.
pub fn sparkline(
    th: &Theme,
    values: &[f64],
    width: usize,
    (scale, limit): (f64, Option<f64>),
) -> Vec<Span<'static>> {
    let tail = &values[values.len().saturating_sub(width)..];
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut run = String::new();
    let mut run_over = false;
    for &v in tail {
        let bar = if scale > 0.0 && v.is_finite() {
            BARS[((v / scale) * 7.0).round().clamp(0.0, 7.0) as usize]
        } else {
            BARS[0]
        };
        let over = limit.is_some_and(|l| v > l);
        if over != run_over && !run.is_empty() {
            spans.push(bar_span(th, std::mem::take(&mut run), run_over));
        }
        run_over = over;
        run.push(bar);
    }
    if !run.is_empty() {
        spans.push(bar_span(th, run, run_over));
    }
    spans
}

fn bar_span(th: &Theme, bars: String, over: bool) -> Span<'static> {
    Span::styled(bars, if over { th.alert } else { th.spark })
}
