//! The Overview's row model: which teams are listed and in what order. The
//! window's ranking (teams needing help first) is the default order; `/`
//! filters it and `o` sorts it by a column (`O` reverses). Built on refresh and
//! on a key, never while drawing.

use crate::app::list_filter::{Field, ListFilter};
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

const COLUMNS: [SortBy; 8] = [
    SortBy::Team,
    SortBy::Tier,
    SortBy::Deploys,
    SortBy::LeadTime,
    SortBy::FailRate,
    SortBy::Restore,
    SortBy::Rework,
    SortBy::Open,
];

/// The sort in force: `None` is the window's ranking.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sort {
    pub by: Option<SortBy>,
    pub descending: bool,
}

impl Sort {
    /// `o`: the next column, ascending; after the last, back to the ranking.
    pub fn next(self) -> Self {
        let by = match self.by {
            None => Some(COLUMNS[0]),
            Some(b) => COLUMNS
                .iter()
                .position(|&c| c == b)
                .and_then(|i| COLUMNS.get(i + 1).copied()),
        };
        Self {
            by,
            descending: false,
        }
    }

    /// `O`: the other direction (on the ranking: the teams doing best first).
    pub fn reversed(self) -> Self {
        Self {
            descending: !self.descending,
            ..self
        }
    }

    /// The header arrow of column `i` (in [`SortBy`] order): `▲` ascending.
    pub fn mark(self, i: usize) -> &'static str {
        match self.by {
            Some(b) if COLUMNS.get(i) == Some(&b) && self.descending => "▼",
            Some(b) if COLUMNS.get(i) == Some(&b) => "▲",
            _ => "",
        }
    }

    /// The sort as saved between runs: the column's number, `-` for the
    /// ranking, and `v` when reversed (`3v`).
    pub fn saved(self) -> String {
        let col = self
            .by
            .and_then(|b| COLUMNS.iter().position(|&c| c == b))
            .map_or("-".to_string(), |i| i.to_string());
        format!("{col}{}", if self.descending { "v" } else { "" })
    }

    /// Reads [`Sort::saved`]; anything else is the default.
    pub fn restore(text: &str) -> Self {
        let (col, descending) = match text.strip_suffix('v') {
            Some(c) => (c, true),
            None => (text, false),
        };
        let by = col
            .parse::<usize>()
            .ok()
            .and_then(|i| COLUMNS.get(i).copied());
        Self { by, descending }
    }

    /// What the title says: ` · sorted by lead time ▲`.
    pub fn title(self) -> String {
        let name = match self.by {
            None if self.descending => return " · best first".to_string(),
            None => return String::new(),
            Some(SortBy::Team) => "team",
            Some(SortBy::Tier) => "tier",
            Some(SortBy::Deploys) => "deploys",
            Some(SortBy::LeadTime) => "lead time",
            Some(SortBy::FailRate) => "failure rate",
            Some(SortBy::Restore) => "time to restore",
            Some(SortBy::Rework) => "rework",
            Some(SortBy::Open) => "open incidents",
        };
        format!(
            " · sorted by {name} {}",
            if self.descending { "▼" } else { "▲" }
        )
    }
}

/// A sort key: text, or a number where a missing value sorts last either way.
#[derive(PartialEq, PartialOrd)]
enum Key<'a> {
    Text(&'a str),
    Number(Option<f64>),
}

fn key(t: &TeamScorecard, by: SortBy) -> Key<'_> {
    let m = &t.current;
    Key::Number(match by {
        SortBy::Team => return Key::Text(&t.team),
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
    match sort.by {
        None if sort.descending => rows.reverse(),
        None => {}
        Some(by) => {
            // Stable: ties keep the ranking's order.
            rows.sort_by(|&a, &b| {
                let (ka, kb) = (
                    key(&w.scorecards.teams[a], by),
                    key(&w.scorecards.teams[b], by),
                );
                let missing = |k: &Key| matches!(k, Key::Number(None));
                match (missing(&ka), missing(&kb)) {
                    (true, false) => std::cmp::Ordering::Greater,
                    (false, true) => std::cmp::Ordering::Less,
                    _ => {
                        let o = ka.partial_cmp(&kb).unwrap_or(std::cmp::Ordering::Equal);
                        if sort.descending { o.reverse() } else { o }
                    }
                }
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn o_cycles_the_columns_then_returns_to_the_ranking() {
        let mut s = Sort::default();
        let mut seen = vec![];
        for _ in 0..COLUMNS.len() {
            s = s.next();
            seen.push(s.by);
        }
        assert_eq!(seen.last(), Some(&Some(SortBy::Open)));
        assert_eq!(s.next(), Sort::default());
        let lead = Sort {
            by: Some(SortBy::LeadTime),
            descending: false,
        };
        assert_eq!((lead.mark(3), lead.mark(2)), ("▲", ""));
        assert_eq!(lead.reversed().mark(3), "▼");
        assert_eq!(lead.title(), " · sorted by lead time ▲");
    }
}
