//! Governance that DORA numbers do not show (DESIGN.md): contracts through
//! the three-step dance and accounts drifting from the standard stack. Pure:
//! computed from the records at the end of the cockpit's or the report's
//! window, whole at each recompute (these records are few).

pub mod contracts;
pub mod drift;
pub mod gate;
pub mod versions;

use crate::model::records::Records;
use crate::model::settings::Settings;
use crate::model::{Text, Time};

pub use contracts::{ContractState, Held, StepNote};
pub use drift::{AccountDrift, ComponentDrift};

/// Contracts, the deployments the gate holds and account drift at one end.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Governance {
    pub end: Option<Time>,
    /// Every contract started by the end, sorted by id.
    pub contracts: Vec<ContractState>,
    /// In-flight deployments held at the certification gate.
    pub held: Vec<Held>,
    /// Sorted by account.
    pub accounts: Vec<AccountDrift>,
}

/// A team's governance numbers over a window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TeamGovernance {
    /// Reported contracts whose old path was removed under a live consumer.
    pub violations: usize,
    /// Contracts in flight past `contract_stall`.
    pub stalled: usize,
    /// Accounts with a component behind and no override.
    pub drifted: usize,
}

impl TeamGovernance {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl Governance {
    pub fn compute(records: &Records, settings: &Settings, end: Time) -> Self {
        let (contracts, held) = contracts::compute(records, settings, end);
        Self {
            end: Some(end),
            contracts,
            held,
            accounts: drift::compute(records, settings, end),
        }
    }

    /// The contracts a window starting at `start` reports: in flight at the
    /// end, and those finished in the window.
    pub fn reported(&self, start: Time) -> impl Iterator<Item = &ContractState> {
        self.contracts
            .iter()
            .filter(move |c| c.reported_from(start))
    }

    /// A team's violations, stalled contracts and drifted accounts.
    pub fn team(&self, team: &str, start: Time) -> TeamGovernance {
        let mut g = TeamGovernance::default();
        for c in self.reported(start).filter(|c| &*c.team == team) {
            g.violations += usize::from(c.violation.is_some());
            g.stalled += usize::from(c.stalled);
        }
        g.drifted = self
            .accounts
            .iter()
            .filter(|a| &*a.team == team && a.drifted > 0)
            .count();
        g
    }

    /// Every team's numbers for a window starting at `start`, by team (the
    /// teams with none are left out).
    pub fn by_team(&self, start: Time) -> std::collections::BTreeMap<Text, TeamGovernance> {
        self.teams()
            .into_iter()
            .map(|t| {
                let g = self.team(&t, start);
                (t, g)
            })
            .filter(|(_, g)| !g.is_empty())
            .collect()
    }

    /// The teams governance names (contracts' and accounts' owners), sorted.
    pub fn teams(&self) -> Vec<Text> {
        let mut teams: Vec<Text> = self
            .contracts
            .iter()
            .map(|c| c.team.clone())
            .chain(self.accounts.iter().map(|a| a.team.clone()))
            .collect();
        teams.sort();
        teams.dedup();
        teams
    }

    /// Why the gate holds deployment `id`, if it does.
    pub fn held(&self, id: &str) -> Option<&Held> {
        self.held.iter().find(|h| &*h.deployment == id)
    }
}
