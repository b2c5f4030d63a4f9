//! The release-window feed as a list: `f` selects an alert, the movement keys
//! move in the feed, Enter opens the lane, incident, finding or contract it
//! names, `a` acknowledges the selected one, Esc (or `f`, or `q`) leaves.

use super::palette::Pick;
use super::screen::Cursor;
use super::{Action, App, Effect};
use crate::metrics::alerts::Subject;
use crate::store::Snapshot;

impl App {
    /// `f`: the feed takes the movement keys, on its newest alert.
    pub(super) fn focus_feed(&mut self) {
        let entries = self.release.log.entries().len();
        self.message = if !self.release.on {
            Some("f selects alerts in the release-window feed: w shows it".into())
        } else if entries == 0 {
            Some("no alert to select: the feed is quiet".into())
        } else {
            self.release.feed = Some(0);
            None
        };
    }

    /// A key while the feed is selected; `None`: not a feed key, it acts as
    /// anywhere else.
    pub(super) fn feed_key(&mut self, action: Action, snapshot: &Snapshot) -> Option<Effect> {
        let selected = self.release.feed?;
        let entries = self.release.log.entries();
        // The feed may have shrunk (acknowledged alerts age out).
        let mut cursor = Cursor {
            selected: selected.min(entries.len().saturating_sub(1)),
            rows: entries.len(),
        };
        if cursor.apply(action) {
            self.release.feed = Some(cursor.selected);
            return Some(Effect::Redraw);
        }
        let alert = entries.get(cursor.selected);
        match action {
            Action::Back | Action::FocusFeed | Action::Quit => {
                self.release.feed = None;
                Some(Effect::Redraw)
            }
            Action::Acknowledge => {
                let key = alert?.key.clone();
                let acked = self.release.log.acknowledge(&key, self.now);
                self.release.flash = 0;
                Some(if acked {
                    Effect::Acknowledged
                } else {
                    Effect::Redraw
                })
            }
            Action::Open => {
                let subject = alert.and_then(|a| a.subject());
                self.release.feed = None;
                let Some(subject) = subject else {
                    self.message = Some("this alert names nothing to open".into());
                    return Some(Effect::Redraw);
                };
                let (screen, id) = match subject {
                    Subject::Lane(id) => ("Lanes", id),
                    Subject::Incident(id) => ("Incidents", id),
                    Subject::Finding(id) => ("Findings", id),
                    Subject::Contract(id) => ("Governance", id),
                };
                let tab = self.tabs().position(|s| s.name() == screen)?;
                Some(self.pick(
                    Pick::Jump {
                        tab,
                        id: Some(id.to_string()),
                    },
                    snapshot,
                ))
            }
            _ => None,
        }
    }
}
