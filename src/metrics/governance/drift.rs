//! Account baseline drift (DESIGN.md "Account baseline drift"): how far each
//! account's components lag the standard stack the platform team releases,
//! since when, and the overrides the owners declared. Pure.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::contracts::{Baseline, StandardRelease, account_owner};
use crate::model::records::Records;
use crate::model::settings::{Settings, UNASSIGNED};
use crate::model::{Text, Time};

use super::versions::{self, Version};

/// One component of one account.
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentDrift {
    pub component: Text,
    /// The account's version (its latest baseline at or before the end).
    pub version: Option<Text>,
    /// When the account applied it.
    pub applied: Option<Time>,
    /// The highest version released at or before the end.
    pub latest: Option<Text>,
    /// Versions released at or before the end newer than the account's.
    pub behind: usize,
    /// The release time of the oldest of those: behind since then.
    pub since: Option<Time>,
    /// End minus `since`, in days.
    pub days_behind: Option<f64>,
    pub override_reason: Option<Text>,
}

impl ComponentDrift {
    /// Behind the standard with no declared override.
    pub fn drifted(&self) -> bool {
        self.behind > 0 && self.override_reason.is_none()
    }
}

/// One account and its components, sorted by component.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountDrift {
    pub account: Text,
    pub team: Text,
    /// Components behind with no override.
    pub drifted: usize,
    pub components: Vec<ComponentDrift>,
}

/// How a component's versions order: by number, or (when any of them does
/// not parse) by release time.
enum Order {
    Number,
    Time,
}

/// One distinct released version of a component: its text and its first
/// release at or before the end.
struct Release {
    text: Text,
    number: Option<Version>,
    time: Time,
}

struct Component {
    order: Order,
    /// Distinct versions released at or before the end, oldest release first.
    releases: Vec<Release>,
}

impl Component {
    fn new(
        releases: &[&StandardRelease],
        baselines: impl Iterator<Item = Text>,
        end: Time,
    ) -> Self {
        let parses = releases
            .iter()
            .all(|r| versions::parse(&r.version).is_some());
        let order = if parses && baselines.into_iter().all(|v| versions::parse(&v).is_some()) {
            Order::Number
        } else {
            Order::Time
        };
        let mut sorted: Vec<&&StandardRelease> =
            releases.iter().filter(|r| r.time <= end).collect();
        sorted.sort_by_key(|r| r.time);
        let mut distinct: Vec<Release> = Vec::new();
        for r in sorted {
            let number = versions::parse(&r.version);
            let same = |d: &Release| match order {
                Order::Number => d.number == number,
                Order::Time => d.text == r.version,
            };
            if !distinct.iter().any(same) {
                distinct.push(Release {
                    text: r.version.clone(),
                    number,
                    time: r.time,
                });
            }
        }
        Self {
            order,
            releases: distinct,
        }
    }

    fn latest(&self) -> Option<&Release> {
        match self.order {
            // Equal numbers were merged, so the maximum is one release.
            Order::Number => self.releases.iter().max_by_key(|r| r.number),
            Order::Time => self.releases.last(),
        }
    }

    /// The account's version applied at `applied` (none: missing).
    fn drift(&self, version: Option<(&Text, Time)>) -> (usize, Option<Time>) {
        let newer: Vec<&Release> = match version {
            None => self.releases.iter().collect(),
            Some((text, applied)) => {
                let number = versions::parse(text);
                let released = self.releases.iter().find(|r| match self.order {
                    Order::Number => r.number == number,
                    Order::Time => r.text == *text,
                });
                match (released, &self.order) {
                    // Never released: those released after the account applied it.
                    (None, _) => self.releases.iter().filter(|r| r.time > applied).collect(),
                    (Some(_), Order::Number) => {
                        self.releases.iter().filter(|r| r.number > number).collect()
                    }
                    (Some(own), Order::Time) => {
                        self.releases.iter().filter(|r| r.time > own.time).collect()
                    }
                }
            }
        };
        (newer.len(), newer.iter().map(|r| r.time).min())
    }
}

/// Every account with a baseline, or named by the config's account
/// ownership, that has a component to show; sorted by account.
pub fn compute(records: &Records, settings: &Settings, end: Time) -> Vec<AccountDrift> {
    let mut releases: BTreeMap<&str, Vec<&StandardRelease>> = BTreeMap::new();
    for r in records.standards.iter() {
        releases.entry(&r.component).or_default().push(r);
    }
    let mut applied: BTreeMap<&str, Vec<&Baseline>> = BTreeMap::new();
    for b in records.baselines.iter() {
        applied.entry(&b.account).or_default().push(b);
    }
    let mut accounts: BTreeSet<Text> = applied.keys().map(|a| Text::from(*a)).collect();
    for rule in &settings.findings.owners {
        accounts.extend(rule.accounts.iter().map(|a| Text::from(a.as_str())));
    }
    let mut versions_of: BTreeMap<&str, Vec<Text>> = BTreeMap::new();
    for b in records.baselines.iter() {
        versions_of
            .entry(&b.component)
            .or_default()
            .push(b.version.clone());
    }
    let components: BTreeMap<&str, Component> = releases
        .keys()
        .chain(versions_of.keys())
        .map(|&c| {
            let rel = releases.get(c).map_or(&[][..], Vec::as_slice);
            let seen = versions_of.get(c).into_iter().flatten().cloned();
            (c, Component::new(rel, seen, end))
        })
        .collect();
    accounts
        .into_iter()
        .filter_map(|account| {
            let own = applied.get(&*account).map_or(&[][..], Vec::as_slice);
            one(account, own, &components, settings, end)
        })
        .collect()
}

fn one(
    account: Text,
    own: &[&Baseline],
    components: &BTreeMap<&str, Component>,
    settings: &Settings,
    end: Time,
) -> Option<AccountDrift> {
    // The latest baseline per component at or before the end (ties: the later line).
    let mut current: BTreeMap<&str, &Baseline> = BTreeMap::new();
    for b in own.iter().filter(|b| b.time <= end) {
        if current.get(&*b.component).is_none_or(|c| c.time <= b.time) {
            current.insert(&b.component, b);
        }
    }
    let rows: Vec<ComponentDrift> = components
        .iter()
        .filter(|(name, c)| !c.releases.is_empty() || current.contains_key(*name))
        .map(|(&name, c)| {
            let b = current.get(name);
            let (behind, since) = c.drift(b.map(|b| (&b.version, b.time)));
            ComponentDrift {
                component: Text::from(name),
                version: b.map(|b| b.version.clone()),
                applied: b.map(|b| b.time),
                latest: c.latest().map(|r| r.text.clone()),
                behind,
                since,
                days_behind: since.map(|s| (end - s).num_milliseconds() as f64 / 86_400_000.0),
                override_reason: b.and_then(|b| b.override_reason.clone()),
            }
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    Some(AccountDrift {
        team: team_of(&account, own, settings, end),
        drifted: rows.iter().filter(|r| r.drifted()).count(),
        account,
        components: rows,
    })
}

/// The latest baseline's `team` at or before the end, else the config's
/// account ownership, else `unassigned`.
fn team_of(account: &str, own: &[&Baseline], settings: &Settings, end: Time) -> Text {
    own.iter()
        .filter(|b| b.time <= end && b.team.as_ref().is_some_and(|t| !t.is_empty()))
        .max_by_key(|b| b.time)
        .and_then(|b| b.team.clone())
        .or_else(|| account_owner(account, settings))
        .unwrap_or_else(|| Text::from(UNASSIGNED))
}
