//! The common lines made ready for the records straight from what was read
//! ([`Prepared`]): a change's or a deployment line's names are looked up as
//! read, as a set ([`super::names`]), instead of each name cleaned and shared
//! and then the set shared. What comes out is what `Prepared::new` makes of
//! the line's event (`events_tests.rs` checks it on every shape).

use crate::model::Event;
use crate::model::prepared::{Prepared, PreparedLine};
use crate::model::record_parts::{ChangeRecord, DeploymentLine, LinePlace};
use crate::sources::event_scan::{Members, Value};
use crate::sources::event_schema::{RawChange, RawDeployment, id, on, ot, t, time};
use crate::sources::names;

/// What a reader keeps of a line: all of it, or what the numbers read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Keep {
    All,
    Numbers,
}

/// Keeps only what the numbers read: no change titles, change urls or
/// deployment urls. A report prints none of them, and a million change
/// titles are the largest text a history holds (about 18 MB in a
/// 1,000,000-line file).
pub(super) fn keep_numbers(e: &mut Event) {
    match e {
        Event::Change(c) => {
            c.title = None;
            c.url = None;
        }
        Event::Deployment(d) => d.url = None,
        _ => {}
    }
}

/// A scanned change or deployment line made ready for the records; `None`
/// for any other (or one the model refuses): the general path reads it, and
/// words the error.
pub(super) fn prepared(m: &Members<'_>, keep: Keep) -> Option<Prepared> {
    let numbers = keep == Keep::Numbers;
    Some(match m.kind()? {
        Value::Str("change") => {
            let mut raw = RawChange::scanned(m)?;
            if numbers {
                (raw.title, raw.url) = (None, None);
            }
            Prepared::Change(record(raw).ok()?)
        }
        Value::Str("deployment") => {
            let mut raw = RawDeployment::scanned(m)?;
            if numbers {
                raw.url = None;
            }
            Prepared::Deployment(line(raw).ok()?)
        }
        _ => return None,
    })
}

fn record(raw: RawChange<'_>) -> Result<ChangeRecord, String> {
    // A url or a revert makes the names all but unique: the set as read would
    // only fill the table. They go the way of any event.
    if raw.url.is_some() || raw.reverts.is_some() {
        return raw.into_model().map(ChangeRecord::new);
    }
    let lines = raw.lines()?;
    let (at, [opened, first_review, merged]) = raw.times()?;
    let names = names::change_names(&raw.service, raw.team.as_deref(), raw.author.as_deref());
    let mut record = ChangeRecord::with_names(id(&raw.id), at, ot(&raw.title), lines, names);
    (record.opened, record.first_review, record.merged) = (opened, first_review, merged);
    Ok(record)
}

fn line(raw: RawDeployment<'_>) -> Result<PreparedLine, String> {
    let at = time("time", &raw.time)?;
    let place = match &raw.url {
        None => names::place(
            raw.environment.as_deref(),
            raw.region.as_deref(),
            raw.stage.as_deref(),
        ),
        Some(url) => LinePlace {
            environment: on(&raw.environment),
            region: on(&raw.region),
            stage: on(&raw.stage),
            url: Some(t(url)),
        }
        .shared(),
    };
    Ok(PreparedLine {
        id: id(&raw.id),
        names: names::deployment_names(&raw.service, raw.team.as_deref()),
        hotfix: raw.hotfix.unwrap_or(false),
        changes: raw.changes.unwrap_or_default().iter().map(id).collect(),
        line: DeploymentLine::at(at, raw.status, place),
    })
}
