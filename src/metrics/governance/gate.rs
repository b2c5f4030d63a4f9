//! Governance at the certification gate and in the release-window alerts: a
//! deployment in flight that would take a `contract` step while a consumer
//! has not migrated is blocked at the gate, naming the contract and the
//! consumers; the feed alerts on it (for as long as it is held) and on a
//! contract becoming stalled. Pure.

use chrono::TimeDelta;

use crate::metrics::alerts::{Alert, AlertKind, LOOKBACK, Subject};
use crate::metrics::lanes::{Blocker, Gate, Lanes, Outcome};
use crate::model::settings::Settings;
use crate::model::{Text, Time};

use super::Governance;

/// Blocks the gate of every in-flight lane the governance holds.
pub fn hold(lanes: &mut Lanes, g: &Governance) {
    if g.held.is_empty() {
        return;
    }
    for lane in &mut lanes.lanes {
        if lane.outcome != Outcome::InFlight {
            continue;
        }
        let blockers: Vec<Blocker> = g
            .held
            .iter()
            .filter(|h| h.deployment == lane.id)
            .map(|h| Blocker::Contract {
                contract: h.contract.clone(),
                consumers: h.consumers.clone(),
            })
            .collect();
        if blockers.is_empty() {
            continue;
        }
        let lane = std::sync::Arc::make_mut(lane);
        lane.gate = match std::mem::replace(&mut lane.gate, Gate::Waiting) {
            Gate::Blocked(mut before) => {
                before.extend(blockers);
                Gate::Blocked(before)
            }
            Gate::Waiting | Gate::Certified { .. } => Gate::Blocked(blockers),
        };
    }
}

/// When an unfinished contract becomes stalled: just past `contract_stall`.
fn stalls_at(started: Time, settings: &Settings) -> Time {
    started + settings.contract_stall + TimeDelta::milliseconds(1)
}

/// The alerts as of `now`: a deployment held at the gate (ongoing, since
/// its lane started) and a contract that became stalled in the feed's span.
pub fn alerts(g: &Governance, lanes: &Lanes, settings: &Settings, now: Time) -> Vec<Alert> {
    let mut out = Vec::new();
    for h in &g.held {
        let Some(lane) = lanes.find(&h.deployment) else {
            continue;
        };
        out.push(Alert {
            key: Text::from(format!("contract-held:{}:{}", h.deployment, h.contract)),
            kind: AlertKind::ContractHeld,
            at: lane.started,
            service: h.service.clone(),
            text: Text::from(format!("{} held", h.deployment)),
            since: Some(lane.started),
            tail: Text::from(format!(
                ": {}, {} not migrated",
                h.contract,
                h.consumers.join(", ")
            )),
            cleared: None,
            subject: Subject::Lane(h.deployment.clone()),
        });
    }
    for c in g.contracts.iter().filter(|c| c.stalled) {
        let at = stalls_at(c.started, settings);
        if at < now - LOOKBACK || at > now {
            continue;
        }
        let waiting: Vec<&str> = c.waiting().map(|s| &**s).collect();
        out.push(Alert {
            key: Text::from(format!("contract-stalled:{}", c.id)),
            subject: Subject::Contract(c.id.clone()),
            kind: AlertKind::ContractStalled,
            at,
            service: c.producer.clone(),
            text: Text::from(format!(
                "contract {} stalled: unfinished {} after its expand, waiting on {}",
                c.id,
                span(settings.contract_stall),
                if waiting.is_empty() {
                    "its contract step".to_string()
                } else {
                    waiting.join(", ")
                }
            )),
            since: None,
            tail: Text::from(""),
            cleared: None,
        });
    }
    out
}

/// When the next contract becomes stalled with no new data (the store
/// recomputes then, so the alert fires on time).
pub fn next_due(g: &Governance, settings: &Settings, now: Time) -> Option<Time> {
    g.contracts
        .iter()
        .filter(|c| c.contracted.is_none() && !c.stalled)
        .map(|c| stalls_at(c.started, settings))
        .filter(|t| *t > now)
        .min()
}

/// `14 days`, or hours for a span that is not whole days.
fn span(d: TimeDelta) -> String {
    if d == TimeDelta::days(d.num_days()) {
        format!("{} days", d.num_days())
    } else {
        format!("{} hours", d.num_hours())
    }
}
