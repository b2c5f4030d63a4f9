//! One source, opened with Enter on the Sources screen: its state, when it
//! last read and polls next, its quota, what it read by type, its whole error
//! or warning, and its last polls.

use ratatui::text::{Line, Span};

use crate::app::screen::Ctx;
use crate::model::Text;
use crate::store::SourceStatus;
use crate::ui::screens::detail::{DetailKind, DetailPage};
use crate::util::format;
use crate::util::text::sanitize;

/// One source, by name.
pub static SOURCE: DetailKind = DetailKind {
    name: "Source",
    lines,
    title: |name| format!(" Source {name} · j k scroll · Esc back "),
    missing: |name| format!(" No source {name}. Esc goes back."),
    crumb: |name| name.to_string(),
    keys: &[],
    open: None,
};

/// The source with this name.
pub fn page(name: Text) -> DetailPage {
    DetailPage::new(&SOURCE, name)
}

fn lines(ctx: &Ctx, name: &str) -> Option<Vec<Line<'static>>> {
    let th = &ctx.theme;
    let now = ctx.now;
    let s = ctx.snapshot.sources.iter().find(|s| &*s.name == name)?;
    let ago = |t| format!("{} ago", format::age(now - t));
    let field = |label: &str, value: String| {
        Line::from(vec![
            Span::styled(format!(" {label:<11}"), th.header),
            Span::raw(value),
        ])
    };
    let (state, _) = super::sources::state(s);
    let mut out = vec![
        field("kind", s.kind.to_string()),
        field("state", state.to_string()),
        field(
            "last read",
            s.last_ok.map_or("never".to_string(), |t| {
                format!("{} ({})", ago(t), format::short_time(t))
            }),
        ),
        field("next poll", next_poll(s, now)),
        field("quota", quota(s)),
    ];
    // What it read, one type a line: a long list wraps badly.
    let parts = s.items.parts();
    if parts.is_empty() {
        out.push(field("read", "nothing yet".to_string()));
    }
    for (n, part) in parts.into_iter().enumerate() {
        out.push(field(if n == 0 { "read" } else { "" }, part));
    }
    if let Some((t, e)) = &s.last_error {
        out.push(Line::styled(
            format!(" last error {}: {}", ago(*t), sanitize(e)),
            if s.failing() { th.alert } else { th.dim },
        ));
    }
    if let Some(w) = &s.warning {
        out.push(Line::styled(format!(" warning: {}", sanitize(w)), th.warn));
    }
    out.push(Line::from(""));
    out.push(match s.polls.len() {
        0 => Line::styled(" No poll recorded yet.", th.dim),
        n => Line::styled(
            format!(" Last {}, newest first", format::plural(n, "poll")),
            th.title,
        ),
    });
    for p in s.polls.iter().rev() {
        out.push(match &p.read {
            Ok(0) => Line::raw(format!(" {:<12} ok, nothing new", ago(p.at))),
            Ok(n) => Line::raw(format!(
                " {:<12} ok, {}",
                ago(p.at),
                format::plural(*n as usize, "event")
            )),
            Err(e) => Line::styled(
                format!(" {:<12} failed: {}", ago(p.at), sanitize(e)),
                th.alert,
            ),
        });
    }
    Some(out)
}

fn next_poll(s: &SourceStatus, now: crate::model::Time) -> String {
    if s.paused {
        return "paused (p resumes)".to_string();
    }
    if s.reading {
        return "after the read under way".to_string();
    }
    match s.next_poll {
        Some(t) if t > now => format!("in {}", format::age(t - now)),
        Some(_) => "now".to_string(),
        None => "not scheduled (read once or followed)".to_string(),
    }
}

fn quota(s: &SourceStatus) -> String {
    match s.quota {
        None => "none reported".to_string(),
        Some(q) => {
            let of = q.limit.map_or(String::new(), |l| format!(" of {l}"));
            let reset = q.reset.map_or(String::new(), |t| {
                format!(", resets {}", format::short_time(t))
            });
            format!("{} requests left{of}{reset}", q.remaining)
        }
    }
}
