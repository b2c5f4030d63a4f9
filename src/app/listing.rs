//! A list screen's `/` filter and `o`/`O` sort, and what of them is kept
//! between runs: one piece that every filtered list screen holds, so that the
//! keys, the saved line and the title read the same on each.

use crate::app::Action;
use crate::app::list_filter::{Edit, Field, ListFilter, Query};
use crate::app::list_sort::{self, ColumnSort};

#[derive(Debug, Clone)]
pub struct Listing {
    pub filter: ListFilter,
    pub sort: ColumnSort,
    /// The `key:` words the filter takes.
    keys: &'static [Field],
    /// The sortable columns' names (saved by name, shown in the title).
    columns: &'static [&'static str],
}

/// What a key did to the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKey {
    /// Not a filter or sort key.
    Pass,
    /// The prompt changed on screen; the rows did not.
    Redraw,
    /// The rows must be built again: the filter changed (`refiltered`) or the sort.
    Rebuild { refiltered: bool },
}

impl Listing {
    pub fn new(keys: &'static [Field], columns: &'static [&'static str]) -> Self {
        Self {
            filter: ListFilter::default(),
            sort: ColumnSort::default(),
            keys,
            columns,
        }
    }

    /// The filter takes the key first (an open prompt takes every key it
    /// types), then `o`/`O` sort.
    pub fn key(&mut self, action: Action) -> ListKey {
        match self.filter.key(action, self.keys) {
            Edit::Pass => {}
            Edit::Redraw => return ListKey::Redraw,
            Edit::Refilter => return ListKey::Rebuild { refiltered: true },
        }
        match self.sort.key(action, self.columns.len()) {
            Some(sort) => {
                self.sort = sort;
                ListKey::Rebuild { refiltered: false }
            }
            None => ListKey::Pass,
        }
    }

    pub fn query(&self) -> &Query {
        &self.filter.query
    }

    /// The open prompt's text.
    pub fn prompt(&self) -> Option<&str> {
        self.filter.prompt.as_deref()
    }

    /// The prompt's hint in `room` columns (see [`ListFilter::hint`]).
    pub fn hint(&self, room: usize) -> (String, bool) {
        self.filter.hint(self.keys, room)
    }

    /// The sort and the filter's text, as one line kept between runs.
    pub fn saved(&self) -> String {
        list_sort::saved(self.sort, self.columns, &self.filter.query.text)
    }

    /// Takes back [`Listing::saved`]'s line.
    pub fn restore(&mut self, text: &str) {
        let (sort, filter) = list_sort::restore(text, self.columns);
        self.sort = sort;
        self.filter.restore(filter, self.keys);
    }

    /// What the title says of the filter (`shown` of `total`) and the sort;
    /// `reversed` names the screen's own order read backwards.
    pub fn title(&self, shown: usize, total: usize, reversed: &str) -> String {
        self.filter.title(shown, total) + &self.sort.title(self.columns, reversed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_keys_then_sort_keys_and_the_saved_line_comes_back() {
        let mut l = Listing::new(&[Field::Team], &["team", "age"]);
        assert_eq!(
            l.key(Action::SortNext),
            ListKey::Rebuild { refiltered: false }
        );
        assert_eq!(l.key(Action::Filter), ListKey::Redraw);
        // In the prompt, `o` is typed, not a sort.
        assert_eq!(
            l.key(Action::Type('o')),
            ListKey::Rebuild { refiltered: true }
        );
        assert_eq!(l.prompt(), Some("o"));
        assert_eq!(l.key(Action::Open), ListKey::Redraw);
        assert_eq!(l.key(Action::Down), ListKey::Pass);
        let saved = l.saved();
        let mut back = Listing::new(&[Field::Team], &["team", "age"]);
        back.restore(&saved);
        assert_eq!(back.query().text, "o");
        assert_eq!(back.sort, l.sort);
        assert_eq!(back.title(1, 3, "reversed"), l.title(1, 3, "reversed"));
        assert!(back.title(1, 3, "reversed").starts_with(" · /o 1 of 3"));
    }
}
