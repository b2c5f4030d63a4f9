//! The `findings` part of `flightdeck report --format json`: each team object
//! gains a `findings` object with its compliance posture in the report's window,
//! and findings no rule maps are reported under `findings_unmapped`.
//!
//! ```text
//! "findings": {"open": {"critical":int,"high":int,"medium":int,"low":int,"info":int},
//!   "open_total":int, "by_framework": {framework:int}, "new_24h":int,
//!   "oldest_open_critical": RFC3339|null, "sla_breaches":int, "suppressed":int,
//!   "resolved":int, "median_resolve_seconds":number|null,
//!   "previous": {"open_at_start":int,"resolved":int,"median_resolve_seconds":number|null}}
//! ```

use chrono::TimeDelta;

use crate::model::findings_policy::UNMAPPED;
use std::fmt::Write as _;

use crate::metrics::posture::{Posture, posture};
use crate::model::segmented::Segmented;
use crate::model::settings::Settings;
use crate::model::{Finding, Text, Time};
use crate::util::format;

/// The findings posture of every reported team and of the unmapped findings:
/// what the JSON `findings` objects show, and what the table, Markdown and CSV
/// reports' audit parts read (one computation, `metrics::posture`).
#[derive(Debug, Clone)]
pub struct Audit {
    /// When the window ends (ages are measured to it).
    pub now: Time,
    /// One per team asked for, same order; a team without findings has zeros.
    pub teams: Vec<Posture>,
    pub unmapped: Posture,
}

impl Audit {
    /// The posture of `team`; zeros for a team not asked for.
    pub fn team(&self, team: &str) -> Posture {
        self.teams
            .iter()
            .find(|p| &*p.name == team)
            .cloned()
            .unwrap_or_else(|| {
                posture(
                    Text::from(team),
                    std::iter::empty(),
                    &Settings::default(),
                    self.now,
                    TimeDelta::zero(),
                )
            })
    }

    /// How long the oldest open critical finding of `p` has been open, as an age
    /// ("12d 00h 00m"); `None` when no critical finding is open.
    pub fn oldest_critical_age(&self, p: &Posture) -> Option<String> {
        p.oldest_open_critical
            .map(|t| format::age(self.now.signed_duration_since(t)))
    }

    /// The one line about findings no rule maps to a team.
    pub fn unmapped_line(&self) -> String {
        let u = &self.unmapped;
        if u.open_total == 0 {
            return "Unmapped findings (no team): none open.".into();
        }
        let o = &u.open;
        let mut line = format!(
            "Unmapped findings (no team): {} open (critical {}, high {}, medium {}, low {}, info {}), {} past SLA",
            u.open_total, o[0], o[1], o[2], o[3], o[4], u.sla_breaches
        );
        if let Some(age) = self.oldest_critical_age(u) {
            let _ = write!(line, ", oldest open critical {age}");
        }
        line.push('.');
        line
    }
}

/// The posture of each of `teams` and of the findings no rule maps, in the
/// window of `length` ending at `now`.
pub fn audit<'a>(
    teams: impl Iterator<Item = &'a str>,
    findings: &Segmented<Finding>,
    settings: &Settings,
    now: Time,
    length: TimeDelta,
) -> Audit {
    let policy = &settings.findings;
    let owners: Vec<Text> = findings
        .iter()
        .map(|f| policy.owner(f, &settings.service_teams))
        .collect();
    let of = |team: &str| {
        posture(
            Text::from(team),
            findings
                .iter()
                .zip(&owners)
                .filter(|(_, o)| &***o == team)
                .map(|(f, _)| f),
            settings,
            now,
            length,
        )
    };
    Audit {
        now,
        teams: teams.map(of).collect(),
        unmapped: of(UNMAPPED),
    }
}
