//! A table whose columns are fitted to the width by one rule for every screen:
//! numbers and ids are never cut (when they do not fit, a column is dropped
//! whole, lowest priority first); names may shrink to a minimum and end in an
//! ellipsis; the spare width goes to the text columns (titles), not to the
//! first column.

use ratatui::layout::Constraint;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table};

use crate::util::text::{truncate, width};

/// How a column may give up width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Numbers, ids, states: shown whole or not at all.
    Whole,
    /// Names: shrink down to `min` columns, with an ellipsis.
    Name { min: u16 },
    /// Titles and free text: at least `min`, and every spare column.
    Text { min: u16 },
}

#[derive(Debug, Clone, Copy)]
pub struct Col {
    pub head: &'static str,
    /// After the header: the sort arrow (`▲`, `▼`) of the sorted column.
    pub mark: &'static str,
    pub kind: Kind,
    /// Columns are dropped lowest first when even their minimum does not fit;
    /// [`KEEP`] is never dropped.
    pub priority: u8,
}

impl Col {
    /// A number, id or state: whole or dropped.
    pub const fn whole(head: &'static str, priority: u8) -> Self {
        Self {
            head,
            mark: "",
            kind: Kind::Whole,
            priority,
        }
    }

    /// A name: shrinks to `min` columns with an ellipsis.
    pub const fn name(head: &'static str, min: u16, priority: u8) -> Self {
        Self {
            head,
            mark: "",
            kind: Kind::Name { min },
            priority,
        }
    }

    /// Free text: at least `min` columns, and the spare ones.
    pub const fn text(head: &'static str, min: u16, priority: u8) -> Self {
        Self {
            head,
            mark: "",
            kind: Kind::Text { min },
            priority,
        }
    }
}

impl Col {
    /// The same column with `mark` after its header.
    pub const fn marked(self, mark: &'static str) -> Self {
        Self { mark, ..self }
    }

    fn head_width(&self) -> usize {
        width(self.head) + width(self.mark)
    }
}

/// The priority of a column that is never dropped (the row's identity).
pub const KEEP: u8 = u8::MAX;

/// Space between columns.
pub const SPACING: u16 = 1;

/// One row: its cells (one line per column) and the row's style.
pub struct FitRow {
    pub cells: Vec<Line<'static>>,
    pub style: Style,
}

impl FitRow {
    /// A row in the `selected` style when it is the selected one.
    pub fn marked(cells: Vec<Line<'static>>, is_selected: bool, selected: Style) -> Self {
        let style = if is_selected { selected } else { Style::new() };
        Self { cells, style }
    }
}

/// The fitted table of `rows` under `cols`, in `block`, drawn over `area`.
pub fn draw(
    frame: &mut ratatui::Frame,
    area: ratatui::layout::Rect,
    block: ratatui::widgets::Block<'static>,
    (cols, head): (&[Col], Style),
    rows: Vec<FitRow>,
) {
    let inner = block.inner(area).width;
    frame.render_widget(table(cols, head, rows, inner).block(block), area);
}

