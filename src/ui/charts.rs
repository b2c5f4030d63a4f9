//! Charts drawn from series the store or a screen's refresh computed: a team's
//! weekly metric with the benchmark's tier bands as reference lines, and text
//! sparklines for table cells. Shapes carry the meaning as well as colour, so
//! they read in the mono theme: the series is a line with a block on each week
//! that has data, the bands are dotted lines named in the caption.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Bar, BarChart, Block, Chart, Dataset, GraphType, Paragraph};

use crate::app::theme::Theme;
use crate::metrics::Tier;
use crate::metrics::weekly::{KeyMetric, WeeklySeries, axis_top};
use crate::model::benchmarks::Benchmarks;

const BAND_TIERS: [Tier; 3] = [Tier::Elite, Tier::High, Tier::Medium];

/// A number for an axis or a caption: whole from 10 up, one decimal below.
pub fn short_number(v: f64) -> String {
    if v.abs() >= 10.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// What one chart draws: a series, the metric, the set its bands come from and
/// the selected week.
pub struct WeeklyChart<'a> {
    pub series: &'a WeeklySeries,
    pub metric: KeyMetric,
    pub bench: &'a Benchmarks,
    pub selected: Option<usize>,
}

/// Draws `chart` in `area` inside `block`: the chart, then a caption naming the
/// bands (and the selected week's value).
pub fn weekly(frame: &mut Frame, area: Rect, th: &Theme, block: Block<'_>, chart: &WeeklyChart) {
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [plot, caption] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    let values = chart.series.values(chart.metric);
    let bands = chart.metric.bands(chart.bench);
    let upper = axis_top(&values, bands);
    let last = (values.len().saturating_sub(1)) as f64;
    let points: Vec<(f64, f64)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i as f64, v)))
        .collect();
    let band_lines: Vec<(Tier, [(f64, f64); 2])> = bands
        .map(|b| {
            BAND_TIERS
                .iter()
                .zip(b)
                .filter(|(_, v)| *v <= upper)
                .map(|(&t, v)| (t, [(0.0, v), (last, v)]))
                .collect()
        })
        .unwrap_or_default();
    let selected_line: Vec<(f64, f64)> = chart
        .selected
        .map(|w| vec![(w as f64, 0.0), (w as f64, upper)])
        .unwrap_or_default();
    let mut datasets: Vec<Dataset> = band_lines
        .iter()
        .map(|(t, line)| {
            Dataset::default()
                .marker(Marker::Dot)
                .graph_type(GraphType::Line)
                .style(th.tier(Some(*t)).remove_modifier(Modifier::REVERSED))
                .data(line)
        })
        .collect();
    if !selected_line.is_empty() {
        datasets.push(
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(th.dim)
                .data(&selected_line),
        );
    }
    datasets.push(
        Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(th.header)
            .data(&points),
    );
    datasets.push(
        Dataset::default()
            .marker(Marker::Block)
            .graph_type(GraphType::Scatter)
            .style(th.header)
            .data(&points),
    );
    let widget = Chart::new(datasets)
        .legend_position(None)
        .x_axis(x_axis(th, chart.series, last))
        .y_axis(
            Axis::default()
                .bounds([0.0, upper])
                .labels([
                    "0".to_string(),
                    short_number(upper / 2.0),
                    short_number(upper),
                ])
                .style(th.dim),
        );
    frame.render_widget(widget, plot);
    frame.render_widget(Paragraph::new(caption_line(th, chart, &values)), caption);
}

/// Weeks along the bottom, labelled with the first day and the series' end.
fn x_axis<'a>(th: &Theme, series: &WeeklySeries, last: f64) -> Axis<'a> {
    let day = |t: crate::model::Time| t.format("%m-%d").to_string();
    let labels = match (series.weeks.first(), series.weeks.last()) {
        (Some(first), Some(end)) => vec![day(first.start), day(end.end)],
        _ => Vec::new(),
    };
    Axis::default()
        .bounds([0.0, last.max(1.0)])
        .labels(labels)
        .style(th.dim)
}

/// `█ weekly  • elite < 24  • high < 168 …`, then the selected week's value.
fn caption_line(th: &Theme, chart: &WeeklyChart, values: &[Option<f64>]) -> Line<'static> {
    let mut spans = vec![Span::styled("█ weekly ", th.header)];
    match chart.metric.bands(chart.bench) {
        Some(b) => {
            for (t, v) in BAND_TIERS.iter().zip(b) {
                spans.push(Span::styled(
                    format!(
                        " • {} {}{}",
                        t.label(),
                        chart.metric.band_sign(),
                        short_number(v)
                    ),
                    th.tier(Some(*t)).remove_modifier(Modifier::REVERSED),
                ));
            }
        }
        None => spans.push(Span::styled(
            format!(" {} does not grade it", chart.bench.name),
            th.dim,
        )),
    }
    if let Some(w) = chart.selected {
        let v = values
            .get(w)
            .copied()
            .flatten()
            .map_or("no data".to_string(), short_number);
        spans.push(Span::styled(
            format!("  week {}: {v}", w + 1),
            Style::default(),
        ));
    }
    Line::from(spans)
}

/// One bar of [`restore_bars`]: a team, its median time to restore (seconds)
/// and its tier.
pub struct RestoreBar {
    pub team: String,
    pub seconds: Option<f64>,
    pub tier: Option<Tier>,
}

