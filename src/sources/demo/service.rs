//! One demo service's generator: its deployment episodes (changes, staging,
//! canary, regional rollout, what follows a failure), incidents and findings.

use chrono::TimeDelta;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::model::{
    CanaryResult, Change, DeployStatus, DeploymentEvent, Event, Finding, FindingStatus, Id,
    Incident, Severity, Text, Time, Verdict,
};

use super::{AUTHORS, INCIDENT_TITLES, Profile, REGIONS, RULE_DETAILS, RULES, TITLES};

/// One service's generator.
pub(super) struct ServiceGen {
    pub(super) service: Text,
    pub(super) team: Text,
    pub(super) profile: Profile,
    /// Separate generators per kind of event, so how the stream is sliced in time
    /// cannot change the order of draws.
    pub(super) rng: ChaCha8Rng,
    pub(super) background_rng: ChaCha8Rng,
    pub(super) finding_rng: ChaCha8Rng,
    /// The gates' draws (review times, line counts, big batches), apart from
    /// the rest so that they leave the history's other numbers as they were.
    pub(super) gates_rng: ChaCha8Rng,
    pub(super) next_deploy: Time,
    pub(super) next_background_incident: Time,
    pub(super) next_finding: Time,
    pub(super) deploy_no: u32,
    pub(super) background_no: u32,
    pub(super) finding_no: u32,
    /// A failure was just shipped; the next deployment is a quick hotfix.
    pub(super) owe_hotfix: bool,
}

impl ServiceGen {
    /// The generator of service `name` of profile `p`; `stream_id` numbers it
    /// among all services.
    pub(super) fn new(seed: u64, start: Time, stream_id: u64, name: &str, p: &Profile) -> Self {
        let rng_for = |kind: u64| {
            ChaCha8Rng::seed_from_u64(
                seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)
                    ^ (stream_id * 3 + kind).wrapping_mul(0xD1B5_4A32_D192_ED03),
            )
        };
        let mut rng = rng_for(0);
        let mut background_rng = rng_for(1);
        let mut finding_rng = rng_for(2);
        let gates_rng = rng_for(3);
        let first = start + hours(rng.random::<f64>() * 24.0 / p.deploys_per_day.max(0.05));
        let bg = start + exp_gap(&mut background_rng, p.background_incidents_per_week / 7.0);
        let finding = start + exp_gap(&mut finding_rng, p.findings_per_week / 7.0);
        ServiceGen {
            service: Text::from(name),
            team: Text::from(p.team),
            profile: *p,
            rng,
            background_rng,
            finding_rng,
            gates_rng,
            next_deploy: first,
            next_background_incident: bg,
            next_finding: finding,
            deploy_no: 0,
            background_no: 0,
            finding_no: 0,
            owe_hotfix: false,
        }
    }
}

/// The pause step (its stage text) a demo deployment waits on in its `n`-th
/// region after the canary, if any: about one deployment in four pauses once.
fn pause_for(id: &str, n: usize) -> Option<&'static str> {
    let h = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    if h % 4 != 0 || (h / 4) % 3 != n as u64 {
        return None;
    }
    Some(if (h / 12) % 2 == 0 {
        "paused: awaiting manual promotion @50%"
    } else {
        "paused: analysis inconclusive, waiting for judgment @50%"
    })
}

fn pick<'a>(rng: &mut ChaCha8Rng, list: &[&'a str]) -> &'a str {
    list[rng.random_range(0..list.len())]
}

/// Whole seconds: real systems report seconds, and reports read better.
pub(super) fn hours(h: f64) -> TimeDelta {
    TimeDelta::seconds((h * 3600.0).round() as i64)
}

fn minutes(m: f64) -> TimeDelta {
    TimeDelta::seconds((m * 60.0).round() as i64)
}

/// A canary analysis in the first region against the demo's baseline
/// (0.4% errors, 210 ms p99): the history's and the live episodes'.
pub(super) fn canary(
    id: &Text,
    at: Time,
    verdict: Verdict,
    (error_rate, p99_ms): (f64, f64),
    score: f64,
) -> Event {
    Event::Canary(CanaryResult {
        deployment: id.clone(),
        region: Text::from(REGIONS[0]),
        time: at,
        verdict: Some(verdict),
        error_rate: Some(error_rate),
        baseline_error_rate: Some(0.004),
        p99_ms: Some(p99_ms),
        baseline_p99_ms: Some(210.0),
        score: Some(score),
    })
}

