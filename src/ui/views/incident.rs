//! One incident: its fields, its age or duration, and its attribution.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::app::App;
use crate::metrics::dora::Attribution;
use crate::store::Snapshot;
use crate::ui::theme;
use crate::util::format;

pub fn render(frame: &mut Frame, area: Rect, app: &App, snapshot: &Snapshot, id: &str) {
    let r = &snapshot.records;
    let Some(i) = r.incident(id) else {
        frame.render_widget(
            Paragraph::new(format!(" No incident {id}. Esc goes back.")).block(Block::bordered()),
            area,
        );
        return;
    };
    let inc = &r.incidents[i];
    let facts = &snapshot.views.facts.incidents[i];
    let field = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!(" {k:<14}"), theme::dim()),
            Span::raw(v),
        ])
    };
    let mut lines = vec![
        field("title", inc.title.as_deref().unwrap_or("-").to_string()),
        field("team", facts.team.to_string()),
        field("service", inc.service.to_string()),
        field(
            "severity",
            inc.severity.as_deref().unwrap_or("-").to_string(),
        ),
        field("opened", format::rfc3339(inc.opened)),
    ];
    match inc.resolved {
        Some(res) if res <= app.now => {
            lines.push(field("resolved", format::rfc3339(res)));
            lines.push(field("restored in", format::duration(res - inc.opened)));
        }
        _ => lines.push(Line::from(vec![
            Span::styled(format!(" {:<14}", "state"), theme::dim()),
            Span::styled(
                format!("OPEN for {}", format::age(app.now - inc.opened)),
                theme::alert(),
            ),
        ])),
    }
    let attribution = match facts.attribution {
        Some(Attribution::Explicit(d)) => {
            format!("{} (named by the incident)", r.deployments[d].id)
        }
        Some(Attribution::Implicit(d)) => format!(
            "{} (latest successful deployment of {} within {} before it opened)",
            r.deployments[d].id,
            inc.service,
            format::duration(snapshot.settings.incident_link_window)
        ),
        None => {
            "unattributed: no deployment of this service succeeded within the link window before it"
                .into()
        }
    };
    lines.push(field("deployment", attribution));
    if let Some(url) = &inc.url {
        lines.push(field("url", url.to_string()));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(Span::styled(
                format!(" Incident {id} · Esc back "),
                theme::title(),
            ))),
        area,
    );
}
