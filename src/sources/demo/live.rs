//! The demo's live trouble: rollouts that go wrong on the clock from the
//! moment the demo starts, so a newcomer at normal speed sees what the cockpit
//! is for. A rollout paused since just before the start (its pause alert at
//! about 9 minutes), a canary that fails at 3 minutes and the incident it
//! causes at 5, a rollback at 9; then from 5 minutes one episode every 3 to 5
//! minutes, in turn a failed canary, an incident caused by a deployment, a
//! rollback and a long pause. Each incident names the deployment that caused it.
//!
//! Ids are `<service>-9NNN`, apart from the services' own numbering.

use chrono::TimeDelta;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::model::{
    Change, DeployStatus, DeploymentEvent, Event, Id, Incident, Text, Time, Verdict,
};

use super::{INCIDENT_TITLES, PROFILES, REGIONS, TITLES};

/// How an episode goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trouble {
    /// The canary fails; an incident names the deployment.
    CanaryFails,
    /// Paused in the second region for 14 minutes, then promoted.
    LongPause,
    /// Rolled back in the second region.
    RollsBack,
    /// Goes out everywhere, then an incident names it.
    CausesIncident,
}

/// After the opening, the episodes take these in turn.
const CYCLE: [Trouble; 4] = [
    Trouble::CanaryFails,
    Trouble::CausesIncident,
    Trouble::RollsBack,
    Trouble::LongPause,
];

/// The live episodes of one demo run.
pub(super) struct Live {
    rng: ChaCha8Rng,
    /// When the next episode starts.
    pub(super) next: Time,
    no: u32,
}

fn minutes(m: f64) -> TimeDelta {
    TimeDelta::milliseconds((m * 60_000.0) as i64)
}

impl Live {
    /// The episodes of a demo whose live part starts at `start`: the opening
    /// is queued at once (it begins a little before `start`).
    pub(super) fn new(seed: u64, start: Time, out: &mut Vec<(Time, Event)>) -> Self {
        let mut live = Live {
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x11FE_5EED),
            next: start + minutes(5.0),
            no: 0,
        };
        // Certified 2 minutes before the start, paused since 1 minute before.
        live.episode(start - minutes(16.0), Trouble::LongPause, out);
        live.episode(start + minutes(0.5), Trouble::CanaryFails, out);
        live.episode(start + minutes(1.0), Trouble::RollsBack, out);
        live
    }

    /// The next episode in the cycle, and when the one after starts.
    pub(super) fn step(&mut self, out: &mut Vec<(Time, Event)>) {
        let at = self.next;
        let kind = CYCLE[self.no as usize % CYCLE.len()];
        self.episode(at, kind, out);
        self.next = at + minutes(self.rng.random_range(3.0..5.0));
    }

    /// One deployment starting its canary at `t` that goes wrong as `kind` says.
    fn episode(&mut self, t: Time, kind: Trouble, out: &mut Vec<(Time, Event)>) {
        self.no += 1;
        let p = &PROFILES[self.rng.random_range(0..PROFILES.len())];
        let service = Text::from(p.services[self.rng.random_range(0..3)]);
        let team = Text::from(p.team);
        let id = Text::from(format!("{service}-{}", 9000 + self.no));
        let change = Text::from(format!("{id}-c1"));
        out.push((t - minutes(90.0), self.change(&change, &service, &team, t)));
        let line = |at: Time, status, region: usize, stage: &str| {
            let event = Event::Deployment(DeploymentEvent {
                id: Id::from(&*id),
                service: service.clone(),
                time: at,
                status,
                team: Some(team.clone()),
                environment: None,
                region: Some(Text::from(REGIONS[region])),
                stage: Some(Text::from(stage)),
                changes: vec![Id::from(&*change)],
                hotfix: false,
                url: None,
            });
            (at, event)
        };
        use DeployStatus::*;
        out.push(line(t, InProgress, 0, "canary @10%"));
        let judged = t + minutes(if kind == Trouble::LongPause {
            14.0
        } else {
            2.5
        });
        let fails = kind == Trouble::CanaryFails;
        out.push((judged, self.canary(&id, judged, fails)));
        if fails {
            out.push(line(judged, Failure, 0, "canary"));
            self.incident((&service, &team), &id, judged + minutes(2.0), out);
            return;
        }
        out.push(line(judged, Success, 0, "canary"));
        let mut at = judged + minutes(1.0);
        match kind {
            Trouble::RollsBack => {
                out.push(line(at, InProgress, 1, "rollout"));
                out.push(line(at + minutes(3.0), RolledBack, 1, "rollout"));
                return;
            }
            Trouble::LongPause => {
                out.push(line(
                    at,
                    InProgress,
                    1,
                    "paused: awaiting manual promotion @25%",
                ));
                at += minutes(14.0);
            }
            // Paged while the rollout is still under way.
            Trouble::CausesIncident => {
                self.incident((&service, &team), &id, at + minutes(2.0), out);
            }
            Trouble::CanaryFails => {}
        }
        for region in 1..REGIONS.len() {
            out.push(line(at, InProgress, region, "rollout"));
            at += minutes(2.0);
            out.push(line(at, Success, region, "rollout"));
        }
    }

    fn change(&mut self, id: &Text, service: &Text, team: &Text, deploy: Time) -> Event {
        let commit = deploy - minutes(90.0);
        Event::Change(Change {
            id: Id::from(&**id),
            service: service.clone(),
            time: commit,
            team: Some(team.clone()),
            title: Some(Text::from(TITLES[self.rng.random_range(0..TITLES.len())])),
            author: Some(Text::from("demo")),
            url: None,
            opened: Some(commit + minutes(5.0)),
            first_review: Some(commit + minutes(30.0)),
            merged: Some(deploy - minutes(20.0)),
            lines: Some(self.rng.random_range(10..200)),
            reverts: None,
        })
    }

    fn canary(&mut self, id: &Text, at: Time, fails: bool) -> Event {
        let (verdict, err, p99, score) = if fails {
            (
                Verdict::Fail,
                self.rng.random_range(0.03..0.09),
                640.0,
                24.0,
            )
        } else {
            (
                Verdict::Pass,
                self.rng.random_range(0.001..0.004),
                200.0,
                96.0,
            )
        };
        super::service::canary(id, at, verdict, (err, p99), score)
    }

    /// An incident opened at `opened` that names deployment `id` as its
    /// cause, and its resolution 25 to 60 minutes later.
    fn incident(
        &mut self,
        (service, team): (&Text, &Text),
        id: &Text,
        opened: Time,
        out: &mut Vec<(Time, Event)>,
    ) {
        let title = INCIDENT_TITLES[self.rng.random_range(0..INCIDENT_TITLES.len())];
        let open = Incident {
            id: Text::from(format!("INC-{id}")),
            service: service.clone(),
            opened,
            team: Some(team.clone()),
            resolved: None,
            deployment: Some(id.clone()),
            severity: Some(Text::from("sev2")),
            title: Some(Text::from(title)),
            url: None,
        };
        let resolved = opened + minutes(self.rng.random_range(25.0..60.0));
        let fix = Incident {
            resolved: Some(resolved),
            ..open.clone()
        };
        out.push((opened, Event::Incident(open)));
        out.push((resolved, Event::Incident(fix)));
    }
}
