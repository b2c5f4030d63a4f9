//! The Governance screen's accounts table: each account's components against
//! the standard stack (version, latest, how far behind and since when, the
//! declared override), grouped by account.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

use crate::app::theme::Theme;
use crate::metrics::governance::{AccountDrift, Governance};
use crate::ui::widgets::fitted_table::{self, Col, FitRow, KEEP};
use crate::ui::widgets::scroll;
use crate::util::format;

/// Accounts x components: account, team, component, version, latest, behind,
/// since when, override reason.
const ACCOUNT_COLUMNS: [Col; 8] = [
    Col::whole("ACCOUNT", KEEP),
    Col::name("TEAM", 6, 4),
    Col::name("COMPONENT", 8, KEEP),
    Col::whole("VERSION", KEEP),
    Col::whole("LATEST", 5),
    Col::whole("BEHIND", KEEP),
    Col::whole("SINCE", 3),
    Col::text("OVERRIDE", 8, 2),
];

pub fn table(
    frame: &mut Frame,
    area: Rect,
    th: &Theme,
    (g, filtered): (&Governance, &str),
    rows: &[(usize, usize)],
    selected: Option<usize>,
) {
    let drifted = g.accounts.iter().filter(|a| a.drifted > 0).count();
    let block = Block::bordered().title(Span::styled(crate::ui::fit_title(&format!(
            " Accounts · {} · {drifted} drifted from the standard stack{filtered} · Enter opens ",
            format::plural(g.accounts.len(), "account")
        ), area.width),
        th.title,
    ));
    let height = block.inner(area).height.saturating_sub(1) as usize;
    let offset = selected.map_or(0, |s| scroll::offset(s, height));
    let fit: Vec<FitRow> = rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .filter_map(|(n, &(a, c))| {
            let account = g.accounts.get(a)?;
            let first = n == offset || rows.get(n.wrapping_sub(1)).is_none_or(|p| p.0 != a);
            Some(FitRow::marked(
                component_cells(th, account, c, first)?,
                Some(n) == selected,
                th.selected,
            ))
        })
        .collect();
    fitted_table::draw(frame, area, block, (&ACCOUNT_COLUMNS, th.header), fit);
}

fn component_cells(
    th: &Theme,
    a: &AccountDrift,
    c: usize,
    first: bool,
) -> Option<Vec<Line<'static>>> {
    let comp = a.components.get(c)?;
    let name = |s: String| if first { s } else { String::new() };
    let behind_style = if comp.drifted() {
        th.alert
    } else if comp.behind > 0 {
        th.dim
    } else {
        th.ok
    };
    Some(vec![
        Line::from(name(a.account.to_string())),
        Line::from(name(a.team.to_string())),
        Line::from(comp.component.to_string()),
        Line::from(comp.version.as_deref().unwrap_or("missing").to_string()),
        Line::from(comp.latest.as_deref().unwrap_or("-").to_string()),
        Line::from(Span::styled(comp.behind.to_string(), behind_style)),
        Line::from(comp.since.map_or("-".to_string(), |s| {
            let days = comp.days_behind.unwrap_or(0.0).floor().max(0.0);
            format!("{days:.0}d ({})", s.format("%Y-%m-%d"))
        })),
        Line::from(comp.override_reason.as_deref().unwrap_or("").to_string()),
    ])
}
