//! One incident: its fields, its age or duration, and its attribution.

use ratatui::text::{Line, Span};

use crossterm::event::KeyCode;

use crate::app::Action;
use crate::app::keymap::key;
use crate::app::screen::{Ctx, Screen};
use crate::metrics::dora::Attribution;
use crate::model::Text;
use crate::ui::screens::detail::{DetailKind, DetailPage};
use crate::util::format;

/// One incident, by id.
pub static INCIDENT: DetailKind = DetailKind {
    name: "Incident",
    lines,
    title: |id| format!(" Incident {id} · j k scroll · Esc back "),
    missing: |id| format!(" No incident {id}. Esc goes back."),
    crumb: |id| id.to_string(),
    keys: &[key(
        KeyCode::Enter,
        "Enter",
        Action::Open,
        "open the lane of the deployment it is attributed to",
    )
    .hint("deployment")],
    open: Some(deployment_lane),
};

/// Enter on an incident: the lane of the deployment it is attributed to.
fn deployment_lane(ctx: &Ctx, id: &str) -> Result<Box<dyn Screen>, String> {
    let s = ctx.snapshot;
    let i = s
        .records
        .incident(id)
        .ok_or_else(|| format!("no incident {id}"))?;
    match s.views.facts.incidents.get(i).and_then(|f| f.attribution) {
        Some(Attribution::Explicit(d) | Attribution::Implicit(d)) => {
            let dep = &s.records.deployments[d].id;
            Ok(Box::new(crate::ui::screens::lane::page(Text::from(&**dep))))
        }
        None => Err(format!("{id} is attributed to no deployment")),
    }
}

/// The incident with this id.
pub fn page(id: Text) -> DetailPage {
    DetailPage::new(&INCIDENT, id)
}

/// The incident's fields, its state and its attribution.
fn lines(ctx: &Ctx, id: &str) -> Option<Vec<Line<'static>>> {
    let th = &ctx.theme;
    let snapshot = ctx.snapshot;
    let r = &snapshot.records;
    let i = r.incident(id)?;
    let inc = &r.incidents[i];
    let facts = &snapshot.views.facts.incidents[i];
    let field = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!(" {k:<14}"), th.dim),
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
        field("opened", format::instant(inc.opened)),
    ];
    match inc.resolved {
        Some(res) if res <= ctx.now => {
            lines.push(field("resolved", format::instant(res)));
            lines.push(field("restored in", format::age(res - inc.opened)));
        }
        _ => lines.push(Line::from(vec![
            Span::styled(format!(" {:<14}", "state"), th.dim),
            Span::styled(
                format!("OPEN for {}", format::age(ctx.now - inc.opened)),
                th.alert,
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
