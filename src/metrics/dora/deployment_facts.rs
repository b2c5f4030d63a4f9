//! One deployment's window-independent facts: its team, `T_done` and `T_ok`,
//! and its verdicts (why it is failed, why it is rework), the latter kept
//! out of line since most deployments have none.

use crate::model::{Text, Time};

use super::{FailReason, ReworkReason};

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
