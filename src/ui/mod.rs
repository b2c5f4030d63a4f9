//! Rendering: `render(frame, &app, &snapshot)` reads state and draws: the top
//! bar, the screen on top (each screen in `screens` draws itself) and the
//! status bar. May use `app`, `model`, `metrics`, `store` and `util`. It does
//! no I/O and computes no metrics; it builds only the rows that are visible.

pub mod charts;
pub mod screen_export;
pub mod screens;
pub mod widgets;

use crate::app::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::app::App;
use crate::store::Snapshot;

/// Below this the cockpit asks for a bigger terminal instead of drawing garbage.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 12;

pub fn render(frame: &mut Frame, app: &App, snapshot: &Snapshot) {
    let th = &app.theme;
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = Paragraph::new(vec![
            Line::from("flightdeck"),
            Line::from(format!(
                "needs {MIN_WIDTH}x{MIN_HEIGHT}, has {}x{}",
                area.width, area.height
            )),
            Line::from("q quits"),
        ]);
        frame.render_widget(msg, area);
        return;
    }
    let [tabs, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    render_tabs(frame, tabs, app);
    let body = if app.release.on && body.height > widgets::alert_feed::HEIGHT + 6 {
        let [top, feed] = Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(widgets::alert_feed::HEIGHT),
        ])
        .areas(body);
        widgets::alert_feed::render(frame, feed, app);
        top
    } else {
        body
    };
    app.top()
        .render(frame, body, &app.ctx(snapshot), app.cursor());
    widgets::status_bar::render(frame, status, app, snapshot);
    if app.help {
        let end = widgets::help::render(
            th,
            frame,
            body,
            app.help_offset,
            (app.top().keys(), &app.keymap),
            &app.top().legend(th),
        );
        app.help_end.set(Some(end));
    }
    if let Some(p) = &app.palette {
        widgets::palette::render(th, frame, body, p);
    }
}

