//! An event made ready for [`Records`](crate::model::records::Records) on the
//! thread that parsed it. A change's names and a deployment line's place are
//! looked up in that thread's shared copies there, so the one thread that
//! applies events in order never reads their text: it was written on another
//! core, and reading it there cost that thread a third of its read (measured
//! on a 1,000,003-line file).

use std::sync::Arc;

use crate::model::record_parts::{ChangeRecord, DeploymentLine, DeploymentNames, LinePlace};
use crate::model::{DeploymentEvent, Event, Id, Time};

/// An event, with the records' shared parts already looked up.
#[derive(Debug, Clone, PartialEq)]
pub enum Prepared {
    Change(ChangeRecord),
    Deployment(PreparedLine),
    /// The other kinds, applied as they are; boxed, as an event is twice
    /// the size of a prepared change and most lines are changes and
    /// deployments.
    Other(Box<Event>),
}

/// A deployment line as its deployment keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedLine {
    pub id: Id,
    /// The line's service and the team it names (if any).
    pub names: Arc<DeploymentNames>,
    pub hotfix: bool,
    pub changes: Vec<Id>,
    pub line: DeploymentLine,
}

impl Prepared {
    pub fn new(event: Event) -> Self {
        match event {
            Event::Change(c) => Self::Change(ChangeRecord::new(c)),
            Event::Deployment(d) => Self::Deployment(PreparedLine::new(d)),
            other => Self::Other(Box::new(other)),
        }
    }

    /// The event as it was read (a recording writes it; `check` counts it),
    /// but for a change's size, kept in 32 bits as its record keeps it.
    pub fn into_event(self) -> Event {
        match self {
            Self::Change(c) => Event::Change(c.to_change()),
            Self::Deployment(d) => Event::Deployment(d.into_event()),
            Self::Other(e) => *e,
        }
    }

    /// The time the event counts for where the history begins (see
    /// `Records::earliest`), if it is delivery history.
    pub fn history_time(&self) -> Option<Time> {
        match self {
            Self::Change(c) => Some(c.time),
            Self::Deployment(d) => Some(d.line.time),
            Self::Other(e) => match &**e {
                Event::Change(c) => Some(c.time),
                Event::Deployment(d) => Some(d.time),
                Event::Incident(i) => Some(i.opened),
                Event::Finding(f) => Some(f.opened),
                // Scorecards read back are numbers, not history; governance
                // lines are not delivery history either (a standard released
                // years ago says nothing of the window's coverage).
                Event::Canary(_)
                | Event::Scorecards(_)
                | Event::Contract(_)
                | Event::Standard(_)
                | Event::Baseline(_) => None,
            },
        }
    }
}

impl PreparedLine {
    /// The line as the event it was read from.
    pub fn into_event(self) -> DeploymentEvent {
        DeploymentEvent {
            id: self.id,
            service: self.names.service.clone(),
            time: self.line.time,
            status: self.line.status,
            team: self.names.team.clone(),
            environment: self.line.environment.clone(),
            region: self.line.region.clone(),
            stage: self.line.stage.clone(),
            changes: self.changes,
            hotfix: self.hotfix,
            url: self.line.url.clone(),
        }
    }

    pub fn new(d: DeploymentEvent) -> Self {
        Self {
            id: d.id,
            names: DeploymentNames::shared(d.service, d.team),
            hotfix: d.hotfix,
            changes: d.changes,
            line: DeploymentLine::new(
                d.time,
                d.status,
                LinePlace {
                    environment: d.environment,
                    region: d.region,
                    stage: d.stage,
                    url: d.url,
                },
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::records::Records;
    use crate::model::{Change, DeployStatus, Text};

    fn line(service: &str, team: Option<&str>, changes: &[&str]) -> Event {
        Event::Deployment(DeploymentEvent {
            id: "d1".into(),
            service: service.into(),
            time: Time::default(),
            status: DeployStatus::Success,
            team: team.map(Text::from),
            environment: None,
            region: Some("eu".into()),
            stage: None,
            changes: changes.iter().map(|&c| Id::from(c)).collect(),
            hotfix: false,
            url: None,
        })
    }

    fn change(id: &str, author: &str) -> Event {
        Event::Change(Change {
            id: id.into(),
            service: "a".into(),
            time: Time::default(),
            team: None,
            title: None,
            author: Some(author.into()),
            url: None,
            opened: None,
            first_review: None,
            merged: None,
            lines: Some(7),
            reverts: None,
        })
    }

    /// A recording and a single poll read a prepared event back as it was read.
    #[test]
    fn a_prepared_event_is_the_event_it_was_made_from() {
        let mut d = line("a", Some("x"), &["c1", "c2"]);
        if let Event::Deployment(d) = &mut d {
            (d.environment, d.stage, d.hotfix) = (Some("qa".into()), Some("paused".into()), true);
            d.url = Some("https://ci/1".into());
        }
        let mut c = change("c1", "ann");
        if let Event::Change(c) = &mut c {
            (c.title, c.reverts) = (Some("Fix".into()), Some("c0".into()));
        }
        for e in [d, c, line("b", None, &[])] {
            assert_eq!(Prepared::new(e.clone()).into_event(), e);
        }
    }

    #[test]
    fn events_prepared_on_other_threads_give_the_records_applied_events_give() {
        let events = vec![
            change("c1", "ann"),
            line("a", Some("x"), &["c1", "c2"]),
            line("a", Some("x"), &[]),
            // A new team, same service: the line's own names are taken.
            line("a", Some("z"), &[]),
            line("a", Some("z"), &[]),
            change("c2", "bob"),
            // Another service named later: the deployment keeps its first,
            // and takes the team.
            line("b", Some("y"), &["c1"]),
            line("a", None, &[]),
            change("c1", "cat"),
        ];
        let direct = Records::from_events(events.clone());
        // Every other event prepared on a thread of its own: names shared
        // by different threads are different copies of the same text.
        let prepared: Vec<Prepared> = events
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                if i % 2 == 0 {
                    std::thread::scope(|s| s.spawn(|| Prepared::new(e)).join())
                        .unwrap_or_else(|p| std::panic::resume_unwind(p))
                } else {
                    Prepared::new(e)
                }
            })
            .collect();
        let mut via = Records::default();
        for p in prepared {
            via.apply_prepared(p);
        }
        assert!(direct.changes == via.changes, "changes differ");
        assert!(direct.deployments == via.deployments, "deployments differ");
        assert_eq!(via.earliest(), direct.earliest());
        let d = &via.deployments[0];
        assert_eq!((&*d.service, d.team.as_deref()), ("a", Some("y")));
        assert_eq!(d.events.len(), 6);
        assert_eq!(via.listed_ids(d).collect::<Vec<_>>(), ["c1", "c2"]);
        assert_eq!(via.changes[0].author.as_deref(), Some("cat"));
    }
}
