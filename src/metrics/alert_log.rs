//! The release-window feed as the user sees it over time: every alert derived
//! so far, kept until it is acknowledged (an alert whose condition ended is
//! marked cleared, not dropped, so whoever stepped away still learns of it),
//! and the acknowledgements, which outlive a restart. Pure: each change takes
//! the time as an argument.

use std::collections::{BTreeMap, HashSet};

use chrono::TimeDelta;

use crate::metrics::alerts::{Alert, LOOKBACK};
use crate::model::{Text, Time};

/// At most this many alerts are kept; past it the oldest go first.
pub const MAX_KEPT: usize = 1000;

/// An acknowledgement of an alert no longer in the feed is forgotten after this
/// long: by then its alert is past the lookback and cannot come back.
pub const ACK_KEPT: TimeDelta = TimeDelta::days(2);

#[derive(Debug, Clone, Default)]
pub struct AlertLog {
    /// Newest first.
    entries: Vec<Alert>,
    /// Acknowledged alert keys and when they were acknowledged.
    acked: BTreeMap<Text, Time>,
}

impl AlertLog {
    /// Brings the log up to date with the alerts derived at `now`: new ones are
    /// added, known ones refreshed, and an alert that is no longer derived
    /// while still inside the lookback (or that was an ongoing state) is marked
    /// cleared at `now`. Returns the keys new to the log that need attention
    /// (not acknowledged, not already cleared), newest first.
    pub fn merge(&mut self, derived: &[Alert], now: Time) -> Vec<Text> {
        let keys: HashSet<&Text> = derived.iter().map(|a| &a.key).collect();
        for e in &mut self.entries {
            if e.cleared.is_none()
                && !keys.contains(&e.key)
                && (e.ongoing() || e.at >= now - LOOKBACK)
            {
                e.cleared = Some(now);
            }
        }
        let mut fresh = Vec::new();
        for d in derived {
            match self.entries.iter_mut().find(|e| e.key == d.key) {
                Some(e) => *e = d.clone(),
                None => {
                    if d.cleared.is_none() && !self.acked.contains_key(&d.key) {
                        fresh.push(d.key.clone());
                    }
                    self.entries.push(d.clone());
                }
            }
        }
        self.prune(now);
        fresh
    }

    /// Drops what nobody needs to see again: acknowledged alerts that are
    /// cleared or past the lookback, the oldest past [`MAX_KEPT`], and
    /// acknowledgements of alerts long gone.
    fn prune(&mut self, now: Time) {
        let acked = &self.acked;
        self.entries.retain(|e| {
            !(acked.contains_key(&e.key) && (e.cleared.is_some() || e.at < now - LOOKBACK))
        });
        self.entries
            .sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.key.cmp(&b.key)));
        self.entries.truncate(MAX_KEPT);
        let kept: HashSet<&Text> = self.entries.iter().map(|e| &e.key).collect();
        self.acked
            .retain(|k, at| kept.contains(k) || now - *at < ACK_KEPT);
    }

    /// Every alert in the feed, newest first.
    pub fn entries(&self) -> &[Alert] {
        &self.entries
    }

    pub fn get(&self, key: &str) -> Option<&Alert> {
        self.entries.iter().find(|e| &*e.key == key)
    }

    pub fn is_acked(&self, key: &str) -> bool {
        self.acked.contains_key(key)
    }

    /// Alerts not acknowledged yet, newest first.
    pub fn open(&self) -> impl Iterator<Item = &Alert> {
        self.entries
            .iter()
            .filter(|e| !self.acked.contains_key(&e.key))
    }

    /// Acknowledges the newest open alert; false when there is none.
    pub fn acknowledge_newest(&mut self, now: Time) -> bool {
        let Some(key) = self.open().next().map(|a| a.key.clone()) else {
            return false;
        };
        self.acked.insert(key, now);
        self.prune(now);
        true
    }

    /// Acknowledges the alert with this key; false when it is not open.
    pub fn acknowledge(&mut self, key: &str, now: Time) -> bool {
        let Some(key) = self.open().find(|a| &*a.key == key).map(|a| a.key.clone()) else {
            return false;
        };
        self.acked.insert(key, now);
        self.prune(now);
        true
    }

    /// Acknowledges every alert in the feed; false when none was open.
    pub fn acknowledge_all(&mut self, now: Time) -> bool {
        let keys: Vec<Text> = self.open().map(|a| a.key.clone()).collect();
        if keys.is_empty() {
            return false;
        }
        for k in keys {
            self.acked.insert(k, now);
        }
        self.prune(now);
        true
    }

    /// The acknowledgements, for saving: key and when.
    pub fn acknowledgements(&self) -> impl Iterator<Item = (&Text, Time)> {
        self.acked.iter().map(|(k, t)| (k, *t))
    }

    /// Takes acknowledgements saved earlier (a restart): their alerts, when
    /// derived again, are not news.
    pub fn restore(&mut self, acks: impl IntoIterator<Item = (Text, Time)>) {
        for (key, at) in acks {
            let kept = self.acked.entry(key).or_insert(at);
            *kept = (*kept).max(at);
        }
    }
}
