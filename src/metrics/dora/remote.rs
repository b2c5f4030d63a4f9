//! Scorecards read back from the exporters (`model::remote`, the `scorecards`
//! source) laid over the scorecards computed here: a team the exporters serve
//! gets their numbers for the window of the same length, with no previous
//! window (the exporters serve none, so no trend) and no records behind them.

use std::sync::Arc;

use crate::metrics::dora::{
    ChangeFailureRate, Frequency, LeadTime, ReworkRate, TeamMetrics, TimeToRestore,
};
use crate::metrics::gates::{Batch, Certification, Gates, Review};
use crate::metrics::{Scorecards, TeamScorecard, Tier};
use crate::model::remote::{RemoteScorecards, RemoteWindow};

/// A tier from its level (low 1 .. elite 4); anything else is no tier.
pub fn tier_of_level(level: Option<f64>) -> Option<Tier> {
    let level = level?;
    [Tier::Low, Tier::Medium, Tier::High, Tier::Elite]
        .into_iter()
        .zip(1..=4)
        .find(|(_, l)| f64::from(*l) == level)
        .map(|(t, _)| t)
}

/// Adds (or replaces) every team of `remote` that has a window as long as
/// `cards`'s; the organisation's unattributed incidents are added too.
pub fn overlay(cards: &mut Scorecards, remote: &[Arc<RemoteScorecards>]) {
    let seconds = cards.window.length().num_seconds();
    for read in remote {
        if let Some(n) = read.unattributed_incidents {
            cards.unattributed_incidents += n;
        }
        for team in &read.teams {
            let Some(w) = team.windows.iter().find(|w| w.days * 86_400 == seconds) else {
                continue;
            };
            // Pooled medians need the records, which stay with the shards.
            cards.organisation = None;
            let card = TeamScorecard {
                team: team.team.clone(),
                current: metrics_of(w, team.open_incidents),
                previous: no_data(),
                tier: tier_of_level(w.tier_level("team")),
            };
            match cards.teams.binary_search_by(|t| t.team.cmp(&team.team)) {
                Ok(i) => cards.teams[i] = card,
                Err(i) => cards.teams.insert(i, card),
            }
        }
    }
}

/// A count: absent or not a whole non-negative number reads as 0.
fn count(v: Option<f64>) -> u64 {
    v.filter(|x| x.is_finite() && *x >= 0.0)
        .map_or(0, |x| x.round() as u64)
}

/// One window's numbers as the metric engine's.
pub fn metrics_of(w: &RemoteWindow, open_incidents: u64) -> TeamMetrics {
    let v = |name: &str| w.value(name);
    let tier = |metric: &str| tier_of_level(w.tier_level(metric));
    let deployments = count(v("flightdeck_team_deployments"));
    TeamMetrics {
        deployment_frequency: Frequency {
            deployments,
            per_day: v("flightdeck_team_deployment_frequency_per_day").unwrap_or(0.0),
            tier: tier("deployment_frequency"),
        },
        lead_time: LeadTime {
            median_seconds: v("flightdeck_team_lead_time_median_seconds"),
            changes: count(v("flightdeck_team_lead_time_changes")),
            skewed: count(v("flightdeck_team_lead_time_skewed_changes")),
            tier: tier("lead_time"),
        },
        change_failure_rate: ChangeFailureRate {
            failed: count(v("flightdeck_team_failed_deployments")),
            deployments,
            rate: v("flightdeck_team_change_failure_ratio"),
            tier: tier("change_failure_rate"),
        },
        time_to_restore: TimeToRestore {
            median_seconds: v("flightdeck_team_time_to_restore_median_seconds"),
            incidents: count(v("flightdeck_team_restored_incidents")),
            open: open_incidents,
            tier: tier("time_to_restore"),
        },
        rework_rate: ReworkRate {
            rework: count(v("flightdeck_team_rework_deployments")),
            deployments,
            rate: v("flightdeck_team_rework_ratio"),
            tier: None,
        },
        gates: Gates {
            review: Review {
                median_wait_seconds: v("flightdeck_team_review_wait_median_seconds"),
                median_seconds: v("flightdeck_team_review_time_median_seconds"),
                changes: count(v("flightdeck_team_reviewed_changes")),
                ..Review::default()
            },
            certification: Certification {
                median_seconds: v("flightdeck_team_certification_median_seconds"),
                deployments: count(v("flightdeck_team_certified_deployments")),
                ..Certification::default()
            },
            batch: Batch {
                median: v("flightdeck_team_batch_size_median"),
                p90: v("flightdeck_team_batch_size_p90"),
                small_failure_rate: v("flightdeck_team_small_batch_failure_ratio"),
                large_failure_rate: v("flightdeck_team_large_batch_failure_ratio"),
                small: count(v("flightdeck_team_small_batches")),
                large: count(v("flightdeck_team_large_batches")),
            },
        },
    }
}

