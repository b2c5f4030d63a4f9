//! Applying many events at once ([`Records::apply_all`]): the positions of the
//! ids the next few dozen deployment lines name are looked up first, in one
//! tight loop, so that the lookups' cache misses overlap instead of each
//! waiting on the one before (the lookups were most of a large read's apply).

use super::{Records, Touch};
use crate::model::prepared::Prepared;

/// Events looked up ahead of being applied: enough for the misses to overlap,
/// few enough that what they bring stays in cache until it is applied.
const AHEAD: usize = 64;

impl Records {
    /// Applies `events` in order, exactly as [`Records::apply_prepared`] one
    /// at a time does, handing each one's touch to `note`.
    pub fn apply_all(
        &mut self,
        events: impl IntoIterator<Item = Prepared>,
        mut note: impl FnMut(Touch),
    ) {
        let mut events = events.into_iter();
        let mut ahead: Vec<Prepared> = Vec::with_capacity(AHEAD);
        let mut found: Vec<Option<usize>> = Vec::new();
        loop {
            ahead.extend(events.by_ref().take(AHEAD));
            if ahead.is_empty() {
                return;
            }
            found.clear();
            for e in &ahead {
                if let Prepared::Deployment(d) = e {
                    // An id not found yet may be added before its line is
                    // applied (by a line just ahead): `None` is looked up again.
                    found.push(self.deployment(&d.id));
                    found.extend(d.changes.iter().map(|c| self.change(c)));
                }
            }
            let mut positions = found.iter().copied();
            for e in ahead.drain(..) {
                note(self.apply_found(e, &mut positions));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::records::tests::{change, line_of as line};

    /// Ids read, listed and added within one look-ahead and across several
    /// give the records and touches that one event at a time gives.
    #[test]
    fn looking_ahead_applies_exactly_as_one_at_a_time() {
        let mut events = Vec::new();
        for n in 0..300 {
            // A change listed before it is read, then read; a deployment whose
            // lines fall in one look-ahead and in the next; a change listed
            // twice and by two deployments.
            events.push(line(
                &format!("d{n}"),
                &[&format!("c{}", n + 1), &format!("c{n}")],
            ));
            events.push(change(&format!("c{}", n + 1)));
            events.push(line(
                &format!("d{n}"),
                &[&format!("c{n}"), &format!("c{n}")],
            ));
            events.push(line(&format!("d{}", n / 2), &[&format!("c{}", n / 3)]));
        }
        let prepared: Vec<Prepared> = events.into_iter().map(Prepared::new).collect();
        let mut one = Records::default();
        let one_touches: Vec<Touch> = (prepared.iter().cloned())
            .map(|e| one.apply_prepared(e))
            .collect();
        let mut all = Records::default();
        let mut all_touches = Vec::new();
        all.apply_all(prepared, |t| all_touches.push(t));
        assert_eq!(all_touches, one_touches);
        assert!(all.deployments == one.deployments, "deployments differ");
        assert!(all.changes == one.changes, "changes differ");
        assert_eq!(all.deployment_lines, one.deployment_lines);
        let d0 = &all.deployments[all.deployment("d0").unwrap()];
        assert_eq!(all.listed_ids(d0).collect::<Vec<_>>(), ["c1", "c0"]);
        assert_eq!(all.deployments.len(), 300);
    }
}
