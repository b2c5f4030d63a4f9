//! Who owns a finding and how long it may stay open: the `[findings]` part of the
//! config (the config loader deserialises [`FindingsPolicy`]; unknown keys are
//! errors). Pure: no I/O.
//!
//! ```toml
//! [findings.sla_days]          # open longer than this is an SLA breach
//! critical = 7                 # defaults: critical 7, high 30, medium 90
//! high = 30                    # (low and info have none unless set)
//! medium = 90
//!
//! [[findings.owners]]          # first matching rule wins
//! team = "payments"
//! accounts = ["123456789012"]  # AWS account / subscription / project id
//! repositories = ["github.com/acme/payments"]   # SARIF/Trivy repository (suffix match)
//! services = ["payments-api"]  # the finding's service
//! tags = ["team=payments"]     # resource tag `key=value`
//! path_prefixes = ["services/payments/"]        # file location or resource prefix
//! ```
//!
//! A finding's own `team` wins over the rules; then the rules; then the service
//! map shared with the delivery metrics; anything left is `unmapped` (shown as
//! such, never dropped).

use std::collections::HashMap;

use serde::Deserialize;

use crate::model::{Finding, Severity, Text};

/// The team name of findings no rule maps.
pub const UNMAPPED: &str = "unmapped";

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingsPolicy {
    #[serde(default)]
    pub sla_days: SlaDays,
    #[serde(default)]
    pub owners: Vec<OwnershipRule>,
}

/// Days a finding of each severity may stay open; `None` means no SLA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaDays {
    #[serde(default = "critical_days")]
    pub critical: Option<i64>,
    #[serde(default = "high_days")]
    pub high: Option<i64>,
    #[serde(default = "medium_days")]
    pub medium: Option<i64>,
    #[serde(default)]
    pub low: Option<i64>,
    #[serde(default)]
    pub info: Option<i64>,
}

fn critical_days() -> Option<i64> {
    Some(7)
}
fn high_days() -> Option<i64> {
    Some(30)
}
fn medium_days() -> Option<i64> {
    Some(90)
}

impl Default for SlaDays {
    fn default() -> Self {
        Self {
            critical: critical_days(),
            high: high_days(),
            medium: medium_days(),
            low: None,
            info: None,
        }
    }
}

impl SlaDays {
    pub fn for_severity(&self, s: Severity) -> Option<i64> {
        match s {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }
}

/// One ownership rule: `team` owns a finding when any listed selector matches.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnershipRule {
    pub team: String,
    #[serde(default)]
    pub accounts: Vec<String>,
    #[serde(default)]
    pub repositories: Vec<String>,
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub path_prefixes: Vec<String>,
}

impl OwnershipRule {
    pub fn matches(&self, f: &Finding) -> bool {
        let d = f.detail.as_deref();
        let eq = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        if let Some(acct) = f.account.as_deref()
            && self.accounts.iter().any(|a| a == acct)
        {
            return true;
        }
        if let Some(svc) = f.service.as_deref()
            && self.services.iter().any(|s| eq(s, svc))
        {
            return true;
        }
        if let Some(repo) = d.and_then(|d| d.repository.as_deref()) {
            let repo = repo.trim_end_matches(".git").trim_end_matches('/');
            if self.repositories.iter().any(|r| {
                let r = r.trim_end_matches(".git").trim_end_matches('/');
                !r.is_empty() && (repo.eq_ignore_ascii_case(r) || repo.ends_with(&format!("/{r}")))
            }) {
                return true;
            }
        }
        if let Some(d) = d {
            if d.resource_tags
                .iter()
                .any(|t| self.tags.iter().any(|want| eq(want, t)))
            {
                return true;
            }
            let places = [d.location.as_deref(), d.resource.as_deref()];
            if places.into_iter().flatten().any(|p| {
                self.path_prefixes
                    .iter()
                    .any(|pre| !pre.is_empty() && p.starts_with(pre.as_str()))
            }) {
                return true;
            }
        }
        false
    }
}

impl FindingsPolicy {
    /// The team that owns `f`: its own team, the first matching rule, the
    /// service map (`Settings::service_teams`), else [`UNMAPPED`].
    pub fn owner(&self, f: &Finding, service_teams: &HashMap<Text, Text>) -> Text {
        if let Some(t) = f.team.as_ref().filter(|t| !t.is_empty()) {
            return t.clone();
        }
        if let Some(rule) = self.owners.iter().find(|r| r.matches(f)) {
            return Text::from(rule.team.as_str());
        }
        if let Some(t) = f.service.as_ref().and_then(|s| service_teams.get(s)) {
            return t.clone();
        }
        Text::from(UNMAPPED)
    }
}