/// Exponential gap for a Poisson process of `per_day` events a day.
pub(super) fn exp_gap(rng: &mut ChaCha8Rng, per_day: f64) -> TimeDelta {
    if per_day <= 0.0 {
        return TimeDelta::days(3650);
    }
    let u: f64 = rng.random::<f64>().max(1e-12);
    hours(-u.ln() / per_day * 24.0)
}

/// Log-normal around `median` with a spread factor of about 2.
fn lognormal(rng: &mut ChaCha8Rng, median: f64) -> f64 {
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random();
    let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    median * (0.7 * z).exp()
}

impl ServiceGen {
    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        pick(&mut self.rng, list)
    }

    /// One deployment: its changes, staging, the canary region and then the
    /// others in order, and what follows a failure. The generator's draws keep
    /// their order, so a seed gives the same history.
    pub(super) fn deployment_episode(&mut self, out: &mut Vec<(Time, Event)>) {
        let t = self.next_deploy;
        self.deploy_no += 1;
        let id = Text::from(format!("{}-{:04}", self.service, self.deploy_no));
        let hotfix = std::mem::take(&mut self.owe_hotfix);
        let (changes, big) = self.changes(t, hotfix, out);
        let line = Line {
            id: &id,
            service: self.service.clone(),
            team: self.team.clone(),
            changes: &changes,
            hotfix,
        };

        // Staging first: it must not count as a production deployment.
        let staging_at = t - minutes(self.rng.random_range(20.0..60.0));
        let mut lines = vec![(
            staging_at,
            line.event(
                staging_at,
                DeployStatus::Success,
                Some("staging"),
                None,
                "staging",
            ),
        )];
        let (at, failed_at) = self.rollout(&line, t, big, &mut lines);
        out.extend(lines);
        self.aftermath(&id, failed_at, at, out);
        self.next_deploy = if self.owe_hotfix {
            at + hours(self.rng.random_range(0.5..3.0))
        } else {
            t + exp_gap(&mut self.rng, self.profile.deploys_per_day)
        };
    }

    /// The changes a deployment at `t` ships: one for a hotfix, a batch
    /// otherwise, now and then a big one. Pushes their lines and returns their
    /// ids and whether the batch is big.
    fn changes(
        &mut self,
        t: Time,
        hotfix: bool,
        out: &mut Vec<(Time, Event)>,
    ) -> (Vec<Text>, bool) {
        let batch = if hotfix {
            1
        } else {
            self.rng.random_range(1..=4)
        };
        let big = !hotfix && self.gates_rng.random::<f64>() < self.profile.gates.big_batch;
        let extra = if big {
            self.gates_rng.random_range(5..=12)
        } else {
            0
        };
        let mut changes = Vec::new();
        for j in 0..batch + extra {
            if j >= batch {
                // The big batch's other changes: drawn apart from the history.
                let lead = hours(lognormal(&mut self.gates_rng, self.profile.lead_hours).max(0.1));
                let cid = Text::from(format!("{}-c{:04}{}", self.service, self.deploy_no, j));
                let title = pick(&mut self.gates_rng, &TITLES);
                let author = pick(&mut self.gates_rng, &AUTHORS);
                out.push((t - lead, self.change(&cid, t, lead, title, author)));
                changes.push(cid);
                continue;
            }
            let lead = if hotfix {
                hours(self.rng.random_range(0.3..1.5))
            } else {
                hours(lognormal(&mut self.rng, self.profile.lead_hours).max(0.1))
            };
            let cid = Text::from(format!("{}-c{:04}{}", self.service, self.deploy_no, j));
            let title = if hotfix {
                "Hotfix: revert faulty change"
            } else {
                self.pick(&TITLES)
            };
            let author = self.pick(&AUTHORS);
            out.push((t - lead, self.change(&cid, t, lead, title, author)));
            changes.push(cid);
        }
        (changes, big)
    }

    /// A change committed `lead` before its deployment at `t`, with the gates'
    /// fields: ready for review soon after the commit, the first review after
    /// the team's usual wait, merged before the deployment.
    fn change(&mut self, id: &Text, t: Time, lead: TimeDelta, title: &str, author: &str) -> Event {
        let commit = t - lead;
        let span = lead.num_seconds() as f64 / 3600.0;
        let rng = &mut self.gates_rng;
        let opened = commit + hours(span * rng.random_range(0.02..0.1));
        let merged = t - hours(span * rng.random_range(0.02..0.1));
        let room = (merged - opened).num_seconds() as f64 / 3600.0;
        let wait = lognormal(rng, self.profile.gates.review_wait_hours).min(room * 0.9);
        let lines = lognormal(rng, 60.0).round().max(1.0) as u64;
        Event::Change(Change {
            id: Id::from(&**id),
            service: self.service.clone(),
            time: commit,
            team: Some(self.team.clone()),
            title: Some(Text::from(title)),
            author: Some(Text::from(author)),
            url: None,
            opened: Some(opened),
            first_review: Some(opened + hours(wait.max(0.0))),
            merged: Some(merged),
            lines: Some(lines),
            reverts: None,
        })
    }

    /// The canary region from `t`, then (if it passed) the others in order.
    /// Returns when the rollout ended and when it failed, if it did.
    fn rollout(
        &mut self,
        line: &Line<'_>,
        t: Time,
        big: bool,
        lines: &mut Vec<(Time, Event)>,
    ) -> (Time, Option<Time>) {
        let mut at = t;
        let canary_fails = self.rng.random::<f64>() < self.profile.canary_fail;
        // A big batch fails its canary more often (in teams that have the habit).
        let canary_fails = canary_fails
            || (big && self.gates_rng.random::<f64>() < self.profile.gates.big_batch_fail);
        lines.push((
            at,
            line.event(
                at,
                DeployStatus::InProgress,
                None,
                Some(REGIONS[0]),
                "canary @10%",
            ),
        ));
        // Certification takes the team's usual multiple of 12-25 minutes.
        at += minutes(self.rng.random_range(12.0..25.0) * self.profile.gates.certification_factor);
        lines.push((at, self.canary_result(line.id, at, canary_fails)));
        if canary_fails {
            lines.push((
                at,
                line.event(at, DeployStatus::Failure, None, Some(REGIONS[0]), "canary"),
            ));
            return (at, Some(at));
        }
        lines.push((
            at,
            line.event(at, DeployStatus::Success, None, Some(REGIONS[0]), "canary"),
        ));
        for (n, region) in REGIONS[1..].iter().enumerate() {
            at += minutes(self.rng.random_range(3.0..10.0));
            // Some stages wait on a pause step until promoted (chosen by a hash
            // of the id, not the generator, so the history's numbers stay put).
            let stage = pause_for(line.id, n).unwrap_or("rollout");
            lines.push((
                at,
                line.event(at, DeployStatus::InProgress, None, Some(region), stage),
            ));
            at += minutes(self.rng.random_range(8.0..20.0));
            if self.rng.random::<f64>() < self.profile.rollback {
                lines.push((
                    at,
                    line.event(at, DeployStatus::RolledBack, None, Some(region), "rollout"),
                ));
                return (at, Some(at));
            }
            lines.push((
                at,
                line.event(at, DeployStatus::Success, None, Some(region), "rollout"),
            ));
        }
        (at, None)
    }

    /// The canary analysis of deployment `id` at `at`.
    fn canary_result(&mut self, id: &Text, at: Time, fails: bool) -> Event {
        let (verdict, err, p99, score) = if fails {
            (
                Verdict::Fail,
                self.rng.random_range(0.03..0.12),
                self.rng.random_range(450.0..900.0),
                self.rng.random_range(10.0..45.0),
            )
        } else if self.rng.random::<f64>() < 0.15 {
            (
                Verdict::Marginal,
                0.009,
                290.0,
                self.rng.random_range(60.0..75.0),
            )
        } else {
            (
                Verdict::Pass,
                self.rng.random_range(0.001..0.005),
                self.rng.random_range(180.0..230.0),
                self.rng.random_range(85.0..100.0),
            )
        };
        canary(
            id,
            at,
            verdict,
            (err, p99),
            (score * 10.0_f64).round() / 10.0,
        )
    }

    /// Failures sometimes page someone; a good deployment occasionally does too.
    /// Either may leave a hotfix owed.
    fn aftermath(
        &mut self,
        id: &Text,
        failed_at: Option<Time>,
        at: Time,
        out: &mut Vec<(Time, Event)>,
    ) {
        if let Some(f) = failed_at {
            if self.rng.random::<f64>() < 0.5 {
                // A failed deployment never succeeded, so the link window
                // cannot find it: the page names it. (This draw once chose
                // whether it did; it stays so that a seed's history does not move.)
                let _ = self.rng.random::<f64>();
                let opened = f + minutes(self.rng.random_range(2.0..15.0));
                let mut rng = self.rng.clone();
                self.incident(&mut rng, format!("INC-{id}"), opened, Some(id.clone()), out);
                self.rng = rng;
            }
            self.owe_hotfix = self.rng.random::<f64>() < 0.6;
        } else if self.rng.random::<f64>() < self.profile.incident_after_deploy {
            // Opened up to 20 hours on, often after the service's next
            // deployment: the page names the one that caused it, or the link
            // window would blame the later one.
            let opened = at + hours(self.rng.random_range(0.5..20.0));
            let mut rng = self.rng.clone();
            self.incident(&mut rng, format!("INC-{id}"), opened, Some(id.clone()), out);
            self.rng = rng;
            self.owe_hotfix = self.rng.random::<f64>() < 0.4;
        }
    }

    pub(super) fn incident(
        &self,
        rng: &mut ChaCha8Rng,
        id: String,
        opened: Time,
        deployment: Option<Text>,
        out: &mut Vec<(Time, Event)>,
    ) {
        let id = Text::from(id);
        let severity = pick(rng, &["sev1", "sev2", "sev2", "sev3", "sev3", "sev3"]);
        let title = pick(rng, &INCIDENT_TITLES);
        let open = Incident {
            id: id.clone(),
            service: self.service.clone(),
            opened,
            team: Some(self.team.clone()),
            resolved: None,
            deployment,
            severity: Some(Text::from(severity)),
            title: Some(Text::from(title)),
            url: None,
        };
        let resolved = opened + hours(lognormal(rng, self.profile.restore_hours).max(0.05));
        let mut fix = open.clone();
        fix.resolved = Some(resolved);
        out.push((opened, Event::Incident(open)));
        out.push((resolved, Event::Incident(fix)));
    }

    pub(super) fn finding(&mut self, opened: Time, out: &mut Vec<(Time, Event)>) {
        self.finding_no += 1;
        let rng = &mut self.finding_rng;
        let which = rng.random_range(0..RULES.len());
        let (rule, severity, frameworks) = RULES[which];
        let (resource_type, remediation, remediation_url) = RULE_DETAILS[which];
        let tool = pick(rng, &["trivy", "prowler", "securityhub", "codeql"]);
        let account = format!("1234567890{}", rng.random_range(10..14));
        let f = Finding {
            id: Text::from(format!("F-{}-{:03}", self.service, self.finding_no)),
            severity,
            status: FindingStatus::Open,
            opened,
            team: Some(self.team.clone()),
            account: Some(Text::from(account.as_str())),
            service: Some(self.service.clone()),
            resolved: None,
            title: Some(Text::from(rule)),
            rule: Some(Text::from(rule)),
            frameworks: frameworks.iter().map(|s| Text::from(*s)).collect(),
            tool: Some(Text::from(tool)),
            url: None,
            detail: Some(std::sync::Arc::new(crate::model::FindingDetail {
                resource: Some(Text::from(format!(
                    "arn:aws:demo:eu-west-1:{account}:{}/{}-{}",
                    resource_type.to_ascii_lowercase(),
                    self.service,
                    self.finding_no
                ))),
                resource_type: Some(Text::from(resource_type)),
                location: Some(Text::from(format!("infra/{}/main.tf", self.service))),
                region: Some(Text::from("eu-west-1")),
                remediation: Some(Text::from(remediation)),
                remediation_url: Some(Text::from(remediation_url)),
                format: Some(Text::from("demo")),
                ..Default::default()
            })),
        };
        let days = match severity {
            Severity::Critical => 2.0,
            Severity::High => 10.0,
            Severity::Medium => 25.0,
            _ => 60.0,
        };
        // About one in four lingers: the SLA breaches a posture view exists to show.
        let linger = if rng.random::<f64>() < 0.25 { 4.0 } else { 1.0 };
        let fixed_at = opened + hours(lognormal(rng, days * 24.0) * linger);
        let mut fixed = f.clone();
        fixed.status = FindingStatus::Resolved;
        fixed.resolved = Some(fixed_at);
        out.push((opened, Event::Finding(f)));
        out.push((fixed_at, Event::Finding(fixed)));
    }
}

/// What every line of one deployment shares.
struct Line<'a> {
    id: &'a Text,
    service: Text,
    team: Text,
    changes: &'a [Text],
    hotfix: bool,
}

impl Line<'_> {
    fn event(
        &self,
        time: Time,
        status: DeployStatus,
        env: Option<&str>,
        region: Option<&str>,
        stage: &str,
    ) -> Event {
        Event::Deployment(DeploymentEvent {
            id: Id::from(&**self.id),
            service: self.service.clone(),
            time,
            status,
            team: Some(self.team.clone()),
            environment: env.map(Text::from),
            region: region.map(Text::from),
            stage: Some(Text::from(stage)),
            changes: self.changes.iter().map(|c| Id::from(&**c)).collect(),
            hotfix: self.hotfix,
            url: None,
        })
    }
}
