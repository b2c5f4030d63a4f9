//! Screens whose full views are still to come (Lanes, Findings) say so plainly
//! and show the numbers the store already has.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::app::Screen;
use crate::model::FindingStatus;
use crate::store::Snapshot;
use crate::ui::theme;

pub fn render(frame: &mut Frame, area: Rect, screen: Screen, snapshot: &Snapshot) {
    let r = &snapshot.records;
    let lines = match screen {
        Screen::Lanes => {
            let in_flight = snapshot
                .facts
                .deployments
                .iter()
                .filter(|d| d.t_done.is_none())
                .count();
            vec![
                Line::from(format!(
                    " {in_flight} deployments in flight, {} canary analyses read.",
                    r.canaries.len()
                )),
                Line::from(""),
                Line::from(Span::styled(
                    " The live lanes view (regions, canary verdicts, certification gates) is not built yet.",
                    theme::dim(),
                )),
            ]
        }
        _ => {
            let open = r
                .findings
                .iter()
                .filter(|f| f.status == FindingStatus::Open)
                .count();
            vec![
                Line::from(format!(
                    " {open} open findings of {} read.",
                    r.findings.len()
                )),
                Line::from(""),
                Line::from(Span::styled(
                    " The audit posture view (by severity, framework and team) is not built yet.",
                    theme::dim(),
                )),
            ]
        }
    };
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
