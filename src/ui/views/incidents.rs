//! `3` Incidents, the on-call view: per-team time to restore on top, then open
//! incidents with their age ticking, then those restored in the window.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table};

use crate::app::{App, incident_rows};
use crate::format;
use crate::metrics::dora::Attribution;
use crate::store::Snapshot;
use crate::ui::{theme, widgets::scroll};

pub fn render(frame: &mut Frame, area: Rect, app: &App, snapshot: &Snapshot) {
    let w = &snapshot.views.windows[app.window];
    let teams = &w.scorecards.teams;
    // Team MTTR strip: as many teams as fit, two lines.
    let [strip, list] = Layout::vertical([Constraint::Length(4), Constraint::Fill(1)]).areas(area);
    let mut spans = Vec::new();
    for t in teams {
        let r = &t.current.time_to_restore;
        spans.push(Span::raw(format!(" {} ", t.team)));
        spans.push(Span::styled(
            r.median_seconds.map_or("-".into(), format::duration_secs),
            theme::tier(r.tier),
        ));
        if r.open > 0 {
            spans.push(Span::styled(format!(" ({} open)", r.open), theme::alert()));
        }
        spans.push(Span::styled(" ·", theme::dim()));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans))
            .wrap(ratatui::widgets::Wrap { trim: true })
            .block(Block::bordered().title(Span::styled(
                format!(" Time to restore by team · last {} days ", w.days),
                theme::title(),
            ))),
        strip,
    );

    let open = snapshot.views.open_incidents.len();
    let block = Block::bordered().title(Span::styled(
        format!(
            " Incidents · {open} open · {} restored in the last {} days · Enter opens ",
            w.resolved_incidents.len(),
            w.days
        ),
        theme::title(),
    ));
    let height = block.inner(list).height.saturating_sub(1) as usize;
    let selected = app.view().selected;
    let offset = scroll::offset(selected, height);
    let r = &snapshot.records;
    let rows = incident_rows(snapshot, app.window)
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(row, i)| {
            let inc = &r.incidents[i];
            let facts = &snapshot.views.facts.incidents[i];
            let is_open = row < open;
            let (state, time) = if is_open {
                (
                    Cell::from("OPEN").style(theme::alert()),
                    Cell::from(format::age(app.now - inc.opened)).style(theme::alert()),
                )
            } else {
                let took = inc
                    .resolved
                    .map(|res| format::duration(res - inc.opened))
                    .unwrap_or_default();
                (Cell::from("restored").style(theme::ok()), Cell::from(took))
            };
            let dep = match facts.attribution {
                Some(Attribution::Explicit(d) | Attribution::Implicit(d)) => {
                    r.deployments[d].id.to_string()
                }
                None => "unattributed".into(),
            };
            let dep_style = if facts.attribution.is_none() {
                theme::dim()
            } else {
                ratatui::style::Style::new()
            };
            let row_ = Row::new(vec![
                state,
                time,
                Cell::from(inc.severity.as_deref().unwrap_or("-").to_string()),
                Cell::from(facts.team.to_string()),
                Cell::from(inc.service.to_string()),
                Cell::from(inc.id.to_string()),
                Cell::from(dep).style(dep_style),
                Cell::from(inc.title.as_deref().unwrap_or("").to_string()),
            ]);
            if row == selected {
                row_.style(theme::selected())
            } else {
                row_
            }
        });
    let header = Row::new(
        [
            "STATE",
            "AGE/TOOK",
            "SEV",
            "TEAM",
            "SERVICE",
            "INCIDENT",
            "DEPLOYMENT",
            "TITLE",
        ]
        .map(|h| Cell::from(h).style(theme::header())),
    );
    // Narrow terminals hide the service column (the incident id usually says it)
    // rather than cutting ages and ids.
    let service_width = if list.width >= 110 { 16 } else { 0 };
    let table = Table::new(
        rows,
        [
            Constraint::Length(8),
            Constraint::Length(11),
            Constraint::Length(4),
            Constraint::Length(13),
            Constraint::Length(service_width),
            Constraint::Length(24),
            Constraint::Length(22),
            Constraint::Fill(1),
        ],
    )
    .header(header)
    .block(block);
    frame.render_widget(table, list);
}
