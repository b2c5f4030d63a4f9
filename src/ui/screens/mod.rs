//! The screens: one file each, a component that owns its row model, its
//! filter and its keys (the `app::screen::Screen` contract; the app keeps its
//! cursor beside it) and draws itself.
//! A top-level screen is registered once, below; drill-downs are opened by
//! the screen they are reached from.

pub mod detail;
pub mod finding;
pub mod findings;
mod findings_posture;
pub mod findings_remote;
pub mod governance;
mod governance_accounts;
pub mod governance_detail;
mod governance_rows;
pub mod incident;
pub mod incidents;
pub mod lane;
pub mod lanes;
pub mod lanes_legend;
pub mod overview;
pub mod overview_gates;
pub mod overview_legend;
pub mod overview_rows;
pub mod source_detail;
pub mod sources;
pub mod team;
pub mod team_gates;
mod team_rows;
pub mod team_trends;

use crate::app::screen::Screen;

/// The top-level screens in top-bar order: digit keys 1, 2, … show them.
pub fn tabs() -> Vec<Box<dyn Screen>> {
    vec![
        Box::new(overview::Overview::default()),
        Box::new(lanes::Lanes::default()),
        Box::new(incidents::Incidents::default()),
        Box::new(findings::Findings::default()),
        Box::new(sources::Sources::default()),
        Box::new(governance::GovernanceScreen::default()),
    ]
}

/// The keys every screen declares, drill-downs included: rebinding a key in
/// `[keys]` must not hide one of them.
pub fn all_keys() -> Vec<&'static [crate::app::keymap::Binding]> {
    let pages: Vec<Box<dyn Screen>> = vec![
        Box::new(team::TeamPage::new("t".into())),
        Box::new(incident::page("i".into())),
        Box::new(lane::page("l".into())),
        Box::new(finding::page("f".into())),
    ];
    tabs().iter().chain(&pages).map(|s| s.keys()).collect()
}

/// A new cockpit state on the registered screens.
pub fn app(now: crate::model::Time) -> crate::app::App {
    crate::app::App::new(now, tabs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap::BINDINGS;

    /// A screen's key that is also a global key would silently take it over.
    #[test]
    fn no_screen_key_shadows_a_global_key() {
        let pages: Vec<Box<dyn Screen>> = vec![
            Box::new(team::TeamPage::new("t".into())),
            Box::new(incident::page("i".into())),
            Box::new(lane::page("l".into())),
            Box::new(finding::page("f".into())),
            Box::new(governance_detail::contract("c".into())),
            Box::new(governance_detail::account("a".into())),
        ];
        for screen in tabs().iter().chain(&pages) {
            for k in screen.keys() {
                assert!(
                    !BINDINGS
                        .iter()
                        .any(|g| g.code == k.code && g.ctrl == k.ctrl),
                    "{}: {} is a global key",
                    screen.name(),
                    k.keys
                );
            }
        }
    }
}
