//! Compliance posture: open findings per team and per account, by severity and
//! by framework, new in the last 24 h, the oldest open critical, SLA breaches,
//! findings resolved in the window with the median time to resolve, and the
//! same for the previous window (the trend). Pure: records, settings, now.
//!
//! Definitions (window `[end - W, end)`, `now` = `end`):
//! - a finding is *open at t* when it is not suppressed, `opened <= t` and it was
//!   not resolved at or before `t` (a `resolved` status without a time counts as
//!   resolved when opened);
//! - *new in 24 h*: not suppressed, opened in `[now - 24h, now)`;
//! - *SLA breach*: open at `now` and older than the SLA of its severity;
//! - *resolved*: resolution time in the window; time to resolve = resolved - opened;
//!   median as in DORA (even count: mean of the two middle values);
//! - *trend*: open now vs open at the window's start, resolved vs the previous window.

use std::collections::BTreeMap;

use chrono::TimeDelta;
use serde::Serialize;

use crate::model::findings_policy::UNMAPPED;
use crate::model::frameworks;
use crate::model::segmented::Segmented;
use crate::model::settings::Settings;
use crate::model::{Finding, FindingStatus, Severity, Text, Time};

/// Severities in display order (index into `open`).
pub const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

/// The posture of one team or account in one window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Posture {
    pub name: Text,
    /// Open at the window's end: critical, high, medium, low, info.
    pub open: [u64; 5],
    pub open_total: u64,
    /// Open findings per canonical framework, by name.
    pub by_framework: BTreeMap<String, u64>,
    pub new_24h: u64,
    /// When the oldest open critical finding was opened.
    pub oldest_open_critical: Option<Time>,
    pub sla_breaches: u64,
    pub suppressed: u64,
    pub resolved: u64,
    pub median_resolve_seconds: Option<f64>,
    /// The previous window, for trends.
    pub open_at_start: u64,
    pub resolved_previous: u64,
    pub median_resolve_seconds_previous: Option<f64>,
}

impl Posture {
    fn new(name: Text) -> Self {
        Self {
            name,
            open: [0; 5],
            open_total: 0,
            by_framework: BTreeMap::new(),
            new_24h: 0,
            oldest_open_critical: None,
            sla_breaches: 0,
            suppressed: 0,
            resolved: 0,
            median_resolve_seconds: None,
            open_at_start: 0,
            resolved_previous: 0,
            median_resolve_seconds_previous: None,
        }
    }

    /// Open now minus open at the window's start (negative: fewer open).
    pub fn open_change(&self) -> i64 {
        self.open_total as i64 - self.open_at_start as i64
    }
}

/// One finding as the Findings screen lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingRow {
    /// Index into `records.findings`.
    pub index: usize,
    pub team: Text,
    /// Canonical frameworks.
    pub frameworks: Vec<Text>,
    pub sla_days: Option<i64>,
    /// Open at `now` and older than its SLA.
    pub breached: bool,
    pub open: bool,
}

/// Most open criticals first, then most past their SLA; stable, so the name
/// order stays among equals.
fn needing_action_first(rows: &mut [Posture]) {
    rows.sort_by(|a, b| (b.open[0], b.sla_breaches).cmp(&(a.open[0], a.sla_breaches)));
}

/// Posture tables of one window.
#[derive(Debug, Clone, PartialEq)]
pub struct PostureTable {
    pub days: i64,
    /// Rows needing action first (open criticals, then past SLA), so that what
    /// does not fit on screen is the calm part; among equals by name, with
    /// `unmapped` after the named teams. Sorted here, once per snapshot.
    pub teams: Vec<Posture>,
    pub accounts: Vec<Posture>,
    pub total: Posture,
}

/// Everything the Findings screen and the scorecards need.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FindingsView {
    /// Open first, then suppressed, then resolved in the longest window; within
    /// each, most severe first, then oldest first.
    pub rows: Vec<FindingRow>,
    /// One per window length asked for, same order.
    pub windows: Vec<PostureTable>,
    /// Every canonical framework seen, sorted.
    pub frameworks: Vec<Text>,
    /// For each record index, its position in `rows` (`None`: not listed).
    pub row_of: Vec<Option<u32>>,
}

