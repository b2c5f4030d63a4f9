//! The embedded demo organisation: eight teams with distinct delivery profiles,
//! 24 services in four regions, 180 days of history and then a live stream
//! in which something goes wrong every few minutes (`live`).
//!
//! Every service draws from its own seeded generator, so the organisation is the
//! same for a given seed however the stream is sliced in time. It is a source like
//! any other: the cockpit runs it as a task that sends batches to the store.

pub mod governance;
mod live;
mod service;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use chrono::{TimeDelta, Timelike};

use crate::model::settings::Settings;
use crate::model::{Event, Severity, Text, Time};

use service::{ServiceGen, exp_gap};

/// Rollout order: the first region is the canary region.
pub const REGIONS: [&str; 4] = ["us-east-1", "eu-west-1", "ap-south-1", "sa-east-1"];

/// How far back the generated history reaches.
/// Twice the longest window, so its trend has a previous window to compare with.
pub const HISTORY: TimeDelta = TimeDelta::days(180);

/// A team's delivery habits; the numbers are per service.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    pub team: &'static str,
    pub services: [&'static str; 3],
    /// Mean production deployments per day, per service.
    pub deploys_per_day: f64,
    /// Median hours from commit to production.
    pub lead_hours: f64,
    /// Chance the canary fails.
    pub canary_fail: f64,
    /// Chance a later region rolls back.
    pub rollback: f64,
    /// Chance a deployment that went out causes an incident within a day.
    pub incident_after_deploy: f64,
    /// Incidents per week not caused by any deployment.
    pub background_incidents_per_week: f64,
    /// Median hours to restore.
    pub restore_hours: f64,
    /// Audit findings per week.
    pub findings_per_week: f64,
    /// The gates: median hours from ready for review to the first review,
    /// how much longer canary certification takes than the usual 12-25
    /// minutes, the chance of a big batch (5-12 more changes) and the extra
    /// chance that a big batch fails its canary.
    pub gates: GateHabits,
}

/// A team's habits at the two gates and its batch sizes (see `Profile::gates`).
#[derive(Debug, Clone, Copy)]
pub struct GateHabits {
    pub review_wait_hours: f64,
    pub certification_factor: f64,
    pub big_batch: f64,
    pub big_batch_fail: f64,
}

/// Quick reviews, usual certification, small batches.
const QUICK: GateHabits = GateHabits {
    review_wait_hours: 1.0,
    certification_factor: 1.0,
    big_batch: 0.0,
    big_batch_fail: 0.0,
};