/// Time to restore per team as horizontal bars (a team with no incident
/// restored has an empty bar saying so), the organisation median as a bar of
/// its own and a `┆` line through the empty cells at its length.
pub fn restore_bars(
    frame: &mut Frame,
    area: Rect,
    th: &Theme,
    block: Block<'_>,
    (rows, median): (&[RestoreBar], Option<f64>),
) {
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let minutes = |s: f64| (s / 60.0).round().max(0.0) as u64;
    let longest = rows
        .iter()
        .filter_map(|r| r.seconds)
        .chain(median)
        .fold(0.0_f64, f64::max);
    let max = minutes(longest).max(1);
    let fmt = crate::util::format::duration_secs;
    let mut bars: Vec<Bar> = Vec::new();
    if let Some(m) = median {
        bars.push(
            Bar::default()
                .label(Line::from("organisation median"))
                .value(minutes(m))
                .text_value(format!("{} ", fmt(m)))
                .style(th.header),
        );
    }
    for r in rows {
        let style = th.tier(r.tier).remove_modifier(Modifier::REVERSED);
        bars.push(
            Bar::default()
                .label(Line::from(r.team.clone()))
                .value(r.seconds.map_or(0, minutes))
                // A space after the value keeps it apart from the bar.
                .text_value(
                    r.seconds
                        .map_or("none restored".into(), |s| format!("{} ", fmt(s))),
                )
                .style(style),
        );
    }
    // As BarChart lays them out: the longest label, then one space.
    let label_width = rows
        .iter()
        .map(|r| r.team.chars().count())
        .chain(median.map(|_| "organisation median".len()))
        .max()
        .unwrap_or(0) as u16;
    let chart = BarChart::horizontal(bars)
        .bar_width(1)
        .bar_gap(0)
        .max(max)
        .value_style(th.header.add_modifier(Modifier::BOLD));
    frame.render_widget(chart, inner);
    // The median's line through the cells the bars leave empty.
    if let Some(m) = median {
        let bars_left = inner.x + label_width + 1;
        let width = inner.width.saturating_sub(label_width + 1);
        let x = bars_left + ((minutes(m) as f64 / max as f64) * f64::from(width)) as u16;
        let shown = (rows.len() + 1).min(inner.height as usize) as u16;
        let buf = frame.buffer_mut();
        let blank = |buf: &ratatui::buffer::Buffer, x: u16, y: u16| {
            x < inner.right() && buf[(x, y)].symbol() == " "
        };
        for y in inner.y..inner.y + shown {
            // Not in the gap of a value such as `1h 41m`.
            if blank(buf, x, y) && blank(buf, x + 1, y) && (x == 0 || blank(buf, x - 1, y)) {
                buf[(x, y)].set_symbol("┆").set_style(th.dim);
            }
        }
    }
}

/// The severities of [`findings_over_time`], each with the marker its line is
/// drawn with and the symbol the caption shows for it.
const SEVERITY_LINES: [(&str, Marker, &str); 5] = [
    ("critical", Marker::Block, "█"),
    ("high", Marker::Bar, "▄"),
    ("medium", Marker::Dot, "•"),
    ("low", Marker::Braille, "⠤"),
    ("info", Marker::HalfBlock, "▀"),
];

/// Open findings by severity at the end of each week, one line per severity
/// drawn with a shape of its own; the caption gives each line's latest count.
pub fn findings_over_time(
    frame: &mut Frame,
    area: Rect,
    th: &Theme,
    block: Block<'_>,
    (weeks, end): (&[Vec<u64>; 5], crate::model::Time),
) {
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [plot, caption] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    let lines: Vec<Vec<(f64, f64)>> = weeks
        .iter()
        .map(|w| {
            w.iter()
                .enumerate()
                .map(|(i, &n)| (i as f64, n as f64))
                .collect()
        })
        .collect();
    let top = weeks.iter().flatten().copied().max().unwrap_or(0).max(1) as f64 * 1.1;
    let styles = [th.alert, th.warn, th.header, th.dim, th.dim];
    let datasets: Vec<Dataset> = lines
        .iter()
        .zip(SEVERITY_LINES)
        .zip(styles)
        .map(|((data, (_, marker, _)), style)| {
            Dataset::default()
                .marker(marker)
                .graph_type(GraphType::Line)
                .style(style)
                .data(data)
        })
        .collect();
    let last = weeks[0].len().saturating_sub(1) as f64;
    let first_day = end - crate::metrics::weekly::WEEK * weeks[0].len() as i32;
    let chart = Chart::new(datasets)
        .legend_position(None)
        .x_axis(
            Axis::default()
                .bounds([0.0, last.max(1.0)])
                .labels([
                    first_day.format("%m-%d").to_string(),
                    end.format("%m-%d").to_string(),
                ])
                .style(th.dim),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, top])
                .labels(["0".to_string(), short_number(top)])
                .style(th.dim),
        );
    frame.render_widget(chart, plot);
    let mut spans = Vec::new();
    for ((w, (name, _, symbol)), style) in weeks.iter().zip(SEVERITY_LINES).zip(styles) {
        let now = w.last().copied().unwrap_or(0);
        spans.push(Span::styled(format!("{symbol} {name} {now}  "), style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), caption);
}

/// Eight heights of a text sparkline, lowest first.
const TICKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// One character per value, scaled to the largest; zero is a space-like `·`
/// so that an empty week is seen as empty, not as a low bar.
pub fn sparkline_text(values: &[u64]) -> String {
    let top = values.iter().copied().max().unwrap_or(0);
    values
        .iter()
        .map(|&v| {
            if v == 0 || top == 0 {
                '·'
            } else {
                let step = ((v as f64 / top as f64) * 7.0).round() as usize;
                TICKS[step.min(7)]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_scales_to_the_largest_and_marks_empty_weeks() {
        assert_eq!(sparkline_text(&[0, 1, 2, 4, 8]), "·▂▃▅█");
        assert_eq!(sparkline_text(&[0, 0]), "··");
        assert_eq!(sparkline_text(&[]), "");
    }
}
