//! The governance families of the exposition: per team the contracts whose
//! old path went under a live consumer (per window, as the reports count
//! them), the stalled contracts and the drifted accounts, and per account and
//! component how many standard versions it is behind.

use super::{Exposed, Family};

/// `flightdeck_team_contract_violations{team,window}`.
pub(super) fn violations(x: &Exposed<'_>, f: &mut Family<'_>) {
    let views = &x.snapshot.views;
    let g = &views.governance;
    for w in &views.windows {
        let start = views.now - chrono::TimeDelta::days(w.days);
        let window = format!("{}d", w.days);
        for team in &x.teams {
            let n = g.team(team, start).violations;
            f.sample(&[("team", team), ("window", &window)], n as f64);
        }
    }
}

/// `flightdeck_team_contracts_stalled{team}`.
pub(super) fn stalled(x: &Exposed<'_>, f: &mut Family<'_>) {
    let views = &x.snapshot.views;
    for team in &x.teams {
        let n = views.governance.team(team, views.now).stalled;
        f.sample(&[("team", team)], n as f64);
    }
}

/// `flightdeck_team_accounts_drifted{team}`.
pub(super) fn drifted(x: &Exposed<'_>, f: &mut Family<'_>) {
    let views = &x.snapshot.views;
    for team in &x.teams {
        let n = views.governance.team(team, views.now).drifted;
        f.sample(&[("team", team)], n as f64);
    }
}

/// `flightdeck_account_components_behind{team,account,component}`: every
/// component listed for an account of the exporter's teams.
pub(super) fn behind(x: &Exposed<'_>, f: &mut Family<'_>) {
    for a in &x.snapshot.views.governance.accounts {
        if !x.teams.contains(&a.team) {
            continue;
        }
        for c in &a.components {
            f.sample(
                &[
                    ("team", &a.team),
                    ("account", &a.account),
                    ("component", &c.component),
                ],
                c.behind as f64,
            );
        }
    }
}
