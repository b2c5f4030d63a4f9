//! Which teams need help first: the order of the Overview and the report table.

use super::dora::{Scorecards, TeamScorecard};
use super::tiers::Tier;

/// Indexes into `cards.teams`: lowest team tier first, then most low key
/// metrics, then by name.
pub fn needs_help_first(cards: &Scorecards) -> Vec<usize> {
    let lows = |t: &TeamScorecard| {
        t.current
            .key_tiers()
            .iter()
            .filter(|x| **x == Some(Tier::Low))
            .count()
    };
    let mut order: Vec<usize> = (0..cards.teams.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&cards.teams[a], &cards.teams[b]);
        // No tier sorts after every tier: nothing to help with yet.
        let rank = |t: &TeamScorecard| t.tier.map_or(u8::MAX, |t| t as u8);
        rank(a)
            .cmp(&rank(b))
            .then(lows(b).cmp(&lows(a)))
            .then(a.team.cmp(&b.team))
    });
    order
}
