//! The teams governance lines name (DESIGN.md "Teams reported"): contract
//! steps and account baselines are kept in arrival order and never merge, so
//! each new line adds one reference to its team.

use crate::model::records::Records;
use crate::model::settings::Settings;

use super::Facts;

impl Facts {
    /// The teams contract and baseline lines name or map (DESIGN.md "Teams
    /// reported"): each new line adds a reference to its team.
    pub(super) fn note_governance(&mut self, records: &Records, settings: &Settings) {
        let l = &mut self.links;
        let [contracts, baselines] = l.governance_seen;
        for c in records.contracts.iter().skip(contracts) {
            let team = l.team(settings.team_for(c.team.as_ref(), Some(&c.service)));
            l.team_refs[team as usize] += 1;
        }
        for b in records.baselines.iter().skip(baselines) {
            let team = l.team(crate::model::contracts::baseline_team(b, settings));
            l.team_refs[team as usize] += 1;
        }
        l.governance_seen = [records.contracts.len(), records.baselines.len()];
    }
}
