//! The Overview's legend line: the tiers in their styles, then what the
//! arrows, AUDIT and GOV mean, each part whole or left out, most needed first.

use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::theme::Theme;
use crate::metrics::Tier;

/// The legend; `gov` explains the GOV column where the line has room.
pub fn legend(th: &Theme, (audit, gov): (bool, bool), width: u16) -> Paragraph<'static> {
    let bw = th.better_worse_legend();
    // In the order shown; each goes whole or not at all, the most needed first
    // (what the arrows and their styles mean, in a shorter wording if need be).
    let parts: [(u8, Vec<String>); 5] = [
        (
            1,
            vec![
                format!(" · ↑↓ vs previous window ({bw})"),
                format!(" · ↑↓ vs before ({bw})"),
            ],
        ),
        (2, vec![" · AUDIT !n past SLA".into()]),
        (3, vec![" · GOV violations/stalled/drifted".into()]),
        // The status bar names Enter too.
        (5, vec![" · Enter details".into()]),
        (4, vec![" · [ ] window".into()]),
    ];
    let tiers = [
        (" elite", Tier::Elite),
        (" high", Tier::High),
        (" medium", Tier::Medium),
        (" low", Tier::Low),
    ];
    let mut room = (width as usize).saturating_sub(tiers.iter().map(|(t, _)| t.len()).sum());
    let mut chosen: [Option<&str>; 5] = [None; 5];
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&i| parts[i].0);
    for i in order {
        let wanted = match i {
            1 => audit,
            2 => gov,
            _ => true,
        };
        if let Some(t) = parts[i]
            .1
            .iter()
            .find(|t| wanted && crate::util::text::width(t) <= room)
        {
            room -= crate::util::text::width(t);
            chosen[i] = Some(t);
        }
    }
    let mut spans: Vec<Span<'static>> = tiers
        .iter()
        .map(|(t, tier)| Span::styled(*t, th.tier(Some(*tier))))
        .collect();
    spans.extend(
        chosen
            .iter()
            .flatten()
            .map(|t| Span::styled(t.to_string(), th.dim)),
    );
    Paragraph::new(Line::from(spans))
}
