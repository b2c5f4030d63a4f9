//! A team's weekly charts (`t` on the drill-down): one key metric at a time
//! (`m` the next), the benchmark's tier bands as reference lines, and the
//! records behind the week selected with `←` / `→` (none selected: the
//! window's records). The series is computed on refresh, only while the charts
//! are shown and only when the snapshot or the window changed.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Paragraph};

use crate::app::Action;
use crate::app::screen::Ctx;
use crate::metrics::Window;
use crate::metrics::dora::TeamDetail;
use crate::metrics::weekly::{KeyMetric, WEEKS, WeeklySeries};
use crate::ui::charts::{self, WeeklyChart};

#[derive(Debug, Default)]
pub struct Trends {
    /// Index into [`KeyMetric::ALL`].
    pub metric: usize,
    /// The week whose records are listed (0 = oldest).
    pub week: Option<usize>,
    pub series: Option<WeeklySeries>,
    /// The snapshot version and window the series was computed for.
    computed_for: Option<(u64, usize)>,
}

impl Trends {
    pub fn metric(&self) -> KeyMetric {
        KeyMetric::ALL[self.metric % KeyMetric::ALL.len()]
    }

    /// Recomputes the series when the snapshot or the window changed.
    pub fn refresh(&mut self, ctx: &Ctx, team: &str) {
        let key = (ctx.snapshot.version, ctx.window);
        if self.computed_for == Some(key) {
            return;
        }
        self.computed_for = Some(key);
        let snapshot = ctx.snapshot;
        self.series = snapshot.views.windows.get(ctx.window).and_then(|w| {
            WeeklySeries::of(
                &snapshot.views.facts,
                &snapshot.records,
                team,
                w.scorecards.window.end,
                &snapshot.settings.benchmark,
            )
        });
    }

    /// The selected week's window, when one is selected.
    pub fn week_window(&self) -> Option<Window> {
        let s = self.series.as_ref()?;
        s.weeks.get(self.week?).copied()
    }

    /// The keys of the charts; `false` for any other action.
    pub fn update(&mut self, action: Action) -> bool {
        match action {
            Action::NextMetric => self.metric = (self.metric + 1) % KeyMetric::ALL.len(),
            Action::WeekEarlier => {
                self.week = Some(self.week.map_or(WEEKS - 1, |w| w.saturating_sub(1)));
            }
            Action::WeekLater => {
                self.week = self.week.and_then(|w| (w + 1 < WEEKS).then_some(w + 1));
            }
            _ => return false,
        }
        true
    }
}

/// The chart over the list of records behind the selected week.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    ctx: &Ctx,
    (team, trends): (&str, &Trends),
    selected: usize,
    detail: &TeamDetail,
) {
    let th = &ctx.theme;
    let Some(series) = &trends.series else {
        let msg = Paragraph::new(format!(" No weekly series for {team}: no record names it."))
            .block(Block::bordered());
        frame.render_widget(msg, area);
        return;
    };
    let chart_height = (area.height * 11 / 20).max(10).min(area.height);
    let [chart_area, list] =
        Layout::vertical([Constraint::Length(chart_height), Constraint::Fill(1)]).areas(area);
    let metric = trends.metric();
    let bench = &ctx.snapshot.settings.benchmark;
    let title = format!(
        " {team} · {}, {} · 12 weeks · {} bands · m metric, h l week ",
        metric.label(),
        metric.unit(),
        bench.name
    );
    charts::weekly(
        frame,
        chart_area,
        th,
        Block::bordered().title(Span::styled(
            crate::ui::fit_title(&title, chart_area.width),
            th.title,
        )),
        &WeeklyChart {
            series,
            metric,
            bench,
            selected: trends.week,
        },
    );
    let what = match trends.week_window() {
        Some(w) => format!(
            "week {}, {} .. {}",
            trends.week.map_or(0, |n| n + 1),
            w.start.format("%m-%d"),
            (w.end - chrono::TimeDelta::days(1)).format("%m-%d")
        ),
        None => "the window (h picks a week)".to_string(),
    };
    let block = Block::bordered().title(Span::styled(
        crate::ui::fit_title(
            &format!(" Records of {what} · t numbers · Esc back "),
            list.width,
        ),
        th.title,
    ));
    let inner = block.inner(list);
    frame.render_widget(block, list);
    let wide = inner.width >= 110;
    let lines = super::team::visible_lines(ctx, selected, detail, inner.height as usize, wide)
        .into_iter()
        .map(|l| crate::ui::fit_line(l, usize::from(inner.width)))
        .collect::<Vec<_>>();
    frame.render_widget(Paragraph::new(lines), inner);
}