/// `line` in at most `w` columns: whole when it fits, else its text cut with
/// an ellipsis in its first span's style.
fn fit_line(line: Line<'static>, w: u16) -> Line<'static> {
    if line.width() <= w as usize {
        return line;
    }
    let style = line.spans.first().map(|s| s.style).unwrap_or_default();
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    Line::from(Span::styled(truncate(&text, w as usize), style))
}

/// The width each column gets in `avail` columns, `None` for a dropped one.
/// A name is not shortened to keep a column of lower priority: that column
/// is dropped first.
pub fn widths(cols: &[Col], natural: &[u16], avail: u16) -> Vec<Option<u16>> {
    let mut dropped: Vec<usize> = Vec::new();
    loop {
        let out = fit(cols, natural, avail, &dropped);
        let short = cols.iter().enumerate().filter(|(i, c)| {
            matches!(c.kind, Kind::Name { .. }) && out[*i].is_some_and(|w| w < natural[*i])
        });
        let Some(top) = short.map(|(_, c)| c.priority).max() else {
            return out;
        };
        let lower = (0..cols.len())
            .filter(|&i| out[i].is_some() && cols[i].priority < top)
            .min_by_key(|&i| (cols[i].priority, std::cmp::Reverse(i)));
        match lower {
            Some(i) => dropped.push(i),
            None => return out,
        }
    }
}

/// [`widths`] with the columns in `dropped` left out from the start.
/// `natural[i]` is the widest cell of column `i`; a whole column's header is
/// whole too, a name's or a text's is cut with its values.
fn fit(cols: &[Col], natural: &[u16], avail: u16, dropped: &[usize]) -> Vec<Option<u16>> {
    let need = |i: usize| match cols[i].kind {
        Kind::Whole => natural[i].max(cols[i].head_width() as u16).max(1),
        Kind::Name { min } | Kind::Text { min } => min.min(natural[i].max(1)),
    };
    let mut kept: Vec<usize> = (0..cols.len()).filter(|i| !dropped.contains(i)).collect();
    let total = |kept: &[usize]| -> u32 {
        kept.iter().map(|&i| u32::from(need(i))).sum::<u32>()
            + u32::from(SPACING) * kept.len().saturating_sub(1) as u32
    };
    while total(&kept) > u32::from(avail) {
        let Some(pos) = kept
            .iter()
            .enumerate()
            .filter(|(_, i)| cols[**i].priority != KEEP)
            .min_by_key(|(n, i)| (cols[**i].priority, std::cmp::Reverse(*n)))
            .map(|(n, _)| n)
        else {
            break;
        };
        kept.remove(pos);
    }
    let mut out: Vec<Option<u16>> = vec![None; cols.len()];
    for &i in &kept {
        out[i] = Some(need(i));
    }
    let mut spare = u32::from(avail).saturating_sub(total(&kept));
    // Spare width: names up to their longest value, then headers in full,
    // then every remaining column to the text columns.
    let grow = |i: usize, to: u16, spare: &mut u32, out: &mut Vec<Option<u16>>| {
        if let Some(w) = out[i] {
            let add = u32::from(to.saturating_sub(w)).min(*spare);
            out[i] = Some(w + add as u16);
            *spare -= add;
        }
    };
    for &i in &kept {
        if matches!(cols[i].kind, Kind::Name { .. }) {
            grow(i, natural[i], &mut spare, &mut out);
        }
    }
    for &i in &kept {
        let head = cols[i].head_width() as u16;
        grow(i, natural[i].max(head), &mut spare, &mut out);
    }
    let texts: Vec<usize> = kept
        .iter()
        .copied()
        .filter(|&i| matches!(cols[i].kind, Kind::Text { .. }))
        .collect();
    for (n, &i) in texts.iter().enumerate() {
        let share = spare / (texts.len() - n) as u32;
        let w = out[i].unwrap_or(0);
        out[i] = Some(w.saturating_add(share.min(u32::from(u16::MAX - w)) as u16));
        spare -= share;
    }
    out
}

/// The table of `rows` under `cols` fitted to `avail` columns.
pub fn table(cols: &[Col], head: Style, rows: Vec<FitRow>, avail: u16) -> Table<'static> {
    let mut natural: Vec<u16> = vec![0; cols.len()];
    for r in &rows {
        for (n, c) in r.cells.iter().enumerate().take(cols.len()) {
            natural[n] = natural[n].max(c.width() as u16);
        }
    }
    let fitted = widths(cols, &natural, avail);
    let kept: Vec<(usize, u16)> = fitted
        .iter()
        .enumerate()
        .filter_map(|(i, w)| w.map(|w| (i, w)))
        .collect();
    let header = Row::new(kept.iter().map(|&(i, w)| {
        let text = format!("{}{}", cols[i].head, cols[i].mark);
        Cell::from(truncate(&text, w as usize)).style(head)
    }));
    let body = rows.into_iter().map(move |r| {
        let cells: Vec<Cell<'static>> = kept
            .iter()
            .map(|&(i, w)| Cell::from(fit_line(r.cells.get(i).cloned().unwrap_or_default(), w)))
            .collect();
        Row::new(cells).style(r.style)
    });
    let constraints: Vec<Constraint> = fitted
        .iter()
        .flatten()
        .map(|&w| Constraint::Length(w))
        .collect();
    Table::new(body.collect::<Vec<_>>(), constraints)
        .header(header)
        .column_spacing(SPACING)
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn col(head: &'static str, kind: Kind, priority: u8) -> Col {
        Col {
            head,
            mark: "",
            kind,
            priority,
        }
    }

    #[test]
    fn numbers_are_dropped_whole_names_shrink_and_text_takes_the_rest() {
        let cols = [
            col("ID", Kind::Whole, KEEP),
            col("TEAM", Kind::Name { min: 4 }, 5),
            col("N", Kind::Whole, 1),
            col("TITLE", Kind::Text { min: 5 }, 3),
        ];
        let natural = [10, 12, 3, 30];
        // Everything fits: names in full, the rest to the title.
        assert_eq!(
            widths(&cols, &natural, 80),
            [Some(10), Some(12), Some(3), Some(52)]
        );
        // Tight: columns of lower priority than the name go before the
        // name is shortened.
        assert_eq!(
            widths(&cols, &natural, 26),
            [Some(10), Some(12), None, None]
        );
        // Tighter: with nothing lower left to drop, the name shrinks.
        assert_eq!(
            widths(&cols, &natural, 21),
            [Some(10), Some(10), None, None]
        );
        // A name of lower priority than the rest shrinks and keeps them.
        let mut humble = cols;
        humble[1].priority = 0;
        assert_eq!(
            widths(&humble, &natural, 26),
            [Some(10), Some(5), Some(3), Some(5)]
        );
        // The identity is kept even when nothing else fits.
        assert_eq!(widths(&cols, &natural, 8)[0], Some(10));
    }
}
