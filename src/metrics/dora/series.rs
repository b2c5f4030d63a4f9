//! One team's metrics over several windows (the weekly series of the charts),
//! each evaluated exactly as [`Facts::evaluate`] evaluates a window.

use super::{Facts, LeadMemo, TeamMetrics, Window, tally};
use crate::metrics::tiers::Benchmarks;
use crate::model::records::Records;

impl Facts {
    /// `team`'s metrics in each of `windows`, in the same order; `None` when
    /// no record or setting names the team. Frequency is per day of each
    /// window, so a week's frequency is its deployments over 7.
    pub fn team_windows(
        &self,
        records: &Records,
        team: &str,
        windows: &[Window],
        bench: &Benchmarks,
    ) -> Option<Vec<TeamMetrics>> {
        let at = self.teams.binary_search_by(|t| (**t).cmp(team)).ok()?;
        let slot = *self.sorted_slots.get(at)?;
        let index = &*self.links.team_index[slot as usize];
        let graded = self.links.has_records(slot);
        // Lead-time statistics of the slices are kept between the windows of
        // this call only: the store's memo is for the windows it publishes.
        let mut memo = LeadMemo::default();
        Some(
            windows
                .iter()
                .map(|&w| {
                    tally(self, records, index, w, (slot, false), &mut memo).metrics(
                        w.days(),
                        bench,
                        graded,
                    )
                })
                .collect(),
        )
    }

    /// Deployments counted in each of `windows` for every team, in `teams`
    /// order: the cheap part of a series (two binary searches per window),
    /// for sparklines of a whole organisation.
    pub fn deployments_in(&self, windows: &[Window]) -> Vec<Vec<u64>> {
        self.indexes()
            .map(|index| {
                windows
                    .iter()
                    .map(|&w| index.deployment_counts(index.done_in(w)).0)
                    .collect()
            })
            .collect()
    }
}
