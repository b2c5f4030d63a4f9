//! One deployment's window-independent facts: its team, `T_done` and `T_ok`,
//! and its verdicts (why it is failed, why it is rework), the latter kept
//! out of line since most deployments have none.

use crate::model::records::{Deployment, Records};
use crate::model::settings::Settings;
use crate::model::{Text, Time};

use super::{Attribution, Facts, FailReason, ReworkReason, done_and_ok};

/// Window-independent facts about one deployment id. Most deployments are
/// neither failed nor rework: their (empty) verdicts take one word, and read
/// as `facts.fail_reasons` and `facts.rework` all the same (through `Deref`).
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentFacts {
    pub team: Text,
    pub t_done: Option<Time>,
    pub t_ok: Option<Time>,
    /// `None` when both verdicts are empty.
    verdicts: Option<Box<Verdicts>>,
}

/// Why a deployment is failed, and why it is rework.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Verdicts {
    pub fail_reasons: Vec<FailReason>,
    pub rework: Option<ReworkReason>,
}

/// The verdicts of a deployment that is neither failed nor rework.
static NO_VERDICTS: Verdicts = Verdicts {
    fail_reasons: Vec::new(),
    rework: None,
};

impl std::ops::Deref for DeploymentFacts {
    type Target = Verdicts;

    fn deref(&self) -> &Verdicts {
        self.verdicts.as_deref().unwrap_or(&NO_VERDICTS)
    }
}

impl DeploymentFacts {
    pub fn new(
        team: Text,
        (t_done, t_ok): (Option<Time>, Option<Time>),
        mut fail_reasons: Vec<FailReason>,
        rework: Option<ReworkReason>,
    ) -> Self {
        // Kept as long as the deployment: no spare room (a list collected
        // from a filter starts with room for four).
        fail_reasons.shrink_to_fit();
        let verdicts = (!fail_reasons.is_empty() || rework.is_some()).then(|| {
            Box::new(Verdicts {
                fail_reasons,
                rework,
            })
        });
        Self {
            team,
            t_done,
            t_ok,
            verdicts,
        }
    }
}

impl Facts {
    /// One deployment's facts from its lines, its service's incidents and the
    /// incidents attributed to it.
    pub(super) fn deployment_facts(
        &self,
        records: &Records,
        settings: &Settings,
        dep: &Deployment,
        d: u32,
    ) -> DeploymentFacts {
        let (t_done, t_ok) = done_and_ok(dep, settings);
        let mut fail_reasons: Vec<FailReason> = dep
            .events
            .iter()
            .filter(|e| settings.is_production(e.environment.as_deref()) && e.status.is_failed())
            .map(|e| FailReason::Status {
                status: e.status,
                region: e.region.clone(),
            })
            .collect();
        for &i in self.links.attributed.get(&d).into_iter().flatten() {
            if let (Some(inc), Some(f)) = (
                records.incidents.get(i as usize),
                self.incidents.get(i as usize),
            ) {
                fail_reasons.push(FailReason::Incident {
                    id: inc.id.clone(),
                    explicit: matches!(f.attribution, Some(Attribution::Explicit(_))),
                });
            }
        }
        let reverted = self.revert_facts(records, settings, (dep, d), t_ok, &mut fail_reasons);
        let rework = if dep.hotfix {
            Some(ReworkReason::Hotfix)
        } else {
            reverted.or_else(|| t_done.and_then(|done| self.during_incident(records, d, done)))
        };
        DeploymentFacts::new(
            settings.team_for(dep.team.as_ref(), Some(&dep.service)),
            (t_done, t_ok),
            fail_reasons,
            rework,
        )
    }

    /// The incident of the deployment's service open when it finished, if any:
    /// the longest-lasting one opened by then.
    fn during_incident(&self, records: &Records, d: u32, done: Time) -> Option<ReworkReason> {
        let s = *self.links.dep_service.get(d as usize)?;
        let (opened, longest) = &**self.links.open.get(s as usize)?;
        let n = opened.partition_point(|&o| o <= done);
        let &(resolved, i) = longest.get(n.checked_sub(1)?)?;
        resolved
            .is_none_or(|r| r > done)
            .then(|| ReworkReason::DuringIncident(records.incidents[i as usize].id.clone()))
    }
}
