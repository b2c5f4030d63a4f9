//! The records behind a team's numbers in a window (the drill-down).

use chrono::TimeDelta;

use crate::model::Time;
use crate::model::records::Records;

use super::team_index::TeamIndex;
use super::{Attribution, DeploymentGates, Facts, FailReason, ReworkReason, Window, is_open_at};

impl Facts {
    /// The records behind one team's numbers in `window`.
    pub fn team_detail(&self, records: &Records, team: &str, window: Window) -> TeamDetail {
        let Ok(at) = self.teams.binary_search_by(|t| (**t).cmp(team)) else {
            return TeamDetail::default();
        };
        self.indexes()
            .nth(at)
            .map(|index| self.detail(records, index, window))
            .unwrap_or_default()
    }

    /// The records behind every team's numbers in `window`, one per `teams`.
    pub fn team_details(&self, records: &Records, window: Window) -> Vec<TeamDetail> {
        self.indexes()
            .map(|index| self.detail(records, index, window))
            .collect()
    }

    fn detail(&self, records: &Records, index: &TeamIndex, window: Window) -> TeamDetail {
        let mut detail = TeamDetail::default();
        // Newest first: the slice is in (T_done, position) order.
        for &(done, d) in index.done[index.done_in(window)].iter().rev() {
            let Some(f) = self.deployments.get(d as usize) else {
                continue;
            };
            detail.deployments.push(DeploymentRow {
                deployment: d as usize,
                done,
                fail_reasons: f.fail_reasons.clone(),
                rework: f.rework.clone(),
                gates: self.gates.get(d as usize).copied().unwrap_or_default(),
            });
        }
        for c in index.counted_in(window) {
            let Some(change) = records.changes.get(c.change as usize) else {
                continue;
            };
            let lead = c.t_ok - change.time;
            detail.changes.push(ChangeRow {
                change: c.change as usize,
                deployment: c.deployment as usize,
                shipped: c.t_ok,
                lead,
                skewed: lead < TimeDelta::zero(),
            });
        }
        // Grouped under the deployment that shipped them, newest first; in a
        // group, the longest lead first.
        detail.changes.sort_by(|a, b| {
            (b.shipped, b.deployment)
                .cmp(&(a.shipped, a.deployment))
                .then(b.lead.cmp(&a.lead))
                .then(a.change.cmp(&b.change))
        });
        for &i in &index.incidents {
            let (Some(inc), Some(f)) = (
                records.incidents.get(i as usize),
                self.incidents.get(i as usize),
            ) else {
                continue;
            };
            let resolved_in = inc.resolved.is_some_and(|r| window.contains(r));
            let open = is_open_at(inc.opened, inc.resolved, window.end);
            if resolved_in || open {
                detail.incidents.push(IncidentRow {
                    incident: i as usize,
                    open,
                    attribution: f.attribution,
                });
            }
        }
        detail.incidents.sort_by_key(|r| {
            (
                !r.open,
                std::cmp::Reverse(records.incidents[r.incident].opened),
            )
        });
        detail
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentRow {
    pub deployment: usize,
    pub done: Time,
    pub fail_reasons: Vec<FailReason>,
    pub rework: Option<ReworkReason>,
    /// Its batch size and certification time.
    pub gates: DeploymentGates,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRow {
    pub change: usize,
    pub deployment: usize,
    /// The deployment's `T_ok`, when the change counts.
    pub shipped: Time,
    pub lead: TimeDelta,
    pub skewed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IncidentRow {
    pub incident: usize,
    /// Still open at the window's end.
    pub open: bool,
    pub attribution: Option<Attribution>,
}

/// The records behind a team's numbers: counted deployments (newest first),
/// counted changes (by deployment, newest first, then longest lead first) and incidents (open first, then newest).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TeamDetail {
    pub deployments: Vec<DeploymentRow>,
    pub changes: Vec<ChangeRow>,
    pub incidents: Vec<IncidentRow>,
}
