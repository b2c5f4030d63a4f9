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
