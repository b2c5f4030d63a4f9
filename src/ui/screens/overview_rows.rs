//! The Overview's row model: which teams are listed and in what order. The
//! window's ranking (teams needing help first) is the default order; `/`
//! filters it and `o` sorts it by a column (`O` reverses). Built on refresh and
//! on a key, never while drawing.

use crate::app::list_filter::{Field, ListFilter};
use crate::app::list_sort::{ColumnSort, SortKey};
use crate::metrics::TeamScorecard;
use crate::metrics::Tier;
use crate::store::WindowView;

/// What `/` can name on the Overview.
pub const FILTER_KEYS: &[Field] = &[Field::Team, Field::Tier];

/// The columns `o` sorts by, in the Overview's column order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Team,
    Tier,
    Deploys,
    LeadTime,
    FailRate,
    Restore,
    Rework,
    Open,
}

pub const COLUMNS: [SortBy; 8] = [
    SortBy::Team,
    SortBy::Tier,
    SortBy::Deploys,
    SortBy::LeadTime,
    SortBy::FailRate,
    SortBy::Restore,
    SortBy::Rework,
    SortBy::Open,
];

/// What the title calls each column of [`COLUMNS`].
pub const COLUMN_NAMES: [&str; 8] = [
    "team",
    "tier",
    "deploys",
    "lead time",
    "failure rate",
    "time to restore",
    "rework",
    "open incidents",
];

/// The sort in force: no column is the window's ranking (reversed: the teams
/// doing best first).
pub type Sort = ColumnSort;

/// What the title says of the sort.
pub fn sort_title(sort: Sort) -> String {
    sort.title(&COLUMN_NAMES, "best first")
}

fn key(t: &TeamScorecard, col: usize) -> SortKey<'_> {
    let m = &t.current;
    let Some(&by) = COLUMNS.get(col) else {
        return SortKey::Number(None);
    };
    SortKey::Number(match by {
        SortBy::Team => return SortKey::Text(&t.team),
        // Best first when ascending, as the tier words read: elite .. low.
        SortBy::Tier => t.tier.map(|x| -(x as u8 as f64)),
        SortBy::Deploys => m
            .deployment_frequency
            .tier
            .map(|_| m.deployment_frequency.per_day),
        SortBy::LeadTime => m.lead_time.median_seconds,
        SortBy::FailRate => m.change_failure_rate.rate,
        SortBy::Restore => m.time_to_restore.median_seconds,
        SortBy::Rework => m.rework_rate.rate,
        SortBy::Open => Some(m.time_to_restore.open as f64),
    })
}

/// The teams listed, as indices into the window's scorecards, in row order.
pub fn rows(w: &WindowView, filter: &ListFilter, sort: Sort) -> Vec<usize> {
    let mut rows: Vec<usize> = w
        .order
        .iter()
        .copied()
        .filter(|&i| {
            let t = &w.scorecards.teams[i];
            filter.query.matches(&[
                (Field::Team, &t.team),
                (Field::Tier, Tier::label_of(t.tier)),
            ])
        })
        .collect();
    sort.apply(&mut rows, |&i, col| key(&w.scorecards.teams[i], col));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_has_a_name_in_the_title() {
        let lead = Sort {
            col: Some(3),
            descending: false,
        };
        assert_eq!(COLUMNS[3], SortBy::LeadTime);
        assert_eq!(sort_title(lead), " · sorted by lead time ▲");
        assert_eq!(sort_title(Sort::default().reversed()), " · best first");
    }
}
