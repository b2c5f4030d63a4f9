//! The Findings screen's read-back table: open findings per team by severity
//! for the teams a `scorecards` source reads back from the exporters. Counts
//! only (the findings themselves stay with the shard that serves each team),
//! so the table names where they were read and which shard serves the team.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

use crate::app::screen::Ctx;
use crate::metrics::posture_remote::RemoteFindings;
use crate::model::Severity;
use crate::store::Snapshot;
use crate::ui::screens::findings::severity_style;
use crate::ui::widgets::fitted_table::{self, Col, FitRow, KEEP};

/// Rows of the table on a screen `area` tall: none without read-back teams,
/// else up to a quarter of the screen (the rest counted on its border).
pub fn height(snapshot: &Snapshot, area: Rect) -> u16 {
    let n = snapshot.views.remote_findings.len();
    if n == 0 {
        return 0;
    }
    (u16::try_from(n).unwrap_or(u16::MAX).saturating_add(3))
        .min(area.height / 4)
        .max(4)
}

const COLUMNS: [Col; 9] = [
    Col::name("TEAM", 8, KEEP),
    Col::whole("OPEN", KEEP),
    Col::whole("CRIT", 13),
    Col::whole("HIGH", 11),
    Col::whole("MED", 9),
    Col::whole("LOW", 7),
    Col::whole("INFO", 6),
    Col::whole("SHARD", 5),
    Col::text("SERVED BY", 9, 4),
];

/// The table, when there is room and a team was read back.
pub fn draw(frame: &mut Frame, area: Rect, ctx: &Ctx) {
    let th = &ctx.theme;
    let rows = &ctx.snapshot.views.remote_findings;
    if area.height == 0 || rows.is_empty() {
        return;
    }
    let block = Block::bordered().title(Span::styled(title(rows), th.title));
    let room = block.inner(area).height.saturating_sub(1) as usize;
    let shown = rows.len().min(room);
    let body: Vec<FitRow> = rows
        .iter()
        .take(shown)
        .map(|r| FitRow {
            cells: cells(th, r),
            style: Style::new(),
        })
        .collect();
    let block = match rows.len() - shown {
        0 => block,
        hidden => block.title_bottom(Span::styled(format!(" +{hidden} more "), th.warn)),
    };
    fitted_table::draw(frame, area, block, (&COLUMNS, th.header), body);
}

/// ` Read back from ORIGIN · 3 teams, 12 open · counts only: the findings stay with their shards `.
pub fn title(rows: &[RemoteFindings]) -> String {
    let open: u64 = rows.iter().map(|r| r.open_total).sum();
    let mut origins: Vec<&str> = rows.iter().map(|r| &*r.origin).collect();
    origins.sort_unstable();
    origins.dedup();
    let from = match origins.as_slice() {
        [one] => (*one).to_string(),
        [first, rest @ ..] => format!("{first} +{} more", rest.len()),
        [] => String::new(),
    };
    format!(
        " Read back from {from} · {} · {open} open · counts only: the findings stay with their shards ",
        crate::util::format::plural(rows.len(), "team")
    )
}

/// After the Findings summary's local counts: `11 open read back (2 critical)  `.
pub fn summary(th: &crate::app::theme::Theme, snapshot: &Snapshot) -> Option<Span<'static>> {
    let rows = &snapshot.views.remote_findings;
    if rows.is_empty() {
        return None;
    }
    let open: u64 = rows.iter().map(|r| r.open_total).sum();
    let critical: u64 = rows.iter().map(|r| r.open[0]).sum();
    let style = if critical > 0 { th.alert } else { th.dim };
    Some(Span::styled(
        format!("{open} open read back ({critical} critical)  "),
        style,
    ))
}

/// Why the list has no finding while teams were read back.
pub fn empty_note(snapshot: &Snapshot) -> Option<String> {
    let n = snapshot.views.remote_findings.len();
    (n > 0).then(|| {
        format!(
            " No findings read here: the {} read back list counts only (above); their findings stay with their shards.",
            crate::util::format::plural(n, "team")
        )
    })
}

fn cells(th: &crate::app::theme::Theme, r: &RemoteFindings) -> Vec<Line<'static>> {
    let count = |n: u64, style: Style| {
        Line::from(Span::styled(
            n.to_string(),
            if n > 0 { style } else { th.dim },
        ))
    };
    vec![
        Line::from(r.team.to_string()),
        Line::from(r.open_total.to_string()),
        count(r.open[0], severity_style(th, Severity::Critical)),
        count(r.open[1], severity_style(th, Severity::High)),
        count(r.open[2], severity_style(th, Severity::Medium)),
        count(r.open[3], Style::default()),
        count(r.open[4], severity_style(th, Severity::Info)),
        Line::from(if r.shard > 0 {
            r.shard.to_string()
        } else {
            "-".to_string()
        }),
        Line::from(Span::styled(r.instance.to_string(), th.dim)),
    ]
}
