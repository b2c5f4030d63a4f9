//! The organisation row (DESIGN.md): the same metrics over every team's
//! records pooled, not a median of team medians. Counts add up team by team;
//! the restore median is taken over the pooled restore times; the lead-time
//! median over one sorted array of every team's leads in the window, kept
//! between evaluations and brought up to date by merging in only the teams
//! whose leads changed (one new deployment touches one team: a linear merge,
//! not a sort or a selection over the whole organisation). The gates are not
//! pooled: the organisation row shows none of them.

use std::sync::Arc;

use super::{FoldMap, LeadStats, Tally};

/// Per window length (and whether it is the previous window): every team's
/// sorted leads as last merged, and all of them pooled, sorted.
#[derive(Debug, Clone, Default)]
pub(super) struct OrgMemo {
    kept: FoldMap<(i64, bool), Pooled>,
}

#[derive(Debug, Clone, Default)]
struct Pooled {
    /// The history of the facts these came from (versions restart with it).
    history: u64,
    /// By team slot: the leads merged into `all`.
    teams: FoldMap<u32, Arc<[i64]>>,
    all: Vec<i64>,
}

/// One window's tallies of every team, added up as they are made.
#[derive(Default)]
pub(super) struct Pool {
    tally: Tally,
    leads: Vec<(u32, Arc<[i64]>)>,
}

impl Pool {
    /// Adds a team's tally (before its medians are taken).
    pub fn add(&mut self, slot: u32, t: &Tally) {
        let p = &mut self.tally;
        p.deployed += t.deployed;
        p.failed += t.failed;
        p.rework += t.rework;
        p.open += t.open;
        p.restores.extend_from_slice(&t.restores);
        p.lead.skewed += t.lead.skewed;
        self.leads.push((slot, t.sorted_leads.clone()));
    }

    /// The pooled tally, its lead time from the pooled sorted leads.
    pub fn finish(self, memo: &mut OrgMemo, key: (i64, bool), history: u64) -> Tally {
        let Pool { mut tally, leads } = self;
        let pooled = memo.kept.entry(key).or_default();
        if pooled.history != history {
            *pooled = Pooled {
                history,
                ..Pooled::default()
            };
        }
        let changed: Vec<usize> = (0..leads.len())
            .filter(|&n| {
                let (slot, now) = &leads[n];
                !pooled
                    .teams
                    .get(slot)
                    .is_some_and(|was| Arc::ptr_eq(was, now))
            })
            .collect();
        // A few teams changed: merge each in; many (the first evaluation):
        // one sort of everything.
        // The same number of teams with every changed one already pooled is
        // the same set of teams: otherwise one left and another came.
        let same_teams = pooled.teams.len() == leads.len()
            && changed
                .iter()
                .all(|&n| pooled.teams.contains_key(&leads[n].0));
        if changed.len() > 8 || !same_teams {
            pooled.all = leads.iter().flat_map(|(_, l)| l.iter().copied()).collect();
            pooled.all.sort_unstable();
            pooled.teams = leads.into_iter().collect();
        } else {
            for n in changed {
                let (slot, now) = &leads[n];
                let was = pooled
                    .teams
                    .get(slot)
                    .cloned()
                    .unwrap_or_else(|| Arc::from([]));
                pooled.all = replace_sorted(&pooled.all, &was, now);
                pooled.teams.insert(*slot, now.clone());
            }
        }
        tally.lead = LeadStats {
            median_ms: median_of_sorted(&pooled.all),
            changes: pooled.all.len() as u64,
            skewed: tally.lead.skewed,
        };
        tally
    }
}

/// `all` (sorted) with the values of `old` (sorted, all in `all`) taken out
/// and those of `new` (sorted) put in, in one pass.
fn replace_sorted(all: &[i64], old: &[i64], new: &[i64]) -> Vec<i64> {
    let mut out = Vec::with_capacity(all.len() + new.len() - old.len().min(all.len()));
    let (mut o, mut n) = (0, 0);
    for &v in all {
        if o < old.len() && old[o] == v {
            o += 1;
            continue;
        }
        while n < new.len() && new[n] < v {
            out.push(new[n]);
            n += 1;
        }
        out.push(v);
    }
    out.extend_from_slice(&new[n..]);
    out
}

/// As [`super::median_ms`] on the same values (even count: the mean of the
/// two middle ones).
fn median_of_sorted(v: &[i64]) -> Option<f64> {
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2] as f64),
        _ => Some((v[n / 2 - 1] as f64 + v[n / 2] as f64) / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_replaced_in_the_pool_gives_what_sorting_everything_gives() {
        let all = [1, 2, 2, 3, 5, 8, 8, 9];
        // One team had 2, 8, 9; it now has 0, 2, 8, 10.
        let out = replace_sorted(&all, &[2, 8, 9], &[0, 2, 8, 10]);
        assert_eq!(out, vec![0, 1, 2, 2, 3, 5, 8, 8, 10]);
        assert_eq!(replace_sorted(&[], &[], &[4]), vec![4]);
        assert_eq!(replace_sorted(&[4], &[4], &[]), Vec::<i64>::new());
        assert_eq!(median_of_sorted(&[1, 2, 3, 10]), Some(2.5));
        assert_eq!(median_of_sorted(&[1, 2, 3]), Some(2.0));
        assert_eq!(median_of_sorted(&[]), None);
    }
}
