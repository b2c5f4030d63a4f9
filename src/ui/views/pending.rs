//! Screens whose full views are still to come (Lanes, Findings) say so plainly
//! and show the numbers the store already has.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::app::Screen;
use crate::format::plural;
use crate::store::Snapshot;
use crate::ui::theme;

pub fn render(frame: &mut Frame, area: Rect, screen: Screen, snapshot: &Snapshot) {
    let v = &snapshot.views;
    let (counts, pending) = match screen {
        Screen::Lanes => (
            format!(
                " {} in flight, {} canary analyses read.",
                plural(v.in_flight, "deployment"),
                snapshot.records.canaries.len()
            ),
            " The live lanes view (regions, canary verdicts, certification gates) is not built yet.",
        ),
        _ => (
            format!(
                " {} of {} read.",
                plural(v.open_findings, "open finding"),
                snapshot.records.findings.len()
            ),
            " The audit posture view (by severity, framework and team) is not built yet.",
        ),
    };
    let lines = vec![
        Line::from(counts),
        Line::from(""),
        Line::from(Span::styled(pending, theme::dim())),
    ];
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(Span::styled(
                format!(" {} ", screen.title()),
                theme::title(),
            ))),
        area,
    );
}
