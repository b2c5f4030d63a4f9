//! One incident: its fields, its age or duration, and its attribution.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::app::Action;
use crate::app::screen::{Ctx, Cursor, Reply, Screen};
use crate::metrics::dora::Attribution;
use crate::model::Text;
use crate::ui::theme;
use crate::util::format;

/// One incident, by id; its lines are built when the data or the clock changes.
#[derive(Debug)]
pub struct IncidentPage {
    id: Text,
    cursor: Cursor,
    /// `None` while no incident has this id.
    lines: Option<Vec<Line<'static>>>,
}

impl IncidentPage {
    pub fn new(id: Text) -> Self {
        Self {
            id,
            cursor: Cursor::default(),
            lines: None,
        }
    }
}

impl Screen for IncidentPage {
    fn name(&self) -> &'static str {
        "Incident"
    }

    fn crumb(&self) -> String {
        self.id.to_string()
    }

    fn cursor(&self) -> &Cursor {
        &self.cursor
    }

    fn cursor_mut(&mut self) -> &mut Cursor {
        &mut self.cursor
    }

    fn refresh(&mut self, ctx: &Ctx) {
        self.lines = lines(ctx, &self.id);
    }

    fn update(&mut self, _action: Action, _ctx: &Ctx) -> Reply {
        Reply::Pass
    }

    fn render(&self, frame: &mut Frame, area: Rect, _ctx: &Ctx) {
        let id = &self.id;
        let Some(lines) = &self.lines else {
            frame.render_widget(
                Paragraph::new(format!(" No incident {id}. Esc goes back."))
                    .block(Block::bordered()),
                area,
            );
            return;
        };
        frame.render_widget(
            Paragraph::new(lines.clone())
                .wrap(Wrap { trim: false })
                .block(Block::bordered().title(Span::styled(
                    format!(" Incident {id} · Esc back "),
                    theme::title(),
                ))),
            area,
        );
    }
}

/// The incident's fields, its state and its attribution.
fn lines(ctx: &Ctx, id: &str) -> Option<Vec<Line<'static>>> {
    let snapshot = ctx.snapshot;
    let r = &snapshot.records;
    let i = r.incident(id)?;
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
        Some(res) if res <= ctx.now => {
            lines.push(field("resolved", format::rfc3339(res)));
            lines.push(field("restored in", format::duration(res - inc.opened)));
        }
        _ => lines.push(Line::from(vec![
            Span::styled(format!(" {:<14}", "state"), theme::dim()),
            Span::styled(
                format!("OPEN for {}", format::age(ctx.now - inc.opened)),
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
    Some(lines)
}
