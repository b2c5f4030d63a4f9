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
        let newest = self.release.log.entries().first().map(|a| a.key.clone());
        self.message = if !self.release.on {
            Some("f selects alerts in the release-window feed: w shows it".into())
        } else if newest.is_none() {
            Some("no alert to select: the feed is quiet".into())
        } else {
            self.release.feed = newest;
            None
        };
    }

    /// The row of the selected alert in the feed (the newest when it has
    /// left the feed), while the feed is selected.
    pub fn feed_row(&self) -> Option<usize> {
        let key = self.release.feed.as_deref()?;
        let entries = self.release.log.entries();
        Some(entries.iter().position(|a| &*a.key == key).unwrap_or(0))
    }

    /// A key while the feed is selected; `None`: not a feed key, it acts as
    /// anywhere else.
    pub(super) fn feed_key(&mut self, action: Action, snapshot: &Snapshot) -> Option<Effect> {
        let row = self.feed_row()?;
        let entries = self.release.log.entries();
        let mut cursor = Cursor {
            selected: row,
            rows: entries.len(),
        };
        if cursor.apply(action) {
            self.release.feed = entries.get(cursor.selected).map(|a| a.key.clone());
            return Some(Effect::Redraw);
        }
        let alert = entries.get(row);
        match action {
            Action::Back | Action::FocusFeed | Action::Quit => {
                self.release.feed = None;
                Some(Effect::Redraw)
            }
            Action::Acknowledge => {
                let key = alert?.key.clone();
                let acked = self.release.log.acknowledge(&key, self.now);
                self.release.flash = 0;
                if !acked {
                    self.message = Some(format!("{key} is already acknowledged"));
                }
                Some(if acked {
                    Effect::Acknowledged
                } else {
                    Effect::Redraw
                })
            }
            Action::Open => {
                let subject = alert.map(|a| a.subject.clone());
                self.release.feed = None;
                let (screen, id) = match subject? {
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
