//! A team drill-down's record rows: a deployment with its batch, canary time,
//! rework and failure reasons; a change with its lead time; an incident with
//! its attribution.

use crate::app::theme::Theme;
use ratatui::text::{Line, Span};

use crate::metrics::dora::{Attribution, ChangeRow, FailReason, ReworkReason, TeamDetail};
use crate::model::Time;
use crate::store::Snapshot;
use crate::util::format;

pub(super) fn row_line<'a>(
    th: &Theme,
    snapshot: &'a Snapshot,
    d: &TeamDetail,
    section: usize,
    i: usize,
    now: Time,
    wide: bool,
) -> Line<'a> {
    let r = &snapshot.records;
    match section {
        0 => {
            let row = &d.deployments[i];
            let dep = &r.deployments[row.deployment];
            let mut spans = vec![
                Span::raw(format!("  {}  ", format::short_time(row.done))),
                Span::raw(if wide {
                    format!("{:<24} {:<18} ", dep.id, dep.service)
                } else {
                    format!("{:<22} ", dep.id)
                }),
            ];
            spans.extend(super::team_gates::deployment_cells(th, &row.gates, wide));
            // The short rework marker goes before the failure text, which
            // can be long and is cut at the row's end.
            match &row.rework {
                Some(ReworkReason::Hotfix) => {
                    spans.push(Span::styled("rework: hotfix  ", th.tier(None)))
                }
                Some(ReworkReason::DuringIncident(id)) => spans.push(Span::styled(
                    format!("rework: during {id}  "),
                    th.tier(None),
                )),
                // Short, as the hotfix marker: the failure text after it must fit;
                // the deployment it reverts names this change.
                Some(ReworkReason::Revert { .. }) => {
                    spans.push(Span::styled("rework: revert  ", th.tier(None)))
                }
                None => {}
            }
            if row.fail_reasons.is_empty() {
                spans.push(Span::styled("ok", th.ok));
            } else {
                let why: Vec<String> = row.fail_reasons.iter().map(reason).collect();
                spans.push(Span::styled(
                    format!("FAILED: {}", why.join("; ")),
                    th.alert,
                ));
            }
            Line::from(spans)
        }
        1 => change_line(th, snapshot, &d.changes, i, wide),
        _ => {
            let row = &d.incidents[i];
            let inc = &r.incidents[row.incident];
            let state = match inc.resolved {
                Some(res) if !row.open => {
                    Span::raw(format!("restored in {:<10}", format::age(res - inc.opened)))
                }
                _ => Span::styled(
                    format!("OPEN for {:<13}", format::age(now - inc.opened)),
                    th.alert,
                ),
            };
            let dep = match row.attribution {
                Some(Attribution::Explicit(d)) => format!("→ {} (named)", r.deployments[d].id),
                Some(Attribution::Implicit(d)) => format!("→ {} (linked)", r.deployments[d].id),
                None => "unattributed".into(),
            };
            Line::from(vec![
                Span::raw(format!("  {:<24} ", inc.id)),
                state,
                Span::raw(format!(" {dep}  ")),
                Span::styled(inc.title.as_deref().unwrap_or("").to_string(), th.dim),
            ])
        }
    }
}

/// A change row: its lead time, where it shipped, its review times and title.
/// Changes come grouped by deployment: the first of a group names the
/// deployment and how many changes it shipped.
fn change_line<'a>(
    th: &Theme,
    snapshot: &'a Snapshot,
    rows: &[ChangeRow],
    i: usize,
    wide: bool,
) -> Line<'a> {
    let r = &snapshot.records;
    let row = &rows[i];
    let c = &r.changes[row.change];
    let first = i == 0 || rows[i - 1].deployment != row.deployment;
    let shipped = if first {
        let n = rows[i..]
            .iter()
            .take_while(|x| x.deployment == row.deployment)
            .count();
        format!("→ {} ({n})", r.deployments[row.deployment].id)
    } else {
        String::new()
    };
    let lead = if row.skewed {
        Span::styled(format!("{:>9}", "skewed"), th.alert)
    } else {
        Span::raw(format!("{:>9}", format::duration(row.lead)))
    };
    let mut spans = vec![
        Span::raw("  "),
        lead,
        Span::raw(format!("  {:<22} {:<29} ", short_id(&c.id), shipped)),
    ];
    spans.extend(super::team_gates::change_cells(th, c, wide));
    spans.push(Span::styled(
        c.title.as_deref().unwrap_or("").to_string(),
        th.dim,
    ));
    Line::from(spans)
}

fn reason(r: &FailReason) -> String {
    match r {
        FailReason::Status { status, region } => match region {
            Some(region) => format!("{} in {region}", status.words()),
            None => status.words().to_string(),
        },
        FailReason::Incident { id, .. } => format!("incident {id}"),
        // The reverting change (as in the JSON): short enough to fit the row.
        FailReason::Revert { change, .. } => format!("reverted by {}", short_id(change)),
    }
}

/// A full git commit id (alone or after `service@`) as git abbreviates it:
/// the 10 first hex digits name one commit in any history this size.
fn short_id(id: &str) -> &str {
    let hash = id.rsplit('@').next().unwrap_or(id);
    if hash.len() == 40 && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        &id[..id.len() - 30]
    } else {
        id
    }
}