pub const PROFILES: [Profile; 8] = [
    // Elite: small batches, fast restores.
    Profile {
        team: "payments",
        services: ["payments-api", "ledger-writer", "fraud-scorer"],
        deploys_per_day: 2.5,
        lead_hours: 3.0,
        canary_fail: 0.01,
        rollback: 0.003,
        incident_after_deploy: 0.004,
        background_incidents_per_week: 0.05,
        restore_hours: 0.5,
        findings_per_week: 0.3,
        gates: GateHabits {
            review_wait_hours: 0.5,
            ..QUICK
        },
    },
    Profile {
        team: "checkout",
        services: ["cart", "checkout-web", "pricing"],
        deploys_per_day: 1.2,
        lead_hours: 20.0,
        canary_fail: 0.03,
        rollback: 0.01,
        incident_after_deploy: 0.03,
        background_incidents_per_week: 0.1,
        restore_hours: 2.0,
        findings_per_week: 0.5,
        gates: GateHabits {
            review_wait_hours: 6.0,
            big_batch: 0.25,
            big_batch_fail: 0.8,
            ..QUICK
        },
    },
    Profile {
        team: "search",
        services: ["search-api", "indexer", "ranking"],
        deploys_per_day: 0.6,
        lead_hours: 40.0,
        canary_fail: 0.04,
        rollback: 0.012,
        incident_after_deploy: 0.03,
        background_incidents_per_week: 0.1,
        restore_hours: 4.0,
        findings_per_week: 0.4,
        gates: GateHabits {
            review_wait_hours: 10.0,
            ..QUICK
        },
    },
    // Clearly struggling: big batches, long leads, many failures, slow restores.
    Profile {
        team: "billing",
        services: ["invoicing", "tax-engine", "billing-batch"],
        deploys_per_day: 0.06,
        lead_hours: 24.0 * 21.0,
        canary_fail: 0.22,
        rollback: 0.06,
        incident_after_deploy: 0.2,
        background_incidents_per_week: 0.6,
        restore_hours: 24.0 * 3.0,
        findings_per_week: 1.2,
        gates: GateHabits {
            review_wait_hours: 48.0,
            certification_factor: 3.0,
            big_batch: 0.5,
            ..QUICK
        },
    },
    // Noisy incident history: frequent pages, quick restores.
    Profile {
        team: "notifications",
        services: ["email-sender", "push-gateway", "sms-relay"],
        deploys_per_day: 0.8,
        lead_hours: 10.0,
        canary_fail: 0.05,
        rollback: 0.01,
        incident_after_deploy: 0.12,
        background_incidents_per_week: 2.5,
        restore_hours: 1.5,
        findings_per_week: 0.4,
        gates: GateHabits {
            review_wait_hours: 2.0,
            ..QUICK
        },
    },
    Profile {
        team: "identity",
        services: ["auth", "sessions", "user-profile"],
        deploys_per_day: 0.25,
        lead_hours: 24.0 * 4.0,
        canary_fail: 0.06,
        rollback: 0.012,
        incident_after_deploy: 0.05,
        background_incidents_per_week: 0.2,
        restore_hours: 12.0,
        findings_per_week: 0.8,
        gates: GateHabits {
            review_wait_hours: 30.0,
            certification_factor: 6.0,
            ..QUICK
        },
    },
    // Fast but careless: many deployments, failure rate on the edge.
    Profile {
        team: "platform",
        services: ["edge-proxy", "service-mesh", "config-service"],
        deploys_per_day: 3.0,
        lead_hours: 2.0,
        canary_fail: 0.05,
        rollback: 0.015,
        incident_after_deploy: 0.02,
        background_incidents_per_week: 0.3,
        restore_hours: 0.7,
        findings_per_week: 0.6,
        gates: QUICK,
    },
    // Slow release train: monthly-ish, careful, long leads.
    Profile {
        team: "data",
        services: ["warehouse-loader", "reporting", "ml-features"],
        deploys_per_day: 0.03,
        lead_hours: 24.0 * 12.0,
        canary_fail: 0.05,
        rollback: 0.01,
        incident_after_deploy: 0.05,
        background_incidents_per_week: 0.05,
        restore_hours: 30.0,
        findings_per_week: 0.3,
        gates: GateHabits {
            review_wait_hours: 20.0,
            certification_factor: 2.0,
            big_batch: 0.3,
            ..QUICK
        },
    },
];

const TITLES: [&str; 12] = [
    "Bump dependency versions",
    "Fix retry on timeout",
    "Add metrics for queue depth",
    "Refactor request validation",
    "Tune connection pool",
    "Handle empty payloads",
    "Feature flag for new flow",
    "Improve error messages",
    "Remove dead code path",
    "Cache lookups per request",
    "Migrate config keys",
    "Tighten input limits",
];
const AUTHORS: [&str; 10] = [
    "amara", "bruno", "chen", "dana", "eitan", "fatima", "goran", "hana", "ivan", "jules",
];
const INCIDENT_TITLES: [&str; 8] = [
    "Elevated 5xx rate",
    "Latency p99 above SLO",
    "Queue backlog growing",
    "Error spike after deploy",
    "Dependency timeouts",
    "Partial outage in one region",
    "Memory pressure, pods restarting",
    "Stale data served",
];
const RULES: [(&str, Severity, &[&str]); 8] = [
    (
        "S3 bucket without default encryption",
        Severity::High,
        &[
            "NIST.800-53.r5 SC-28(1)",
            "PCI DSS v3.2.1/3.4",
            "HIPAA 164_312_a_2_iv",
        ],
    ),
    (
        "Security group allows 0.0.0.0/0 on port 22",
        Severity::Critical,
        &["CIS-2.0 5.2", "NIST 800-53 AC-4", "PCI DSS 1.2.1"],
    ),
    (
        "Outdated TLS policy on load balancer",
        Severity::Medium,
        &["PCI DSS 4.1", "NIST 800-53 SC-8"],
    ),
    (
        "Container image with known CVE",
        Severity::High,
        &["NIST 800-53 SI-2"],
    ),
    (
        "Personal data logged in plain text",
        Severity::High,
        &["GDPR article_32", "SOC2 cc_6_1"],
    ),
    (
        "IAM user without MFA",
        Severity::Medium,
        &["CIS-2.0 1.10", "SOC2 CC6.1"],
    ),
    (
        "Access logging disabled",
        Severity::Low,
        &["NIST 800-53 AU-2", "HIPAA 164_312_b"],
    ),
    ("Unpinned base image", Severity::Info, &["CIS 4.2"]),
];

