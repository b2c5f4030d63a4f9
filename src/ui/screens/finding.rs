//! One finding: rule, resource, location, frameworks and controls, first seen,
//! age against its SLA, remediation text and URL. Every text was sanitised
//! where it was read.

use crate::app::theme::Theme;
use ratatui::text::{Line, Span};

use crate::app::findings::effective;
use crossterm::event::KeyCode;

use crate::app::Action;
use crate::app::keymap::key;
use crate::app::screen::Ctx;
use crate::model::{Finding, FindingDetail, Text, frameworks};
use crate::ui::screens::detail::{DetailKind, DetailPage};
use crate::ui::screens::findings::{severity_style, status_label};
use crate::util::format;

/// Ids can be long ARNs: the breadcrumb shows the last 40 characters.
pub fn short_id(id: &str) -> String {
    let n = id.chars().count();
    if n <= 40 {
        id.to_string()
    } else {
        let tail: String = id.chars().skip(n - 39).collect();
        format!("…{tail}")
    }
}

/// One finding, by id.
pub static FINDING: DetailKind = DetailKind {
    name: "Finding",
    lines: |ctx, id| ctx.snapshot.records.finding(id).map(|i| lines(ctx, i, id)),
    title: |id| format!(" Finding {} · j k PgDn scroll · Esc back ", short_id(id)),
    missing: |id| format!(" No finding {id}. Esc goes back."),
    crumb: short_id,
    keys: &[key(
        KeyCode::Char('/'),
        "/",
        Action::Filter,
        "back to the list and filter findings",
    )
    .hint("filter")],
    open: None,
};

/// The finding with this id.
pub fn page(id: Text) -> DetailPage {
    DetailPage::new(&FINDING, id)
}

/// The detail's lines, top to bottom (their count bounds the scroll keys).
pub fn lines(ctx: &Ctx, i: usize, id: &str) -> Vec<Line<'static>> {
    let th = &ctx.theme;
    let snapshot = ctx.snapshot;
    let r = &snapshot.records;
    let view = &snapshot.views.findings;
    let f = &r.findings[i];
    let row = view
        .row_of
        .get(i)
        .copied()
        .flatten()
        .and_then(|p| view.rows.get(p as usize));
    let d = f.detail.as_deref();
    let open = row.is_some_and(|r| r.open);
    let status = effective(f, open);
    let mut lines = vec![
        Line::from(Span::styled(
            format!(
                " {}",
                f.title.as_deref().or(f.rule.as_deref()).unwrap_or(id)
            ),
            th.title,
        )),
        Line::from(""),
        Line::from(vec![
            Span::styled(format!(" {:<14}", "severity"), th.dim),
            Span::styled(
                f.severity.label().to_string(),
                severity_style(th, f.severity),
            ),
            Span::raw(format!("   status {}", status_label(status))),
        ]),
        field(th, "rule", opt(f.rule.as_deref())),
        field(th, "tool", opt(f.tool.as_deref())),
        field(
            th,
            "team",
            row.map_or_else(|| "-".to_string(), |r| r.team.to_string()),
        ),
        field(th, "account", opt(f.account.as_deref())),
    ];
    if let Some(s) = &f.service {
        lines.push(field(th, "service", s.to_string()));
    }
    location(th, &mut lines, f, d);
    lines.push(field(th, "first seen", format::instant(f.opened)));
    match (status, f.resolved) {
        (crate::model::FindingStatus::Resolved, Some(res)) => {
            lines.push(field(th, "resolved", format::instant(res)));
            lines.push(field(th, "fixed in", format::duration(res - f.opened)));
        }
        _ => lines.push(age(th, ctx.now - f.opened, row.and_then(|r| r.sla_days))),
    }
    if let Some(desc) = d.and_then(|d| d.description.as_deref()) {
        lines.push(field(th, "description", desc.to_string()));
    }
    lines.push(field(
        th,
        "remediation",
        opt(d.and_then(|d| d.remediation.as_deref())),
    ));
    let url = d
        .and_then(|d| d.remediation_url.as_deref())
        .or(f.url.as_deref());
    lines.push(field(th, "url", opt(url)));
    if let Some(fp) = d.and_then(|d| d.fingerprint.as_deref()) {
        lines.push(field(th, "fingerprint", fp.to_string()));
    }
    lines.push(field(th, "id", id.to_string()));
    lines
}

fn field(th: &Theme, k: &str, v: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!(" {k:<14}"), th.dim),
        Span::raw(v),
    ])
}

fn opt(v: Option<&str>) -> String {
    v.unwrap_or("-").to_string()
}

/// Where the finding is: resource, location, region, repository, the
/// frameworks' controls and tags.
fn location(th: &Theme, lines: &mut Vec<Line<'static>>, f: &Finding, d: Option<&FindingDetail>) {
    let resource = match (
        d.and_then(|d| d.resource.as_deref()),
        d.and_then(|d| d.resource_type.as_deref()),
    ) {
        (Some(res), Some(ty)) => format!("{res} ({ty})"),
        (Some(res), None) => res.to_string(),
        _ => "-".into(),
    };
    lines.push(field(th, "resource", resource));
    if let Some(loc) = d.and_then(|d| d.location.as_deref()) {
        lines.push(field(th, "location", loc.to_string()));
    }
    if let Some(region) = d.and_then(|d| d.region.as_deref()) {
        lines.push(field(th, "region", region.to_string()));
    }
    if let Some(repo) = d.and_then(|d| d.repository.as_deref()) {
        lines.push(field(th, "repository", repo.to_string()));
    }
    let controls: Vec<String> = f
        .frameworks
        .iter()
        .flat_map(|s| frameworks::normalise(s))
        .map(|c| c.label())
        .collect();
    lines.push(field(
        th,
        "frameworks",
        if controls.is_empty() {
            "-".into()
        } else {
            controls.join(", ")
        },
    ));
    if let Some(tags) = d.map(|d| &d.tags).filter(|t| !t.is_empty()) {
        lines.push(field(
            th,
            "tags",
            tags.iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
}

/// An open finding's age against its SLA.
fn age(th: &Theme, age: chrono::TimeDelta, sla: Option<i64>) -> Line<'static> {
    let (text, style) = match sla {
        Some(days) if age > chrono::TimeDelta::days(days) => (
            format!(
                "{} — past the {days}-day SLA by {}",
                format::age(age),
                format::age(age - chrono::TimeDelta::days(days))
            ),
            th.alert,
        ),
        Some(days) => (
            format!(
                "{} — {} left of the {days}-day SLA",
                format::age(age),
                format::age(chrono::TimeDelta::days(days) - age)
            ),
            th.ok,
        ),
        None => (
            format!("{} — no SLA for this severity", format::age(age)),
            th.dim,
        ),
    };
    Line::from(vec![
        Span::styled(format!(" {:<14}", "age"), th.dim),
        Span::styled(text, style),
    ])
}
