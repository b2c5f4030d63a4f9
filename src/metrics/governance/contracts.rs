//! Contracts through the robustness principle's three-step dance (DESIGN.md
//! "Contracts"): expand (the producer accepts old and new), migrate (each
//! consumer upgrades), contract (the producer removes the old path).
//!
//! A step is taken when its deployment reaches production (`T_ok`), or at the
//! line's time when it names no deployment; steps taken after the end are
//! ignored. Pure: the records, the settings and the end in, states out.

use std::collections::BTreeMap;

use chrono::TimeDelta;

use crate::model::contracts::{ContractEvent, ContractStep};
use crate::model::records::Records;
use crate::model::settings::Settings;
use crate::model::{Text, Time};

/// What became of one `contract` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepNote {
    /// Taken at this time.
    Taken(Time),
    /// Its deployment is in flight: not taken yet.
    InFlight,
    /// Its deployment never reached production (failed, or never read).
    NotTaken,
    /// Taken after the end: ignored.
    AfterEnd,
    /// A `migrate` from a service that is not a consumer: ignored.
    NotAConsumer,
}

/// One line of a contract as the drill-down lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct StepLine {
    pub step: ContractStep,
    pub service: Text,
    pub deployment: Option<Text>,
    /// The line's own time.
    pub time: Time,
    pub note: StepNote,
}

/// A consumer and when its `migrate` was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumer {
    pub service: Text,
    pub migrated: Option<Time>,
}

/// One contract's state at the end.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractState {
    pub id: Text,
    pub producer: Text,
    pub team: Text,
    /// 1 expanded, 2 every consumer migrated, 3 contracted.
    pub step: u8,
    /// Sorted by service.
    pub consumers: Vec<Consumer>,
    pub started: Time,
    /// When the `contract` step was taken.
    pub contracted: Option<Time>,
    pub age: TimeDelta,
    pub stalled: bool,
    /// The old path removed under live consumers, naming them.
    pub violation: Option<String>,
    /// Every line of the contract in time order, with what became of it.
    pub steps: Vec<StepLine>,
}

impl ContractState {
    /// The consumers that have not migrated at the end.
    pub fn waiting(&self) -> impl Iterator<Item = &Text> {
        self.consumers
            .iter()
            .filter(|c| c.migrated.is_none())
            .map(|c| &c.service)
    }

    /// In flight at the end, or finished at or after `start`: what a window
    /// starting then reports.
    pub fn reported_from(&self, start: Time) -> bool {
        self.contracted.is_none_or(|t| t >= start)
    }
}

/// A deployment in flight that would take a `contract` step while consumers
/// have not migrated: the certification gate holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub deployment: Text,
    pub service: Text,
    pub contract: Text,
    /// The consumers still to migrate, sorted.
    pub consumers: Vec<Text>,
}

impl Held {
    /// Why the gate holds the deployment, for the lanes and the alerts.
    pub fn reason(&self) -> String {
        format!(
            "contract {} would remove the old path while {} {} not migrated",
            self.contract,
            self.consumers.join(", "),
            if self.consumers.len() == 1 {
                "has"
            } else {
                "have"
            }
        )
    }
}

/// When a deployment reached production (`T_ok`), whether it is still in
/// flight (no production result), by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    Ok(Time),
    InFlight,
    Never,
}

fn reach(records: &Records, settings: &Settings, id: &str) -> Reach {
    let Some(d) = records
        .deployment(id)
        .and_then(|i| records.deployments.get(i))
    else {
        return Reach::Never;
    };
    let production = d
        .events
        .iter()
        .filter(|e| settings.is_production(e.environment.as_deref()));
    let mut done = false;
    let mut ok: Option<Time> = None;
    for e in production {
        done |= e.status.is_terminal();
        if e.status == crate::model::DeployStatus::Success {
            ok = Some(ok.map_or(e.time, |t| t.min(e.time)));
        }
    }
    match (ok, done) {
        (Some(t), _) => Reach::Ok(t),
        (None, false) => Reach::InFlight,
        (None, true) => Reach::Never,
    }
}

/// Every contract with an expand taken at or before `end`, sorted by id, and
/// the deployments the gate holds.
pub fn compute(
    records: &Records,
    settings: &Settings,
    end: Time,
) -> (Vec<ContractState>, Vec<Held>) {
    let mut by_id: BTreeMap<&str, Vec<(usize, &ContractEvent)>> = BTreeMap::new();
    for (n, e) in records.contracts.iter().enumerate() {
        by_id.entry(&e.id).or_default().push((n, e));
    }
    let mut states = Vec::new();
    let mut held = Vec::new();
    for lines in by_id.values() {
        if let Some((state, hold)) = one(records, settings, end, lines) {
            held.extend(hold);
            states.push(state);
        }
    }
    held.sort_by(|a, b| (&a.deployment, &a.contract).cmp(&(&b.deployment, &b.contract)));
    (states, held)
}

/// A line with when it was taken (`None`: not taken by the end).
type Line<'a> = (&'a ContractEvent, StepNote);