/// What the demo's findings point at and how to fix them, per rule (same order as RULES).
const RULE_DETAILS: [(&str, &str, &str); 8] = [
    (
        "AwsS3Bucket",
        "Turn on default encryption (SSE-KMS) for the bucket.",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html",
    ),
    (
        "AwsEc2SecurityGroup",
        "Remove the 0.0.0.0/0 rule for port 22; reach hosts through a bastion or SSM.",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html",
    ),
    (
        "AwsElbv2LoadBalancer",
        "Switch the listener to a TLS 1.2+ security policy.",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html",
    ),
    (
        "Container",
        "Rebuild the image on a patched base and redeploy.",
        "https://avd.aquasec.com/",
    ),
    (
        "Repository",
        "Mask personal data before it is logged.",
        "https://gdpr-info.eu/art-32-gdpr/",
    ),
    (
        "AwsIamUser",
        "Enable MFA for the user or replace it with a role.",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa.html",
    ),
    (
        "AwsS3Bucket",
        "Enable server access logging to the log bucket.",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html",
    ),
    (
        "Container",
        "Pin the base image by digest.",
        "https://docs.docker.com/build/building/best-practices/",
    ),
];

/// The demo organisation for one seed.
#[derive(Debug, Clone)]
pub struct DemoOrg {
    pub seed: u64,
}

impl DemoOrg {
    pub fn new(seed: u64) -> Self {
        Self { seed }
    }

    /// Teams, service map and region order the demo declares, as a config would.
    pub fn declare(&self, settings: &mut Settings) {
        for p in &PROFILES {
            settings.teams.push(Text::from(p.team));
            for s in p.services {
                settings
                    .service_teams
                    .insert(Text::from(s), Text::from(p.team));
            }
        }
        settings.regions = REGIONS.iter().map(|r| Text::from(*r)).collect();
    }

    /// A stream whose history starts [`HISTORY`] before `now`.
    pub fn stream(&self, now: Time) -> DemoStream {
        let now = now.with_nanosecond(0).unwrap_or(now);
        DemoStream::new(self.seed, now - HISTORY)
    }

    /// Everything up to and including `now`, in time order.
    pub fn history(&self, now: Time) -> Vec<Event> {
        self.stream(now).advance(now)
    }
}

/// The organisation's events in time order, generated a little ahead of the clock.
pub struct DemoStream {
    services: Vec<ServiceGen>,
    live: live::Live,
    queue: BinaryHeap<Reverse<Queued>>,
    seq: u64,
}

struct Queued {
    at: Time,
    seq: u64,
    event: Event,
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

/// Episodes are generated this far ahead so that a rollout in progress already
/// has its later stages queued.
const LOOKAHEAD: TimeDelta = TimeDelta::hours(6);

impl DemoStream {
    pub fn new(seed: u64, start: Time) -> Self {
        let mut services = Vec::new();
        for (t, p) in PROFILES.iter().enumerate() {
            for (s, name) in p.services.iter().enumerate() {
                services.push(ServiceGen::new(seed, start, (t * 3 + s) as u64, name, p));
            }
        }
        let mut opening = Vec::new();
        let live = live::Live::new(seed, start + HISTORY, &mut opening);
        let mut stream = Self {
            services,
            live,
            queue: BinaryHeap::new(),
            seq: 0,
        };
        for (at, event) in governance::events(start + HISTORY)
            .into_iter()
            .chain(opening)
        {
            stream.seq += 1;
            stream.queue.push(Reverse(Queued {
                at,
                seq: stream.seq,
                event,
            }));
        }
        stream
    }

