//! Release-window mode (`w`): the alert feed under the current screen, newest
//! first; acknowledged alerts are dimmed and marked.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::app::App;
use crate::metrics::alerts::AlertKind;
use crate::store::Snapshot;
use crate::ui::theme;

/// Rows the feed takes at the bottom of the body, borders included.
pub const HEIGHT: u16 = 8;

pub fn render(frame: &mut Frame, area: Rect, app: &App, snapshot: &Snapshot) {
    let alerts = &snapshot.views.alerts;
    let open = app.open_alerts(snapshot).count();
    let block = Block::bordered()
        .border_style(if open > 0 { theme::alert() } else { theme::dim() })
        .title(Span::styled(
            format!(
                " Release window · {open} unacknowledged of {} in the last 6h · a ack newest · A ack all · w off ",
                alerts.len()
            ),
            theme::title(),
        ));
    let rows = block.inner(area).height as usize;
    let mut lines = Vec::new();
    for a in alerts.iter().take(rows) {
        let acked = app.release.acked.contains(&a.key);
        let style = if acked {
            theme::dim()
        } else {
            match a.kind {
                AlertKind::CanaryFailed | AlertKind::RolledBack | AlertKind::CriticalFinding => {
                    theme::alert()
                }
                AlertKind::PausedTooLong | AlertKind::IncidentOpened => theme::warn(),
            }
        };
        lines.push(Line::from(vec![
            Span::styled(format!(" {} ", a.at.format("%H:%M")), theme::dim()),
            Span::styled(format!("{:<17}", a.kind.label()), style),
            Span::styled(
                crate::app::alert_text(a, snapshot.now).to_string(),
                if acked {
                    theme::dim()
                } else {
                    Default::default()
                },
            ),
            Span::styled(if acked { "  ✓ ack" } else { "" }, theme::dim()),
        ]));
    }
    if alerts.is_empty() {
        lines.push(Line::from(Span::styled(
            " Quiet: no canary failures, rollbacks, long pauses, incidents or critical findings.",
            theme::dim(),
        )));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