fn resolved_at(f: &Finding) -> Option<Time> {
    f.resolved
        .or((f.status == FindingStatus::Resolved).then_some(f.opened))
}

pub fn is_open_at(f: &Finding, t: Time) -> bool {
    f.status != FindingStatus::Suppressed && f.opened <= t && resolved_at(f).is_none_or(|r| r > t)
}

fn severity_index(s: Severity) -> usize {
    SEVERITIES.iter().position(|x| *x == s).unwrap_or(4)
}

fn median(mut xs: Vec<f64>) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    Some(if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    })
}

/// Computes the posture for each window length in `window_days`, ending at `now`.
pub fn compute(
    findings: &Segmented<Finding>,
    settings: &Settings,
    now: Time,
    window_days: &[i64],
) -> FindingsView {
    let longest = window_days.iter().copied().max().unwrap_or(30);
    // Canonical frameworks per finding, computed once for every table.
    let fws_all: Vec<Vec<Text>> = findings
        .iter()
        .map(|f| frameworks::frameworks_of(&f.frameworks))
        .collect();
    let (rows, owners, all_frameworks) = rows(findings, &fws_all, settings, now, longest);
    let groups = Groups::new(findings, &owners, settings);
    let members = |list: &[usize]| {
        list.iter()
            .map(|&i| (&findings[i], fws_all[i].as_slice()))
            .collect::<Vec<_>>()
    };
    let windows = window_days
        .iter()
        .map(|&days| {
            let w = TimeDelta::days(days);
            let teams = groups
                .team_names
                .iter()
                .map(|name| {
                    let list = groups.team_members.get(name).map_or(&[][..], Vec::as_slice);
                    posture_with(name.clone(), members(list), settings, now, w)
                })
                .collect();
            let accounts = groups
                .account_members
                .iter()
                .map(|(name, list)| posture_with(name.clone(), members(list), settings, now, w))
                .collect();
            let (mut teams, mut accounts): (Vec<Posture>, Vec<Posture>) = (teams, accounts);
            needing_action_first(&mut teams);
            needing_action_first(&mut accounts);
            let all: Vec<usize> = (0..findings.len()).collect();
            let total = posture_with(Text::from("all"), members(&all), settings, now, w);
            PostureTable {
                days,
                teams,
                accounts,
                total,
            }
        })
        .collect();
    let mut row_of = vec![None; findings.len()];
    for (pos, r) in rows.iter().enumerate() {
        row_of[r.index] = Some(pos as u32);
    }
    FindingsView {
        rows,
        windows,
        frameworks: all_frameworks,
        row_of,
    }
}

/// The listed rows in display order, each finding's owner, and every
/// canonical framework seen (sorted).
fn rows(
    findings: &Segmented<Finding>,
    fws_all: &[Vec<Text>],
    settings: &Settings,
    now: Time,
    longest: i64,
) -> (Vec<FindingRow>, Vec<Text>, Vec<Text>) {
    let policy = &settings.findings;
    let mut all_frameworks: Vec<Text> = Vec::new();
    let mut rows: Vec<FindingRow> = Vec::with_capacity(findings.len());
    let mut owners: Vec<Text> = Vec::with_capacity(findings.len());
    for (index, f) in findings.iter().enumerate() {
        let team = policy.owner(f, &settings.service_teams);
        let fws = &fws_all[index];
        for fw in fws {
            if !all_frameworks.contains(fw) {
                all_frameworks.push(fw.clone());
            }
        }
        let sla_days = policy.sla_days.for_severity(f.severity);
        let open = is_open_at(f, now);
        let breached = open && sla_days.is_some_and(|d| now - f.opened > TimeDelta::days(d));
        owners.push(team.clone());
        let recent = resolved_at(f).is_none_or(|r| now - r <= TimeDelta::days(longest));
        if open || f.status == FindingStatus::Suppressed || recent {
            rows.push(FindingRow {
                index,
                team,
                frameworks: fws.clone(),
                sla_days,
                breached,
                open,
            });
        }
    }
    all_frameworks.sort();
    let rank = |r: &FindingRow| match (r.open, findings[r.index].status) {
        (true, _) => 0,
        (false, FindingStatus::Suppressed) => 1,
        _ => 2,
    };
    rows.sort_by(|a, b| {
        let (fa, fb) = (&findings[a.index], &findings[b.index]);
        rank(a)
            .cmp(&rank(b))
            .then(fa.severity.cmp(&fb.severity))
            .then(fa.opened.cmp(&fb.opened))
            .then(fa.id.cmp(&fb.id))
    });
    (rows, owners, all_frameworks)
}

