//! Governance records of event schema v1 (DESIGN.md): the steps of a contract
//! change through the three-step dance (`contract` lines), the releases of the
//! standard account stack (`standard`) and what each account applied
//! (`baseline`). The rules over them live in `metrics::governance`.

use serde::{Deserialize, Serialize};

use super::settings::{Settings, UNASSIGNED};
use super::{Text, Time};

/// A step of the robustness principle's three-step dance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContractStep {
    /// The producer accepts old and new.
    Expand,
    /// A consumer upgrades.
    Migrate,
    /// The producer removes the old path.
    Contract,
}

impl ContractStep {
    pub fn label(self) -> &'static str {
        match self {
            Self::Expand => "expand",
            Self::Migrate => "migrate",
            Self::Contract => "contract",
        }
    }

    /// The step named `text` (`expand`, `migrate`, `contract`; any case).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "expand" => Some(Self::Expand),
            "migrate" => Some(Self::Migrate),
            "contract" => Some(Self::Contract),
            _ => None,
        }
    }
}

/// One `contract` line: a step of contract `id` taken by `service`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContractEvent {
    /// The contract, e.g. `orders-api/OrderPlaced`.
    pub id: Text,
    pub step: ContractStep,
    /// Whose deployment takes the step.
    pub service: Text,
    pub time: Time,
    /// The deployment that carries the step: the step is taken when it reaches
    /// production; without one, at `time`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment: Option<Text>,
    /// The consumers (on `expand`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub consumers: Vec<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<Text>,
}

/// One `standard` line: the platform team released `version` of a component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StandardRelease {
    pub component: Text,
    pub version: Text,
    pub time: Time,
}

/// One `baseline` line: an account applied `version` of a component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Baseline {
    pub account: Text,
    pub component: Text,
    pub version: Text,
    /// When the account applied it.
    pub time: Time,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<Text>,
    /// Why the owners deliberately hold or replace the standard.
    #[serde(rename = "override", skip_serializing_if = "Option::is_none")]
    pub override_reason: Option<Text>,
}

/// The team one baseline line names or maps to: its `team`, else the
/// config's account ownership (the rules findings use), else `unassigned`.
pub fn baseline_team(b: &Baseline, settings: &Settings) -> Text {
    b.team
        .clone()
        .filter(|t| !t.is_empty())
        .or_else(|| account_owner(&b.account, settings))
        .unwrap_or_else(|| Text::from(UNASSIGNED))
}

/// The team the config's ownership rules give `account`, if any.
pub fn account_owner(account: &str, settings: &Settings) -> Option<Text> {
    settings
        .findings
        .owners
        .iter()
        .find(|r| r.accounts.iter().any(|a| a == account))
        .map(|r| Text::from(r.team.as_str()))
}
