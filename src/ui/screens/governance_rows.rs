//! What the Governance screen's `/` filter and `o` sort read of each row:
//! a contract's state word, fields and sort keys, an account component's
//! fields.

use crate::app::list_filter::Field;
use crate::app::list_sort::SortKey;
use crate::metrics::governance::{AccountDrift, ContractState, Governance};

/// A contract's state in one word: a violation, held at the gate, stalled,
/// done, or in flight.
pub fn contract_state(g: &Governance, c: &ContractState) -> &'static str {
    if c.violation.is_some() {
        "VIOLATION"
    } else if g.held.iter().any(|h| h.contract == c.id) {
        "HELD"
    } else if c.stalled {
        "stalled"
    } else if c.step == 3 {
        "done"
    } else {
        "in flight"
    }
}

/// A contract's fields for the filter: its team, state, id and the consumers
/// it waits on.
pub fn contract_fields<'a>(g: &Governance, c: &'a ContractState) -> Vec<(Field, &'a str)> {
    let mut f = vec![
        (Field::Team, &*c.team),
        (Field::Status, contract_state(g, c)),
        (Field::Text, &*c.id),
    ];
    f.extend(c.waiting().map(|w| (Field::Text, &**w)));
    f
}

/// A contract's value in sortable column `col`.
pub fn contract_key<'a>(g: &Governance, c: &'a ContractState, col: usize) -> SortKey<'a> {
    match col {
        0 => SortKey::Text(contract_state(g, c)),
        1 => SortKey::Text(&c.id),
        2 => SortKey::Text(&c.team),
        3 => SortKey::Number(Some(f64::from(c.step))),
        _ => SortKey::Number(Some(c.age.num_seconds() as f64)),
    }
}

/// A component's fields for the filter: the account's team, the component's
/// state (drifted, override, behind or current), the account and component.
pub fn component_fields(a: &AccountDrift, c: usize) -> Vec<(Field, &str)> {
    let Some(comp) = a.components.get(c) else {
        return vec![];
    };
    let state = if comp.drifted() {
        "drifted"
    } else if comp.override_reason.is_some() {
        "override"
    } else if comp.behind > 0 {
        "behind"
    } else {
        "current"
    };
    vec![
        (Field::Team, &*a.team),
        (Field::Status, state),
        (Field::Text, &*a.account),
        (Field::Text, &*comp.component),
    ]
}