fn taken(note: StepNote) -> Option<Time> {
    match note {
        StepNote::Taken(t) => Some(t),
        _ => None,
    }
}

/// The first taken line of `step`, ties in arrival order.
fn first_taken<'a>(lines: &[Line<'a>], step: ContractStep) -> Option<(&'a ContractEvent, Time)> {
    lines
        .iter()
        .filter(|(e, _)| e.step == step)
        .filter_map(|&(e, n)| taken(n).map(|t| (e, t)))
        .min_by_key(|&(_, t)| t)
}

/// What became of each line: taken when, in flight, not taken, after the end.
fn notes<'a>(
    records: &Records,
    settings: &Settings,
    end: Time,
    lines: &[(usize, &'a ContractEvent)],
) -> Vec<Line<'a>> {
    lines
        .iter()
        .map(|&(_, e)| {
            let note = match &e.deployment {
                None => StepNote::Taken(e.time),
                Some(d) => match reach(records, settings, d) {
                    Reach::Ok(t) => StepNote::Taken(t),
                    Reach::InFlight => StepNote::InFlight,
                    Reach::Never => StepNote::NotTaken,
                },
            };
            let note = match note {
                StepNote::Taken(t) if t > end => StepNote::AfterEnd,
                n => n,
            };
            (e, note)
        })
        .collect()
}

/// The consumers (the expands taken before the contract step), sorted, with
/// when each migrated; a `migrate` from any other service is marked ignored.
fn consumers(notes: &mut [Line], contracted: Option<Time>) -> Vec<Consumer> {
    let mut services: Vec<Text> = Vec::new();
    for (e, n) in notes.iter() {
        let before = taken(*n).is_some_and(|t| contracted.is_none_or(|c| t < c));
        if e.step == ContractStep::Expand && before {
            for c in &e.consumers {
                if !services.contains(c) {
                    services.push(c.clone());
                }
            }
        }
    }
    services.sort();
    for (e, n) in notes.iter_mut() {
        if e.step == ContractStep::Migrate && !services.contains(&e.service) {
            *n = StepNote::NotAConsumer;
        }
    }
    services
        .into_iter()
        .map(|s| Consumer {
            migrated: notes
                .iter()
                .filter(|(e, _)| e.step == ContractStep::Migrate && e.service == s)
                .filter_map(|(_, n)| taken(*n))
                .min(),
            service: s,
        })
        .collect()
}

/// The consumers that had not migrated when the old path went, named.
fn violation(consumers: &[Consumer], contracted: Option<Time>) -> Option<String> {
    let c = contracted?;
    let live: Vec<&str> = consumers
        .iter()
        .filter(|x| x.migrated.is_none_or(|m| m > c))
        .map(|x| &*x.service)
        .collect();
    (!live.is_empty()).then(|| {
        format!(
            "old path removed while {} had not migrated",
            live.join(", ")
        )
    })
}

fn one(
    records: &Records,
    settings: &Settings,
    end: Time,
    lines: &[(usize, &ContractEvent)],
) -> Option<(ContractState, Vec<Held>)> {
    let mut notes = notes(records, settings, end, lines);
    let (first, started) = first_taken(&notes, ContractStep::Expand)?;
    let producer = first.service.clone();
    let team = settings.team_for(first.team.as_ref(), Some(&producer));
    let contracted = first_taken(&notes, ContractStep::Contract).map(|(_, t)| t);
    let consumers = consumers(&mut notes, contracted);
    let all_migrated = consumers.iter().all(|c| c.migrated.is_some());
    let step = match (contracted, all_migrated) {
        (Some(_), _) => 3,
        (None, true) => 2,
        (None, false) => 1,
    };
    let age = contracted.unwrap_or(end) - started;
    let mut steps: Vec<StepLine> = notes
        .iter()
        .map(|(e, note)| StepLine {
            step: e.step,
            service: e.service.clone(),
            deployment: e.deployment.clone(),
            time: taken(*note).unwrap_or(e.time),
            note: *note,
        })
        .collect();
    steps.sort_by_key(|s| s.time);
    let state = ContractState {
        id: first.id.clone(),
        producer,
        team,
        step,
        violation: violation(&consumers, contracted),
        consumers,
        started,
        contracted,
        age,
        stalled: contracted.is_none() && age > settings.contract_stall,
        steps,
    };
    let hold = held(&state, &notes);
    Some((state, hold))
}

/// The in-flight deployments that would take the `contract` step of a
/// contract not finished while some consumer has not migrated.
fn held(state: &ContractState, notes: &[Line]) -> Vec<Held> {
    let waiting: Vec<Text> = state.waiting().cloned().collect();
    if state.contracted.is_some() || waiting.is_empty() {
        return Vec::new();
    }
    notes
        .iter()
        .filter(|(e, n)| e.step == ContractStep::Contract && *n == StepNote::InFlight)
        .filter_map(|(e, _)| {
            Some(Held {
                deployment: e.deployment.clone()?,
                service: e.service.clone(),
                contract: state.id.clone(),
                consumers: waiting.clone(),
            })
        })
        .collect()
}