/// Members of each team and account, grouped once for every window.
struct Groups {
    /// The configured teams and every owner, sorted, `unmapped` last.
    team_names: Vec<Text>,
    team_members: BTreeMap<Text, Vec<usize>>,
    account_members: BTreeMap<Text, Vec<usize>>,
}

impl Groups {
    fn new(findings: &Segmented<Finding>, owners: &[Text], settings: &Settings) -> Self {
        let mut team_names: Vec<Text> = settings.teams.clone();
        let mut team_members: BTreeMap<Text, Vec<usize>> = BTreeMap::new();
        for (i, t) in owners.iter().enumerate() {
            team_members.entry(t.clone()).or_default().push(i);
        }
        for t in team_members.keys() {
            if !team_names.contains(t) {
                team_names.push(t.clone());
            }
        }
        team_names.sort_by(|a, b| (&**a == UNMAPPED).cmp(&(&**b == UNMAPPED)).then(a.cmp(b)));
        team_names.dedup();
        let mut account_members: BTreeMap<Text, Vec<usize>> = BTreeMap::new();
        for (i, f) in findings.iter().enumerate() {
            account_members.entry(account_of(f)).or_default().push(i);
        }
        Self {
            team_names,
            team_members,
            account_members,
        }
    }
}

/// The account a finding is counted under (`-` when it names none).
pub fn account_of(f: &Finding) -> Text {
    f.account.clone().unwrap_or_else(|| Text::from("-"))
}

/// The posture of `findings` in the window of `length` ending at `now`.
pub fn posture<'a>(
    name: Text,
    findings: impl Iterator<Item = &'a Finding>,
    settings: &Settings,
    now: Time,
    length: TimeDelta,
) -> Posture {
    let fws: Vec<(&Finding, Vec<Text>)> = findings
        .map(|f| (f, frameworks::frameworks_of(&f.frameworks)))
        .collect();
    posture_with(
        name,
        fws.iter().map(|(f, w)| (*f, w.as_slice())).collect(),
        settings,
        now,
        length,
    )
}

/// [`posture`] with each finding's canonical frameworks already computed.
fn posture_with(
    name: Text,
    findings: Vec<(&Finding, &[Text])>,
    settings: &Settings,
    now: Time,
    length: TimeDelta,
) -> Posture {
    let start = now - length;
    let prev_start = start - length;
    let sla = &settings.findings.sla_days;
    let mut p = Posture::new(name);
    let mut times = Vec::new();
    let mut times_prev = Vec::new();
    for (f, fws) in findings {
        if f.status == FindingStatus::Suppressed {
            p.suppressed += 1;
            continue;
        }
        if is_open_at(f, now) {
            p.open[severity_index(f.severity)] += 1;
            p.open_total += 1;
            for fw in fws {
                *p.by_framework.entry(fw.to_string()).or_default() += 1;
            }
            if f.severity == Severity::Critical {
                p.oldest_open_critical =
                    Some(p.oldest_open_critical.map_or(f.opened, |o| o.min(f.opened)));
            }
            if sla
                .for_severity(f.severity)
                .is_some_and(|d| now - f.opened > TimeDelta::days(d))
            {
                p.sla_breaches += 1;
            }
        }
        if is_open_at(f, start) {
            p.open_at_start += 1;
        }
        if f.opened < now && now - f.opened <= TimeDelta::hours(24) {
            p.new_24h += 1;
        }
        if let Some(r) = resolved_at(f) {
            let took = (r - f.opened).num_milliseconds() as f64 / 1000.0;
            if r >= start && r < now {
                p.resolved += 1;
                times.push(took.max(0.0));
            } else if r >= prev_start && r < start {
                p.resolved_previous += 1;
                times_prev.push(took.max(0.0));
            }
        }
    }
    p.median_resolve_seconds = median(times);
    p.median_resolve_seconds_previous = median(times_prev);
    p
}