    /// All events with a time at or before `now` not yet returned, in time order.
    pub fn advance(&mut self, now: Time) -> Vec<Event> {
        let horizon = now + LOOKAHEAD;
        let mut fresh = Vec::new();
        for g in &mut self.services {
            while g.next_deploy <= horizon {
                g.deployment_episode(&mut fresh);
            }
            while g.next_background_incident <= horizon {
                let at = g.next_background_incident;
                g.background_no += 1;
                let id = format!("INC-{}-b{:03}", g.service, g.background_no);
                let mut rng = g.background_rng.clone();
                g.incident(&mut rng, id, at, None, &mut fresh);
                g.next_background_incident =
                    at + exp_gap(&mut rng, g.profile.background_incidents_per_week / 7.0);
                g.background_rng = rng;
            }
            while g.next_finding <= horizon {
                let at = g.next_finding;
                g.finding(at, &mut fresh);
                g.next_finding =
                    at + exp_gap(&mut g.finding_rng, g.profile.findings_per_week / 7.0);
            }
        }
        while self.live.next <= horizon {
            self.live.step(&mut fresh);
        }
        for (at, event) in fresh {
            self.seq += 1;
            self.queue.push(Reverse(Queued {
                at,
                seq: self.seq,
                event,
            }));
        }
        let mut out = Vec::new();
        while self.queue.peek().is_some_and(|q| q.0.at <= now) {
            if let Some(Reverse(q)) = self.queue.pop() {
                out.push(q.event);
            }
        }
        out
    }

    /// When the next queued event is due, if any.
    pub fn next_due(&self) -> Option<Time> {
        self.queue.peek().map(|q| q.0.at)
    }
}

/// The demo as a running source: history first, then events as the clock reaches them.
pub async fn run(
    mut stream: DemoStream,
    clock: crate::util::clock::Clock,
    updates: tokio::sync::mpsc::Sender<crate::model::source_update::SourceUpdate>,
) {
    use crate::model::source_update::SourceUpdate;
    use std::time::Duration;
    let source = Text::from("demo");
    let registered = SourceUpdate::Registered {
        source: source.clone(),
        kind: "demo",
    };
    if updates.send(registered).await.is_err() {
        return;
    }
    loop {
        let events = stream.advance(clock.now());
        let batch = SourceUpdate::Events {
            source: source.clone(),
            events,
        };
        if updates.send(batch).await.is_err() {
            return;
        }
        // Wake when the next event is due, but batch bursts at high speed and
        // still report freshness now and then when nothing happens.
        let wait = stream
            .next_due()
            .map_or(Duration::from_secs(5), |t| clock.real_until(t))
            .clamp(Duration::from_millis(250), Duration::from_secs(5));
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{DORA_2023, Tier, Window, scorecards};
    use crate::model::records::Records;
    use chrono::{TimeZone, Utc};

    fn now() -> Time {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn same_seed_same_history_and_slicing_does_not_matter() {
        let org = DemoOrg::new(42);
        let a = org.history(now());
        assert_eq!(a, org.history(now()));
        let mut s = org.stream(now());
        let mut b = s.advance(now() - TimeDelta::days(10));
        b.extend(s.advance(now()));
        assert_eq!(a.len(), b.len());
        assert_ne!(a, DemoOrg::new(43).history(now()));
    }

    #[test]
    fn the_organisation_has_distinct_profiles() {
        let org = DemoOrg::new(7);
        let mut settings = Settings::default();
        org.declare(&mut settings);
        assert_eq!(settings.teams.len(), 8);
        assert_eq!(settings.service_teams.len(), 24);
        let records = Records::from_events(org.history(now()));
        let cards = scorecards(
            &records,
            &settings,
            Window::ending(now(), TimeDelta::days(30)),
            &DORA_2023,
        );
        let tier = |team: &str| {
            cards
                .teams
                .iter()
                .find(|t| &*t.team == team)
                .and_then(|t| t.tier)
        };
        assert_eq!(tier("payments"), Some(Tier::Elite), "{cards:#?}");
        assert_eq!(tier("billing"), Some(Tier::Low));
        let incidents = |team: &str| {
            cards
                .teams
                .iter()
                .find(|t| &*t.team == team)
                .map_or(0, |t| t.current.time_to_restore.incidents)
        };
        assert!(incidents("notifications") > 3 * incidents("payments").max(1));
    }
}
