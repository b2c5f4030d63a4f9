//! The column sort every table shares: `o` sorts by the next column (after the
//! last: the screen's own order again), `O` reverses, the header marks the
//! column ▲ or ▼ and the title says it. Pure: a screen names its columns and
//! gives each row's key for a column; the rows are sorted on a key or a
//! refresh, never while drawing.

use std::cmp::Ordering;

use super::Action;

/// The sort in force: `col` is an index into the screen's sortable columns;
/// `None` is the screen's own order (reversed by `O` too).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ColumnSort {
    pub col: Option<usize>,
    pub descending: bool,
}

/// A row's value in the sorted column: text, or a number where a missing
/// value sorts last in both directions (a team without a lead time is not the
/// fastest one).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub enum SortKey<'a> {
    Text(&'a str),
    Number(Option<f64>),
}

impl ColumnSort {
    /// `o` and `O` on a screen with `columns` sortable columns; `None` for any
    /// other action.
    pub fn key(self, action: Action, columns: usize) -> Option<Self> {
        match action {
            Action::SortNext => Some(self.next(columns)),
            Action::SortReverse => Some(self.reversed()),
            _ => None,
        }
    }

    /// The next column, ascending; after the last, the screen's own order.
    pub fn next(self, columns: usize) -> Self {
        let col = match self.col {
            None => Some(0).filter(|_| columns > 0),
            Some(c) => Some(c + 1).filter(|&n| n < columns),
        };
        Self {
            col,
            descending: false,
        }
    }

    /// The other direction.
    pub fn reversed(self) -> Self {
        Self {
            descending: !self.descending,
            ..self
        }
    }

    /// The header arrow of sortable column `i`.
    pub fn mark(self, i: usize) -> &'static str {
        match self.col {
            Some(c) if c == i && self.descending => "▼",
            Some(c) if c == i => "▲",
            _ => "",
        }
    }

    /// What the title says, e.g. ` · sorted by lead time ▲`; on the screen's
    /// own order reversed, ` · {reversed}`.
    pub fn title(self, names: &[&str], reversed: &str) -> String {
        let arrow = if self.descending { "▼" } else { "▲" };
        match self.col.and_then(|c| names.get(c)) {
            Some(name) => format!(" · sorted by {name} {arrow}"),
            None if self.descending => format!(" · {reversed}"),
            None => String::new(),
        }
    }

    /// The sort as kept between runs: the column's name (`lead time`, empty
    /// for the screen's order) and `:desc` when reversed. A name, not a
    /// position, so that a column added later does not move a saved sort.
    pub fn saved(self, names: &[&str]) -> String {
        let name = self.col.and_then(|c| names.get(c)).copied().unwrap_or("");
        format!("{name}{}", if self.descending { ":desc" } else { "" })
    }

    /// Reads [`ColumnSort::saved`], and the column numbers (`3v`, `-`) that
    /// earlier versions saved; anything else is the default.
    pub fn restore(text: &str, names: &[&str]) -> Self {
        if let Some(by_name) = Self::by_name(text, names) {
            return by_name;
        }
        let (col, descending) = match text.strip_suffix('v') {
            Some(c) => (c, true),
            None => (text, false),
        };
        let col = col.parse::<usize>().ok().filter(|&c| c < names.len());
        Self { col, descending }
    }

    fn by_name(text: &str, names: &[&str]) -> Option<Self> {
        let (name, descending) = match text.strip_suffix(":desc") {
            Some(n) => (n, true),
            None => (text, false),
        };
        let col = match name {
            "" => None,
            _ => Some(names.iter().position(|n| *n == name)?),
        };
        Some(Self { col, descending })
    }

    /// Sorts `rows` (already in the screen's own order) by the column:
    /// stable, so ties keep the screen's order.
    pub fn apply<'a, T>(self, rows: &mut [T], key: impl Fn(&T, usize) -> SortKey<'a>) {
        match self.col {
            None if self.descending => rows.reverse(),
            None => {}
            Some(col) => rows.sort_by(|a, b| {
                let (ka, kb) = (key(a, col), key(b, col));
                let missing = |k: &SortKey| matches!(k, SortKey::Number(None));
                match (missing(&ka), missing(&kb)) {
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    _ => {
                        let o = compare(ka, kb);
                        if self.descending { o.reverse() } else { o }
                    }
                }
            }),
        }
    }
}

