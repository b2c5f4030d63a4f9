//! `:` the palette and the links between records, through `App::update`.

use crate::support as common;

use flightdeck::app::{Action, App, Effect};
use flightdeck::metrics::dora::Attribution;
use flightdeck::store::Snapshot;

fn type_text(app: &mut App, s: &Snapshot, text: &str) {
    for c in text.chars() {
        app.update(Action::Type(c), s);
    }
}

#[test]
fn the_palette_jumps_to_an_incident_which_links_to_its_lane_and_esc_walks_back() {
    let s = common::demo_snapshot();
    let mut app = common::app();
    app.refresh(&s);
    // An attributed incident listed on the Incidents screen, not the first row.
    let incidents = s
        .views
        .open_incidents
        .iter()
        .chain(&s.views.windows[app.window].resolved_incidents)
        .copied()
        .collect::<Vec<_>>();
    let (row, i) = incidents
        .iter()
        .enumerate()
        .skip(1)
        .find(|&(_, &i)| s.views.facts.incidents[i].attribution.is_some())
        .map(|(row, &i)| (row, i))
        .expect("an attributed incident");
    let id = s.records.incidents[i].id.to_string();
    let Some(Attribution::Explicit(d) | Attribution::Implicit(d)) =
        s.views.facts.incidents[i].attribution
    else {
        unreachable!()
    };
    let deployment = s.records.deployments[d].id.to_string();

    assert_eq!(app.update(Action::Palette, &s), Effect::Redraw);
    assert!(app.typing(), "keys go to the palette");
    type_text(&mut app, &s, &id);
    assert_eq!(app.update(Action::Open, &s), Effect::Redraw);
    assert!(app.palette.is_none());
    assert_eq!(
        (app.top().name(), app.top().crumb()),
        ("Incident", id.clone())
    );
    // Enter follows the attribution to the deployment's lane.
    assert_eq!(app.update(Action::Open, &s), Effect::Redraw);
    assert_eq!((app.top().name(), app.top().crumb()), ("Lane", deployment));
    // Esc back to the incident, then to the Incidents list on its row.
    app.update(Action::Back, &s);
    assert_eq!(app.top().name(), "Incident");
    app.update(Action::Back, &s);
    assert_eq!(
        (app.top().name(), app.cursor().selected),
        ("Incidents", row)
    );
}

#[test]
fn the_palette_runs_commands_and_jumps_to_teams_and_screens() {
    let s = common::demo_snapshot();
    let mut app = common::app();
    app.refresh(&s);
    app.update(Action::Palette, &s);
    type_text(&mut app, &s, "window 90");
    app.update(Action::Open, &s);
    assert_eq!(app.window_days(), 90);
    app.update(Action::Palette, &s);
    type_text(&mut app, &s, "theme mono");
    app.update(Action::Open, &s);
    assert_eq!(app.theme.name.name(), "mono");
    app.update(Action::Palette, &s);
    type_text(&mut app, &s, "team billing");
    app.update(Action::Open, &s);
    assert_eq!(
        (app.top().name(), app.top().crumb()),
        ("Team", "billing".into())
    );
    app.update(Action::Palette, &s);
    type_text(&mut app, &s, "screen sources");
    app.update(Action::Open, &s);
    assert_eq!((app.top().name(), app.depth()), ("Sources", 1));
    // Esc closes it without doing anything; nothing matching does nothing.
    app.update(Action::Palette, &s);
    type_text(&mut app, &s, "zzzzqqq");
    assert_eq!(app.update(Action::Open, &s), Effect::Nothing);
    app.update(Action::Back, &s);
    assert!(app.palette.is_none() && !app.typing());
    assert_eq!(app.top().name(), "Sources");
    app.update(Action::Palette, &s);
    type_text(&mut app, &s, "save");
    assert_eq!(app.update(Action::Open, &s), Effect::SaveScreen);
    // Contracts and accounts are in it too: each opens on Governance.
    let g = &s.views.governance;
    let (contract, account) = (&g.contracts[0].id, &g.accounts[0].account);
    app.update(Action::Palette, &s);
    type_text(&mut app, &s, &format!("contract {contract}"));
    app.update(Action::Open, &s);
    assert_eq!(
        (app.top().name(), app.top().crumb()),
        ("Contract", contract.to_string())
    );
    app.update(Action::Palette, &s);
    type_text(&mut app, &s, &format!("account {account}"));
    app.update(Action::Open, &s);
    assert_eq!(
        (app.top().name(), app.top().crumb()),
        ("Account", format!("account {account}"))
    );
    app.update(Action::Back, &s);
    assert_eq!(app.top().name(), "Governance");
}

