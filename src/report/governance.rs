//! The governance parts of a report (DESIGN.md "`report --format json`
//! shape"): `contracts` and `accounts` in JSON, and the same numbers as the
//! table's and Markdown's governance section. Rendering only: the rules are
//! `metrics::governance`.

use std::fmt::Write as _;

use serde::Serialize;

use crate::metrics::governance::{AccountDrift, ContractState, Governance};
use crate::model::Time;
use crate::util::format;

#[derive(Serialize)]
pub struct JsonContract<'a> {
    id: &'a str,
    producer: &'a str,
    team: &'a str,
    step: u8,
    consumers: Vec<JsonConsumer<'a>>,
    started: String,
    age_seconds: f64,
    stalled: bool,
    violation: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonConsumer<'a> {
    service: &'a str,
    migrated: Option<String>,
}

#[derive(Serialize)]
pub struct JsonAccount<'a> {
    account: &'a str,
    team: &'a str,
    drifted: usize,
    components: Vec<JsonComponent<'a>>,
}

#[derive(Serialize)]
struct JsonComponent<'a> {
    component: &'a str,
    version: Option<&'a str>,
    latest: Option<&'a str>,
    behind: usize,
    days_behind: Option<f64>,
    #[serde(rename = "override")]
    override_reason: Option<&'a str>,
}

fn seconds(d: chrono::TimeDelta) -> f64 {
    d.num_milliseconds() as f64 / 1000.0
}

/// The reported contracts (in flight at the end, or finished in a window
/// starting at `start`), sorted by id, kept to `teams` when given.
pub fn contracts<'a>(
    g: &'a Governance,
    start: Time,
    keep: &dyn Fn(&str) -> bool,
) -> Vec<JsonContract<'a>> {
    g.reported(start)
        .filter(|c| keep(&c.team))
        .map(|c: &ContractState| JsonContract {
            id: &c.id,
            producer: &c.producer,
            team: &c.team,
            step: c.step,
            consumers: c
                .consumers
                .iter()
                .map(|x| JsonConsumer {
                    service: &x.service,
                    migrated: x.migrated.map(format::rfc3339),
                })
                .collect(),
            started: format::rfc3339(c.started),
            age_seconds: seconds(c.age),
            stalled: c.stalled,
            violation: c.violation.as_deref(),
        })
        .collect()
}

/// Every account listed, sorted by account, kept to `teams` when given.
pub fn accounts<'a>(g: &'a Governance, keep: &dyn Fn(&str) -> bool) -> Vec<JsonAccount<'a>> {
    g.accounts
        .iter()
        .filter(|a| keep(&a.team))
        .map(|a: &AccountDrift| JsonAccount {
            account: &a.account,
            team: &a.team,
            drifted: a.drifted,
            components: a
                .components
                .iter()
                .map(|c| JsonComponent {
                    component: &c.component,
                    version: c.version.as_deref(),
                    latest: c.latest.as_deref(),
                    behind: c.behind,
                    days_behind: c.days_behind,
                    override_reason: c.override_reason.as_deref(),
                })
                .collect(),
        })
        .collect()
}

/// One contract as a line of text: id, team, step, who it waits on, age and
/// what is wrong (violation, stalled).
pub fn contract_cells(c: &ContractState) -> [String; 6] {
    let waiting: Vec<&str> = c.waiting().map(|s| &**s).collect();
    let state = match (&c.violation, c.stalled) {
        (Some(v), _) => format!("VIOLATION: {v}"),
        (None, true) => "stalled".to_string(),
        (None, false) if c.step == 3 => "done".to_string(),
        (None, false) => "in flight".to_string(),
    };
    [
        c.id.to_string(),
        c.team.to_string(),
        format!("{}/3", c.step),
        if waiting.is_empty() {
            "-".to_string()
        } else {
            waiting.join(", ")
        },
        format::duration(c.age),
        state,
    ]
}

/// One account's components behind the standard: `logging v1.1.0, latest
/// v2.0.0 (1 behind, 17d)`, overrides with their reason; `up to date` when none is.
pub fn account_summary(a: &AccountDrift) -> String {
    let parts: Vec<String> = a
        .components
        .iter()
        .filter(|c| c.behind > 0)
        .map(|c| {
            let days = c
                .days_behind
                .map_or(String::new(), |d| format!(", {d:.0}d"));
            let held = c
                .override_reason
                .as_ref()
                .map_or(String::new(), |r| format!(", override: {r}"));
            format!(
                "{} {}, latest {} ({} behind{days}{held})",
                c.component,
                c.version.as_deref().unwrap_or("missing"),
                c.latest.as_deref().unwrap_or("-"),
                c.behind
            )
        })
        .collect();
    if parts.is_empty() {
        "up to date".to_string()
    } else {
        parts.join("; ")
    }
}

/// The table's governance section: contracts, then accounts.
pub fn table_section(out: &mut String, g: Option<&Governance>, start: Time) {
    let _ = writeln!(
        out,
        "GOVERNANCE: contracts in flight at the window's end or finished in it; accounts against the standard stack"
    );
    let Some(g) = g.filter(|g| g.reported(start).next().is_some() || !g.accounts.is_empty()) else {
        let _ = writeln!(
            out,
            "No contract steps, standard releases or account baselines were read."
        );
        return;
    };
    let _ = writeln!(
        out,
        "{:<28} {:<16} {:<5} {:<24} {:>8}  STATE",
        "CONTRACT", "TEAM", "STEP", "WAITING ON", "AGE"
    );
    for c in g.reported(start) {
        let [id, team, step, waiting, age, state] = contract_cells(c);
        let _ = writeln!(
            out,
            "{id:<28} {team:<16} {step:<5} {waiting:<24} {age:>8}  {state}"
        );
    }
    let _ = writeln!(
        out,
        "{:<28} {:<16} {:>7}  BEHIND",
        "ACCOUNT", "TEAM", "DRIFTED"
    );
    for a in &g.accounts {
        let _ = writeln!(
            out,
            "{:<28} {:<16} {:>7}  {}",
            a.account.to_string(),
            a.team.to_string(),
            a.drifted,
            account_summary(a)
        );
    }
}

/// `## Governance` in Markdown: the same rows as the table, text from
/// sources through Markdown's `esc`.
pub fn markdown_section(
    out: &mut String,
    g: Option<&Governance>,
    start: Time,
    esc: fn(&str) -> String,
) {
    let _ = writeln!(out, "## Governance");
    let _ = writeln!(out);
    let Some(g) = g.filter(|g| g.reported(start).next().is_some() || !g.accounts.is_empty()) else {
        let _ = writeln!(
            out,
            "No contract steps, standard releases or account baselines were read."
        );
        return;
    };
    let _ = writeln!(out, "| Contract | Team | Step | Waiting on | Age | State |");
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for c in g.reported(start) {
        let cells: Vec<String> = contract_cells(c).iter().map(|x| esc(x)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "| Account | Team | Drifted | Behind |");
    let _ = writeln!(out, "|---|---|---|---|");
    for a in &g.accounts {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            esc(&a.account),
            esc(&a.team),
            a.drifted,
            esc(&account_summary(a))
        );
    }
}
