//! The families of the `/metrics` exposition: name, unit, help, how each
//! reads its samples and which exporters of a sharded set serve it (see
//! `report::openmetrics` for the encoding).

use super::{Exposed, Family, SEVERITIES, tier_levels, tier_states, timestamp};
use crate::metrics::TeamMetrics;

/// How a family reads its samples.
pub(super) enum Read {
    /// One sample per team and window, labelled `team` and `window`; none
    /// where the number has no data.
    PerWindow(fn(&TeamMetrics) -> Option<f64>),
    /// Any other shape: writes its own samples.
    Samples(fn(&Exposed<'_>, &mut Family<'_>)),
}

/// One metric family: name, unit, help and how to read its samples. The
/// type is always `gauge` (see the module docs).
pub(super) struct Spec {
    pub(super) name: &'static str,
    pub(super) unit: Option<&'static str>,
    pub(super) help: &'static str,
    pub(super) read: Read,
    pub(super) scope: Scope,
}

/// Which exporters of a sharded set serve a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Labelled by team: each shard serves its own teams.
    Team,
    /// About all teams at once: shard 1 only.
    Organisation,
    /// About the exporter itself: every shard.
    Exporter,
}

/// Every family, in exposition order.
pub(super) const FAMILIES: &[Spec] = &[
    Spec {
        name: "flightdeck_team_deployments",
        unit: None,
        help: "Production deployments finished in the window.",
        read: Read::PerWindow(|m| Some(m.deployment_frequency.deployments as f64)),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_deployment_frequency_per_day",
        unit: None,
        help: "Deployment frequency: deployments per day over the window.",
        read: Read::PerWindow(|m| Some(m.deployment_frequency.per_day)),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_lead_time_median_seconds",
        unit: Some("seconds"),
        help: "Lead time for changes: median from commit to first successful production deployment.",
        read: Read::PerWindow(|m| m.lead_time.median_seconds),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_change_failure_ratio",
        unit: Some("ratio"),
        help: "Change failure rate: failed deployments over deployments in the window.",
        read: Read::PerWindow(|m| m.change_failure_rate.rate),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_time_to_restore_median_seconds",
        unit: Some("seconds"),
        help: "Time to restore service: median over incidents resolved in the window.",
        read: Read::PerWindow(|m| m.time_to_restore.median_seconds),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_rework_ratio",
        unit: Some("ratio"),
        help: "Rework rate: unplanned deployments (hotfixes, fixes during an open incident) over deployments.",
        read: Read::PerWindow(|m| m.rework_rate.rate),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_lead_time_changes",
        unit: None,
        help: "Changes counted for lead time: first deployed to production in the window.",
        read: Read::PerWindow(|m| Some(m.lead_time.changes as f64)),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_lead_time_skewed_changes",
        unit: None,
        help: "Changes left out of lead time because their commit time is after their deployment.",
        read: Read::PerWindow(|m| Some(m.lead_time.skewed as f64)),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_failed_deployments",
        unit: None,
        help: "Deployments in the window counted as failed for the change failure rate.",
        read: Read::PerWindow(|m| Some(m.change_failure_rate.failed as f64)),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_restored_incidents",
        unit: None,
        help: "Incidents resolved in the window (the time to restore's median is over these).",
        read: Read::PerWindow(|m| Some(m.time_to_restore.incidents as f64)),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_rework_deployments",
        unit: None,
        help: "Deployments in the window counted as rework.",
        read: Read::PerWindow(|m| Some(m.rework_rate.rework as f64)),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_review_wait_median_seconds",
        unit: Some("seconds"),
        help: "Gate 1: median from ready for review to the first review, over changes first deployed in the window.",
        read: Read::PerWindow(|m| m.gates.review.median_wait_seconds),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_review_time_median_seconds",
        unit: Some("seconds"),
        help: "Gate 1: median from ready for review to merge, over changes first deployed in the window.",
        read: Read::PerWindow(|m| m.gates.review.median_seconds),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_reviewed_changes",
        unit: None,
        help: "Changes first deployed in the window that carry a ready-for-review time.",
        read: Read::PerWindow(|m| Some(m.gates.review.changes as f64)),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_certification_median_seconds",
        unit: Some("seconds"),
        help: "Gate 2: median from the first production line in the canary region to the first canary pass there.",
        read: Read::PerWindow(|m| m.gates.certification.median_seconds),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_certified_deployments",
        unit: None,
        help: "Deployments in the window with a certification time.",
        read: Read::PerWindow(|m| Some(m.gates.certification.deployments as f64)),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_batch_size_median",
        unit: None,
        help: "Median batch size: changes a deployment shipped first.",
        read: Read::PerWindow(|m| m.gates.batch.median),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_batch_size_p90",
        unit: None,
        help: "90th percentile (nearest rank) of the batch size.",
        read: Read::PerWindow(|m| m.gates.batch.p90),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_small_batch_failure_ratio",
        unit: Some("ratio"),
        help: "Change failure rate of batches at or below the team's median size.",
        read: Read::PerWindow(|m| m.gates.batch.small_failure_rate),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_large_batch_failure_ratio",
        unit: Some("ratio"),
        help: "Change failure rate of batches above the team's median size; no sample when none is.",
        read: Read::PerWindow(|m| m.gates.batch.large_failure_rate),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_small_batches",
        unit: None,
        help: "Deployments in the window whose batch is at or below the team's median size.",
        read: Read::PerWindow(|m| Some(m.gates.batch.small as f64)),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_large_batches",
        unit: None,
        help: "Deployments in the window whose batch is above the team's median size.",
        read: Read::PerWindow(|m| Some(m.gates.batch.large as f64)),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_tier",
        unit: None,
        help: "DORA 2023 tier per key metric and for the team (metric=\"team\", its weakest key metric), stateset encoding: 1 for the current tier; all 0 without data.",
        read: Read::Samples(tier_states),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_tier_level",
        unit: None,
        help: "DORA 2023 tier as a number: low 1, medium 2, high 3, elite 4; no sample without data.",
        read: Read::Samples(tier_levels),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_open_incidents",
        unit: None,
        help: "Incidents open now.",
        read: Read::Samples(|x, f| {
            for team in &x.teams {
                let n = x.open_incidents.get(team).copied().unwrap_or(0);
                f.sample(&[("team", team)], n as f64);
            }
        }),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_open_findings",
        unit: None,
        help: "Audit findings open now, by severity.",
        read: Read::Samples(|x, f| {
            for team in &x.teams {
                for s in SEVERITIES {
                    let n = x.findings.get(&(team.clone(), s)).copied().unwrap_or(0);
                    f.sample(&[("team", team), ("severity", s.label())], n as f64);
                }
            }
        }),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_deployments_in_flight",
        unit: None,
        help: "Deployments whose latest status is pending or in progress.",
        read: Read::Samples(|x, f| {
            for team in &x.teams {
                let n = x.in_flight.get(team).copied().unwrap_or(0);
                f.sample(&[("team", team)], n as f64);
            }
        }),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_contract_violations",
        unit: None,
        help: "Contracts whose old path was removed while a consumer had not migrated, in flight at the window's end or finished in it.",
        read: Read::Samples(super::governance::violations),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_contracts_stalled",
        unit: None,
        help: "Contract changes not finished longer than contract_stall after their expand.",
        read: Read::Samples(super::governance::stalled),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_team_accounts_drifted",
        unit: None,
        help: "Accounts with a component behind the standard stack and no declared override.",
        read: Read::Samples(super::governance::drifted),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_account_components_behind",
        unit: None,
        help: "Standard versions released that are newer than the account's version of the component.",
        read: Read::Samples(super::governance::behind),
        scope: Scope::Team,
    },
    Spec {
        name: "flightdeck_unattributed_incidents",
        unit: None,
        help: "Incidents attributed to no deployment, over all incidents read.",
        read: Read::Samples(|x, f| {
            f.sample(&[], x.snapshot.views.facts.unattributed_incidents as f64);
        }),
        scope: Scope::Organisation,
    },
    Spec {
        name: "flightdeck_source_up",
        unit: None,
        help: "Source health: 1 when its last read succeeded, 0 when it is failing or has not read yet.",
        read: Read::Samples(|x, f| {
            for s in &x.snapshot.sources {
                let up = s.last_ok.is_some() && !s.failing();
                f.sample(
                    &[("source", &s.name), ("kind", s.kind)],
                    if up { 1.0 } else { 0.0 },
                );
            }
        }),
        scope: Scope::Exporter,
    },
    Spec {
        name: "flightdeck_source_last_success_timestamp_seconds",
        unit: Some("seconds"),
        help: "When the source last read successfully (Unix time, flightdeck's clock).",
        read: Read::Samples(|x, f| {
            for s in &x.snapshot.sources {
                if let Some(t) = s.last_ok {
                    f.sample(&[("source", &s.name), ("kind", s.kind)], timestamp(t));
                }
            }
        }),
        scope: Scope::Exporter,
    },
    Spec {
        name: "flightdeck_scorecards_timestamp_seconds",
        unit: Some("seconds"),
        help: "The end of every window: the time the numbers were computed for (Unix time, flightdeck's clock).",
        read: Read::Samples(|x, f| f.sample(&[], timestamp(x.snapshot.views.now))),
        scope: Scope::Exporter,
    },
];