#[test]
fn a_lane_opens_its_newest_incident_or_says_it_has_none() {
    let s = common::demo_snapshot();
    let mut app = common::app();
    app.refresh(&s);
    app.update(common::show("Lanes"), &s);
    let lanes = &s.views.lanes.lanes;
    let with = lanes.iter().position(|l| !l.incidents.is_empty());
    let without = lanes
        .iter()
        .position(|l| l.incidents.is_empty())
        .expect("a quiet lane");
    for _ in 0..without {
        app.update(Action::Down, &s);
    }
    app.update(Action::Open, &s);
    assert_eq!(app.top().name(), "Lane");
    assert_eq!(app.update(Action::Open, &s), Effect::Redraw);
    assert_eq!(
        app.message,
        Some(format!("no incident is linked to {}", lanes[without].id))
    );
    assert_eq!(app.top().name(), "Lane", "it stays");
    if let Some(with) = with {
        app.update(Action::Back, &s);
        app.update(Action::Top, &s);
        for _ in 0..with {
            app.update(Action::Down, &s);
        }
        app.update(Action::Open, &s);
        app.update(Action::Open, &s);
        assert_eq!(app.top().name(), "Incident");
    }
}

/// `f` selects alerts in the release-window feed; Enter opens what each
/// names, on the screen that lists it; `a` there acknowledges the selected one.
#[test]
fn f_selects_an_alert_and_enter_opens_its_lane_incident_finding_or_contract() {
    use flightdeck::metrics::alerts::Subject;
    let s = common::demo_snapshot();
    let mut app = common::app();
    app.refresh(&s);
    app.update(Action::FocusFeed, &s);
    assert!(
        app.message
            .as_deref()
            .is_some_and(|m| m.contains("w shows it")),
        "{:?}",
        app.message
    );
    app.update(Action::ReleaseWindow, &s);
    app.on_alerts(&s);
    let entries = app.release.log.entries().to_vec();
    assert!(entries.len() >= 2, "{entries:?}");
    let mut kinds = std::collections::HashSet::new();
    for (n, alert) in entries.iter().enumerate() {
        app.update(Action::FocusFeed, &s);
        app.update(Action::Top, &s);
        for _ in 0..n {
            app.update(Action::Down, &s);
        }
        assert_eq!(app.release.feed.as_deref(), Some(&*alert.key));
        app.update(Action::Open, &s);
        assert_eq!(app.release.feed, None, "Enter leaves the feed");
        let (tab, page, id) = match alert.subject.clone() {
            Subject::Lane(id) => ("Lanes", "Lane", id),
            Subject::Incident(id) => ("Incidents", "Incident", id),
            Subject::Finding(id) => ("Findings", "Finding", id),
            Subject::Contract(id) => ("Governance", "Contract", id),
        };
        kinds.insert(page);
        let shown = app.tabs().nth(app.tab()).map(|t| t.name());
        assert_eq!(shown, Some(tab), "{}", alert.key);
        assert_eq!(app.top().name(), page, "{}", alert.key);
        app.update(Action::Yank, &s);
        assert_eq!(app.clipboard.take().as_deref(), Some(&*id), "{}", alert.key);
        app.update(Action::Back, &s);
    }
    assert!(kinds.contains("Lane"), "{kinds:?}");
    // `a` in the feed acknowledges the selected alert, not the newest.
    app.update(Action::FocusFeed, &s);
    app.update(Action::Down, &s);
    assert_eq!(app.update(Action::Acknowledge, &s), Effect::Acknowledged);
    assert!(!app.release.log.is_acked(&entries[0].key));
    assert!(app.release.log.is_acked(&entries[1].key));
    // Esc leaves the feed; the list below has its keys back.
    app.update(Action::Back, &s);
    assert_eq!(app.release.feed, None);
}
