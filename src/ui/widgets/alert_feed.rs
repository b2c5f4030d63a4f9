//! Release-window mode (`w`): the alert feed under the current screen, newest
//! first. The feed holds the alerts of the lookback and every older one not yet
//! acknowledged; an alert whose condition ended says "cleared" and stays until
//! acknowledged; acknowledged ones are dimmed and marked.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::app::App;
use crate::metrics::alerts::{Alert, AlertKind, LOOKBACK};

/// Rows the feed takes at the bottom of the body, borders included.
pub const HEIGHT: u16 = 8;

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let th = &app.theme;
    let log = &app.release.log;
    let alerts = log.entries();
    let open = app.open_alerts().count();
    let hours = LOOKBACK.num_hours();
    let block = Block::bordered()
        .border_style(if open > 0 { th.alert } else { th.dim })
        .title(Span::styled(
            format!(
                " Release window · {open} unacknowledged of {} · last {hours}h, older until acknowledged ",
                alerts.len()
            ),
            th.title,
        ))
        .title_bottom(Span::styled(
            if app.release.feed.is_some() {
                " j k select · Enter opens · a ack this · Esc leaves "
            } else {
                " f select · a ack newest · A ack all · w off "
            },
            th.dim,
        ));
    let rows = block.inner(area).height as usize;
    let selected = app.feed_row();
    let offset = selected.map_or(0, |s| crate::ui::widgets::scroll::offset(s, rows));
    let mut lines: Vec<Line> = alerts
        .iter()
        .enumerate()
        .skip(offset)
        .take(rows)
        .map(|(n, a)| {
            let line = row(a, log.is_acked(&a.key), app);
            if Some(n) == selected {
                line.style(th.selected)
            } else {
                line
            }
        })
        .collect();
    if alerts.is_empty() {
        lines.push(Line::from(Span::styled(
            format!(
                " Quiet: no canary failures, rollbacks, long pauses, incidents or critical findings in the last {hours}h."
            ),
            th.dim,
        )));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// One alert: when, what, its live text, and whether it cleared or was acknowledged.
fn row(a: &Alert, acked: bool, app: &App) -> Line<'static> {
    let th = &app.theme;
    let style = if acked || a.cleared.is_some() {
        th.dim
    } else {
        match a.kind {
            AlertKind::CanaryFailed
            | AlertKind::RolledBack
            | AlertKind::CriticalFinding
            | AlertKind::ContractHeld => th.alert,
            AlertKind::PausedTooLong | AlertKind::IncidentOpened | AlertKind::ContractStalled => {
                th.warn
            }
        }
    };
    let mut spans = vec![
        Span::styled(format!(" {} ", a.at.format("%H:%M")), th.dim),
        Span::styled(format!("{:<17}", a.kind.label()), style),
        Span::styled(
            crate::app::alert_text(a, app.now).to_string(),
            if acked { th.dim } else { Default::default() },
        ),
    ];
    if let Some(c) = a.cleared {
        spans.push(Span::styled(
            format!("  cleared {}", c.format("%H:%M")),
            th.ok,
        ));
    }
    if acked {
        spans.push(Span::styled("  ✓ ack", th.dim));
    }
    Line::from(spans)
}