fn render_tabs(frame: &mut Frame, area: Rect, app: &App) {
    let th = &app.theme;
    let mut spans = vec![Span::styled(" flightdeck ", th.title.reversed())];
    // When the tabs' names and the drill-down path do not all fit, the other
    // tabs show their digit only, then every tab does (the path needs the room).
    let path: usize = app
        .drill_downs()
        .map(|s| s.crumb().chars().count() + 3)
        .sum();
    let names: usize = app.tabs().map(|s| s.name().len() + 4).sum();
    let digits: usize = app.tabs().count() * 3;
    let active = app.tabs().nth(app.tab()).map_or(0, |s| s.name().len() + 1);
    let width = usize::from(area.width);
    let compact = 12 + names + path > width;
    let digits_only = compact && 12 + digits + active + path > width;
    for (n, s) in app.tabs().enumerate() {
        let label = if digits_only || (compact && n != app.tab()) {
            format!(" {} ", n + 1)
        } else {
            format!(" {} {} ", n + 1, s.name())
        };
        if n == app.tab() {
            spans.push(Span::styled(label, th.selected));
        } else {
            spans.push(Span::styled(label, th.dim));
        }
    }
    // The drill-down path, so the user knows where Esc leads.
    for s in app.drill_downs() {
        spans.push(Span::styled(format!(" › {}", s.crumb()), th.header));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A detail view that scrolls by line: `lines` inside `block`, starting at line
/// `first` but never so far that the last screenful is not full. Wrapped lines
/// count as the rows they take. Returns that last useful first line, so the
/// scroll keys can stop there.
pub fn scrolled(
    th: &Theme,
    frame: &mut Frame,
    area: Rect,
    lines: &[Line<'static>],
    first: usize,
    block: Block,
) -> usize {
    let inner = block.inner(area);
    let width = inner.width.max(1) as usize;
    let rows = |l: &Line| l.width().max(1).div_ceil(width);
    // The last start from which the rest still fills the view.
    let mut start = lines.len();
    let mut used = 0;
    while start > 0 && used + rows(&lines[start - 1]) <= inner.height as usize {
        used += rows(&lines[start - 1]);
        start -= 1;
    }
    let first = first.min(start);
    let more = first > 0 || first < start;
    let mut block = block;
    if more {
        block = block.title_bottom(Span::styled(
            format!(" line {} of {} · j k scroll ", first + 1, lines.len()),
            th.dim,
        ));
    }
    // Every line takes a row at least: no more than the height can show.
    let shown: Vec<Line> = lines
        .iter()
        .skip(first)
        .take(inner.height as usize)
        .cloned()
        .collect();
    frame.render_widget(
        Paragraph::new(shown)
            .wrap(ratatui::widgets::Wrap { trim: false })
            .block(block),
        area,
    );
    start
}

/// A bordered block's title for a block `width` columns wide (the border's
/// corners take two): whole when it fits, else the ` · ` parts that fit
/// whole and `…`, never a word cut by the corner. The first part and what a
/// filter or a sort says of the rows (`/pay 3 of 8`, `sorted by …`) go first:
/// rows that are filtered must say so.
pub fn fit_title(title: &str, width: u16) -> String {
    let width_of = crate::util::text::width;
    let room = (width as usize).saturating_sub(2);
    if width_of(title) <= room {
        return title.to_string();
    }
    let parts: Vec<&str> = title.trim().split(" · ").collect();
    let needed = |i: usize, p: &str| i == 0 || p.starts_with('/') || p.starts_with("sorted by");
    let mut keep: Vec<bool> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| needed(i, p))
        .collect();
    // ` ` + parts joined by ` · ` + ` … `.
    let used = |keep: &[bool]| {
        let shown: Vec<&str> = (0..parts.len())
            .filter(|&i| keep[i])
            .map(|i| parts[i])
            .collect();
        1 + width_of(&shown.join(" · ")) + 3
    };
    for i in 0..parts.len() {
        if !keep[i] {
            keep[i] = true;
            if used(&keep) > room {
                keep[i] = false;
            }
        }
    }
    let shown: Vec<&str> = (0..parts.len())
        .filter(|&i| keep[i])
        .map(|i| parts[i])
        .collect();
    format!(" {} … ", shown.join(" · "))
}

/// `line` cut to `width` columns, ending in `…` when cut, so that a cut
/// reads as one (a plain cut at the edge can read as a whole, wrong value).
pub fn fit_line(line: Line<'_>, width: usize) -> Line<'_> {
    if line.width() <= width {
        return line;
    }
    let style = line.style;
    let mut room = width.saturating_sub(1);
    let mut spans = Vec::with_capacity(line.spans.len() + 1);
    for span in line.spans {
        if room == 0 {
            break;
        }
        let w = span.width();
        if w <= room {
            room -= w;
            spans.push(span);
        } else {
            // The cut span's text, without the `…` `truncate` adds (one goes at the end).
            let mut text = crate::util::text::truncate(&span.content, room + 1);
            text.pop();
            spans.push(Span::styled(text, span.style));
            room = 0;
        }
    }
    spans.push(Span::raw("…"));
    Line::from(spans).style(style)
}

/// A centred rectangle of at most `w` x `h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Clears `area` and draws a bordered popup with `title`; returns the inner area.
pub fn popup(th: &Theme, frame: &mut Frame, area: Rect, title: &str) -> Rect {
    frame.render_widget(Clear, area);
    let block = Block::bordered().title(Span::styled(format!(" {title} "), th.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_line_ends_in_an_ellipsis_and_keeps_its_styles() {
        let red = ratatui::style::Style::new().fg(ratatui::style::Color::Red);
        let line = Line::from(vec![
            Span::raw("ok  "),
            Span::styled("FAILED: rolled back", red),
        ]);
        let cut = fit_line(line.clone(), 16);
        assert_eq!(cut.width(), 16);
        assert_eq!(cut.to_string(), "ok  FAILED: rol…");
        assert_eq!(cut.spans[1].style, red);
        assert_eq!(
            fit_line(line.clone(), 40),
            line,
            "a line that fits is left alone"
        );
        assert_eq!(fit_line(line, 1).to_string(), "…");
    }

    #[test]
    fn a_title_too_long_keeps_its_name_and_filter_whole() {
        let t = " Lanes · 3 failed · 5 in flight · canary region us-east-1 · /auth 1 of 25 · Enter opens ";
        assert_eq!(fit_title(t, 200), t);
        assert_eq!(fit_title(t, 44), " Lanes · 3 failed · /auth 1 of 25 … ");
        assert_eq!(fit_title(t, 30), " Lanes · /auth 1 of 25 … ");
    }
}
