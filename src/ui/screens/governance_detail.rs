//! The Governance screen's drill-downs: one contract (its consumers, every
//! step with its deployment and what became of it, the violation or the gate
//! that holds it) and one account (each component against the standard).

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::app::screen::Ctx;
use crate::app::theme::Theme;
use crate::metrics::governance::{ContractState, StepNote};
use crate::model::Text;
use crate::ui::screens::detail::{DetailKind, DetailPage};
use crate::util::format;

/// One contract, by id.
pub static CONTRACT: DetailKind = DetailKind {
    name: "Contract",
    lines: contract_lines,
    title: |id| format!(" Contract {id} · j k scroll · Esc back "),
    missing: |id| format!(" No contract {id} started by now. Esc goes back."),
    crumb: |id| id.to_string(),
    keys: &[],
    open: None,
};

/// One account, by id.
pub static ACCOUNT: DetailKind = DetailKind {
    name: "Account",
    lines: account_lines,
    title: |id| format!(" Account {id} · j k scroll · Esc back "),
    missing: |id| format!(" No account {id}. Esc goes back."),
    crumb: |id| format!("account {id}"),
    keys: &[],
    open: None,
};

pub fn contract(id: Text) -> DetailPage {
    DetailPage::new(&CONTRACT, id)
}

pub fn account(id: Text) -> DetailPage {
    DetailPage::new(&ACCOUNT, id)
}

fn field(th: &Theme, k: &str, v: Span<'static>) -> Line<'static> {
    Line::from(vec![Span::styled(format!(" {k:<12}"), th.dim), v])
}

fn section(th: &Theme, title: &str) -> Line<'static> {
    Line::from(Span::styled(format!(" {title}"), th.section))
}

fn contract_lines(ctx: &Ctx, id: &str) -> Option<Vec<Line<'static>>> {
    let th = &ctx.theme;
    let g = &ctx.snapshot.views.governance;
    let c = g.contracts.iter().find(|c| &*c.id == id)?;
    let raw = |s: String| Span::raw(s);
    let state = match (&c.violation, c.stalled, c.step) {
        (Some(v), _, _) => Span::styled(format!("VIOLATION: {v}"), th.alert),
        (None, true, _) => Span::styled(
            format!(
                "stalled: unfinished for {}, longer than {}",
                format::duration(c.age),
                format::duration(ctx.snapshot.settings.contract_stall)
            ),
            th.warn,
        ),
        (None, false, 3) => Span::styled("done", th.ok),
        (None, false, _) => raw("in flight".into()),
    };
    let step = match c.step {
        1 => "1 expanded: some consumer has not migrated",
        2 => "2 every consumer migrated, the old path still there",
        _ => "3 contracted: the old path removed",
    };
    let mut lines = vec![
        field(th, "producer", raw(c.producer.to_string())),
        field(th, "team", raw(c.team.to_string())),
        field(th, "step", raw(step.into())),
        field(th, "started", raw(format::instant(c.started))),
        field(th, "age", raw(format::duration(c.age))),
        field(th, "state", state),
    ];
    for h in g.held.iter().filter(|h| h.contract == c.id) {
        lines.push(field(
            th,
            "gate",
            Span::styled(
                format!(
                    "{} held at certification: {} not migrated",
                    h.deployment,
                    h.consumers.join(", ")
                ),
                th.warn,
            ),
        ));
    }
    lines.push(Line::from(""));
    lines.push(section(th, &format!("Consumers ({})", c.consumers.len())));
    for x in &c.consumers {
        let (text, style) = match x.migrated {
            Some(t) => (format!("migrated {}", format::instant(t)), th.ok),
            None => ("not migrated".to_string(), th.alert),
        };
        lines.push(Line::from(vec![
            Span::raw(format!("  {:<20} ", x.service)),
            Span::styled(text, style),
        ]));
    }
    steps(th, c, &mut lines);
    Some(lines)
}

/// Every line of the contract with its deployment and what became of it.
fn steps(th: &Theme, c: &ContractState, lines: &mut Vec<Line<'static>>) {
    lines.push(Line::from(""));
    lines.push(section(th, &format!("Steps ({})", c.steps.len())));
    let deployment_of = |s: &crate::metrics::governance::contracts::StepLine| {
        s.deployment
            .as_deref()
            .map_or("(no deployment)".to_string(), |d| format!("deployment {d}"))
    };
    // As wide as the longest, so the notes line up without wrapping early.
    let pad = c
        .steps
        .iter()
        .map(|s| crate::util::text::width(&deployment_of(s)))
        .max()
        .unwrap_or(0)
        .min(40);
    for s in &c.steps {
        let (note, style) = match s.note {
            StepNote::Taken(_) => ("taken".to_string(), th.ok),
            StepNote::InFlight => ("in flight: not taken yet".into(), th.warn),
            StepNote::NotTaken => ("not taken: never reached production".into(), th.alert),
            StepNote::AfterEnd => ("after the window's end: ignored".into(), th.dim),
            StepNote::NotAConsumer => ("not a consumer: ignored".into(), th.dim),
        };
        lines.push(Line::from(vec![
            Span::raw(format!(
                "  {}  {:<8} {:<18} {:<pad$}  ",
                format::short_time(s.time),
                s.step.label(),
                s.service,
                deployment_of(s)
            )),
            Span::styled(note, style),
        ]));
    }
}

fn account_lines(ctx: &Ctx, id: &str) -> Option<Vec<Line<'static>>> {
    let th = &ctx.theme;
    let g = &ctx.snapshot.views.governance;
    let a = g.accounts.iter().find(|a| &*a.account == id)?;
    let mut lines = vec![
        field(th, "team", Span::raw(a.team.to_string())),
        field(
            th,
            "drifted",
            Span::styled(
                format!(
                    "{} behind the standard with no override",
                    format::plural(a.drifted, "component")
                ),
                if a.drifted > 0 { th.alert } else { th.ok },
            ),
        ),
        Line::from(""),
        section(th, &format!("Components ({})", a.components.len())),
    ];
    for c in &a.components {
        let version = c.version.as_deref().unwrap_or("missing");
        let applied = c.applied.map_or(String::new(), |t| {
            format!(" applied {}", format::short_time(t))
        });
        let (behind, style) = match (c.behind, &c.override_reason) {
            (0, _) => ("up to date".to_string(), th.ok),
            (n, None) => (
                format!(
                    "{n} behind since {} ({:.0} days)",
                    c.since.map_or("-".into(), format::short_time),
                    c.days_behind.unwrap_or(0.0).floor()
                ),
                th.alert,
            ),
            (n, Some(_)) => (format!("{n} behind, declared override"), th.dim),
        };
        lines.push(Line::from(vec![
            Span::raw(format!(
                "  {:<14} {version:<12} latest {:<12}",
                c.component,
                c.latest.as_deref().unwrap_or("-")
            )),
            Span::styled(behind, style),
            Span::styled(applied, th.dim),
        ]));
        if let Some(r) = &c.override_reason {
            lines.push(Line::from(vec![
                Span::raw("    override: "),
                Span::styled(r.to_string(), Style::new()),
            ]));
        }
    }
    Some(lines)
}