/// Text compares without regard to case (`Billing` next to `billing`).
fn compare(a: SortKey, b: SortKey) -> Ordering {
    match (a, b) {
        (SortKey::Text(a), SortKey::Text(b)) => {
            let lower = |s: &str| s.chars().flat_map(char::to_lowercase).collect::<String>();
            if a.is_ascii() && b.is_ascii() {
                let (a, b) = (a.bytes(), b.bytes());
                a.map(|c| c.to_ascii_lowercase())
                    .cmp(b.map(|c| c.to_ascii_lowercase()))
            } else {
                lower(a).cmp(&lower(b))
            }
        }
        _ => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

/// What a list screen keeps between runs: its sort (by the column's name in
/// `names`) and its filter's text, tab-separated.
pub fn saved(sort: ColumnSort, names: &[&str], filter: &str) -> String {
    format!("{}\t{filter}", sort.saved(names))
}

/// Reads [`saved`]: the sort and the filter's text. A line without a tab is a
/// filter alone (what these screens saved before they sorted).
pub fn restore<'a>(text: &'a str, names: &[&str]) -> (ColumnSort, &'a str) {
    match text.split_once('\t') {
        Some((sort, filter)) => (ColumnSort::restore(sort, names), filter),
        None => (ColumnSort::default(), text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn o_cycles_the_columns_then_returns_to_the_screens_order() {
        let mut s = ColumnSort::default();
        let seen: Vec<Option<usize>> = (0..3)
            .map(|_| {
                s = s.next(3);
                s.col
            })
            .collect();
        assert_eq!(seen, [Some(0), Some(1), Some(2)]);
        assert_eq!(s.next(3), ColumnSort::default());
        let s = ColumnSort {
            col: Some(1),
            descending: false,
        };
        assert_eq!((s.mark(1), s.mark(0)), ("▲", ""));
        assert_eq!(s.reversed().mark(1), "▼");
        assert_eq!(
            s.title(&["team", "age"], "oldest first"),
            " · sorted by age ▲"
        );
        assert_eq!(
            ColumnSort::default()
                .reversed()
                .title(&["team"], "oldest first"),
            " · oldest first"
        );
        let names = ["team", "age"];
        assert_eq!(s.reversed().saved(&names), "age:desc");
        assert_eq!(ColumnSort::restore("age:desc", &names), s.reversed());
        assert_eq!(
            ColumnSort::restore(":desc", &names),
            ColumnSort::default().reversed()
        );
        // What earlier versions saved: the column's number.
        assert_eq!(ColumnSort::restore("1v", &names), s.reversed());
        assert_eq!(ColumnSort::restore("7", &names), ColumnSort::default());
        assert_eq!(ColumnSort::restore("nosuch", &names), ColumnSort::default());
        assert_eq!(restore("pay", &names), (ColumnSort::default(), "pay"));
        assert_eq!(
            restore(&saved(s, &names, "team:a b"), &names),
            (s, "team:a b")
        );
    }

    #[test]
    fn missing_numbers_sort_last_both_ways_and_ties_keep_their_order() {
        let rows = [
            ("b", Some(2.0)),
            ("a", None),
            ("C", Some(1.0)),
            ("d", Some(2.0)),
        ];
        let key = |r: &(&'static str, Option<f64>), col: usize| match col {
            0 => SortKey::Text(r.0),
            _ => SortKey::Number(r.1),
        };
        let sorted = |sort: ColumnSort| {
            let mut v = rows.to_vec();
            sort.apply(&mut v, key);
            v.iter().map(|r| r.0).collect::<Vec<_>>().join("")
        };
        let by = |col, descending| ColumnSort {
            col: Some(col),
            descending,
        };
        assert_eq!(sorted(by(1, false)), "Cbda");
        assert_eq!(sorted(by(1, true)), "bdCa");
        assert_eq!(sorted(by(0, false)), "abCd", "text ignores case");
        assert_eq!(sorted(ColumnSort::default().reversed()), "dCab");
    }
}