/// A window with no data at all (the previous window of a read-back team).
pub fn no_data() -> TeamMetrics {
    metrics_of(&RemoteWindow::default(), 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Window;
    use chrono::{TimeDelta, TimeZone, Utc};

    fn read(team: &str, days: i64, deployments: f64) -> Arc<RemoteScorecards> {
        Arc::new(RemoteScorecards {
            origin: "http://prom".into(),
            read_at: Utc.timestamp_opt(0, 0).single().expect("time"),
            shards: 3,
            unattributed_incidents: Some(2),
            teams: vec![crate::model::remote::RemoteTeam {
                team: team.into(),
                instance: "127.0.0.1:1".into(),
                shard: 2,
                windows: vec![RemoteWindow {
                    days,
                    values: vec![
                        ("flightdeck_team_deployments", deployments),
                        ("flightdeck_team_change_failure_ratio", 0.25),
                        ("flightdeck_team_failed_deployments", 1.0),
                    ],
                    tiers: vec![("team".into(), 2.0), ("change_failure_rate".into(), 1.0)],
                }],
                open_incidents: 1,
                open_findings: [0; 5],
            }],
        })
    }

    #[test]
    fn read_back_teams_join_the_scorecards_for_their_window_only() {
        let end = Utc
            .with_ymd_and_hms(2026, 3, 2, 0, 0, 0)
            .single()
            .expect("time");
        let mut cards = Scorecards {
            window: Window::ending(end, TimeDelta::days(30)),
            benchmark: crate::metrics::DORA_2023,
            teams: Vec::new(),
            organisation: None,
            unattributed_incidents: 1,
        };
        overlay(&mut cards, &[read("beta", 30, 4.0), read("alpha", 7, 9.0)]);
        assert_eq!(cards.teams.len(), 1);
        let beta = &cards.teams[0];
        assert_eq!(&*beta.team, "beta");
        assert_eq!(beta.tier, Some(Tier::Medium));
        let m = &beta.current;
        assert_eq!(m.deployment_frequency.deployments, 4);
        assert_eq!(m.change_failure_rate.failed, 1);
        assert_eq!(m.change_failure_rate.deployments, 4);
        assert_eq!(m.change_failure_rate.rate, Some(0.25));
        assert_eq!(m.change_failure_rate.tier, Some(Tier::Low));
        assert_eq!(m.lead_time.median_seconds, None);
        assert_eq!(m.time_to_restore.open, 1);
        assert_eq!(beta.previous, no_data());
        // No previous window: no trend, not "up from nothing".
        assert_eq!(
            crate::metrics::trend::key_trends(&beta.current, &beta.previous),
            [crate::metrics::trend::Trend::Unknown; 4]
        );
        assert_eq!(cards.unattributed_incidents, 5);
    }

    #[test]
    fn levels_map_to_tiers() {
        assert_eq!(tier_of_level(Some(4.0)), Some(Tier::Elite));
        assert_eq!(tier_of_level(Some(1.0)), Some(Tier::Low));
        assert_eq!(tier_of_level(Some(0.0)), None);
        assert_eq!(tier_of_level(None), None);
    }
}
