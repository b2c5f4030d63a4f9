//! The bottom line: sources' freshness, the window and the clock.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::App;
use crate::store::Snapshot;
use crate::util::format;

/// What `p` would act on: every scheduled source paused, some polling, or
/// nothing on the scheduler at all (the demo, a replay).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polling {
    Running,
    Paused,
    Unscheduled,
}

/// Polling as the sources report it.
pub fn polling(snapshot: &Snapshot) -> Polling {
    if snapshot.sources.iter().any(|s| s.paused) {
        Polling::Paused
    } else if snapshot.sources.iter().any(|s| s.next_poll.is_some()) {
        Polling::Running
    } else {
        Polling::Unscheduled
    }
}

/// What `p` says when there is nothing to pause.
pub const NOTHING_TO_PAUSE: &str =
    "p r: no configured source is polled (the demo and replays run on their own)";

/// A group of spans shown whole or not at all; lower `rank` goes first when room runs out.
struct Field {
    spans: Vec<Span<'static>>,
    rank: u8,
}

fn field(rank: u8, spans: Vec<Span<'static>>) -> Field {
    Field { spans, rank }
}

fn width(f: &Field) -> usize {
    f.spans.iter().map(|s| s.width()).sum()
}

/// Drops whole fields, least important (highest rank, rightmost) first, until
/// `left` and `right` fit `room` together.
fn fit(left: &mut Vec<Field>, right: &mut Vec<Field>, room: usize) {
    loop {
        let total: usize = left.iter().chain(right.iter()).map(width).sum();
        if total <= room {
            return;
        }
        let worst_left = left.iter().enumerate().max_by_key(|(i, f)| (f.rank, *i));
        let worst_right = right.iter().enumerate().max_by_key(|(i, f)| (f.rank, *i));
        match (worst_left, worst_right) {
            (Some((i, l)), Some((j, r))) => {
                if l.rank > r.rank {
                    left.remove(i);
                } else {
                    right.remove(j);
                }
            }
            (Some((i, _)), None) => {
                left.remove(i);
            }
            (None, Some((j, _))) => {
                right.remove(j);
            }
            (None, None) => return,
        }
    }
}

/// Left side: the last key's message, release-window badge, paused polling,
/// each source's freshness and the record count.
fn left_fields(app: &App, snapshot: &Snapshot) -> Vec<Field> {
    let th = &app.theme;
    let mut left: Vec<Field> = Vec::new();
    // A message from the last key (e.g. where the screen was saved) comes first.
    if let Some(message) = &app.message {
        left.push(field(
            0,
            vec![Span::styled(format!(" {message} "), th.title)],
        ));
    }
    // `--record`: every event is being written to a file; say so all along.
    if app.recording {
        left.push(field(1, vec![Span::styled(" ● REC ", th.alert.bold())]));
    }
    // Release-window mode: a badge, and a flash while a new alert is fresh.
    if app.release.on {
        let open = app.open_alerts().count();
        let span = match app.release.flashing() {
            Some(a) => Span::styled(
                format!(" 🔔 {} ", crate::app::alert_text(a, app.now)),
                th.alert.reversed(),
            ),
            None => Span::styled(
                format!(" REL {open} "),
                if open > 0 {
                    th.alert.reversed()
                } else {
                    th.ok.reversed()
                },
            ),
        };
        left.push(field(1, vec![span]));
    }
    if polling(snapshot) == Polling::Paused {
        left.push(field(
            1,
            vec![Span::styled(" ⏸ polling paused ", th.warn.reversed())],
        ));
    }
    if snapshot.sources.is_empty() {
        left.push(field(
            2,
            vec![Span::styled(" waiting for sources… ", th.dim)],
        ));
    }
    source_fields(&mut left, app, snapshot);
    left.push(field(
        6,
        vec![Span::styled(
            format!("  {} records", snapshot.views.records),
            th.dim,
        )],
    ));
    left
}

/// Each source's freshness, and its error while it fails.
fn source_fields(left: &mut Vec<Field>, app: &App, snapshot: &Snapshot) {
    let th = &app.theme;
    for s in &snapshot.sources {
        let (dot, style) = if s.failing() {
            ("●", th.alert)
        } else if s.last_ok.is_some() {
            ("●", th.ok)
        } else {
            ("○", th.dim)
        };
        let age = s
            .last_ok
            .map(|t| format!("updated {} ago", format::age(app.now - t)))
            .unwrap_or_else(|| "no data yet".into());
        left.push(field(
            2,
            vec![
                Span::styled(format!(" {dot} "), style),
                Span::raw(format!("{} {age}", s.name)),
            ],
        ));
        if let Some((_, err)) = s.last_error.as_ref().filter(|_| s.failing()) {
            left.push(field(5, vec![Span::styled(format!(" ({err})"), th.alert)]));
        }
    }
}

/// The screen's own keys with their hints, one each: `Enter details · `.
fn screen_hints(app: &App) -> Vec<String> {
    app.top()
        .keys()
        .iter()
        .filter(|b| !b.hint.is_empty())
        .map(|b| format!("{} {} · ", app.keymap.label(b), b.hint))
        .collect()
}

/// Right side: replay state, then (without a message) window, clock and key
/// hints: the screen's own keys, then help and quit.
fn right_fields(app: &App) -> Vec<Field> {
    let th = &app.theme;
    let mut right: Vec<Field> = Vec::new();
    if let Some(r) = app.replay {
        let speed = crate::util::format::speed(r.speed);
        let (text, style) = if r.ended {
            (format!(" ■ replay ended {speed} "), th.dim)
        } else if r.paused {
            (format!(" ⏸ replay paused {speed} "), th.warn)
        } else {
            (format!(" ▶ replay {speed} "), th.ok)
        };
        right.push(field(1, vec![Span::styled(text, style)]));
    }
    // A message gets the room of the window, clock and key hints for one key press.
    if app.message.is_none() {
        right.push(field(
            3,
            vec![Span::styled(
                format!(" {}d window ", app.window_days()),
                th.title,
            )],
        ));
        right.push(field(
            4,
            vec![Span::raw(format!("{} UTC ", format::instant(app.now)))],
        ));
        // While a prompt is open every key is typed: only its own keys apply.
        if app.typing() {
            right.push(field(
                7,
                vec![Span::styled(
                    "Enter keeps · Esc clears · ^U erases ",
                    th.dim,
                )],
            ));
            return right;
        }
        // As many of the screen's hints as fit, the first ones kept longest.
        for hint in screen_hints(app) {
            right.push(field(8, vec![Span::styled(hint, th.dim)]));
        }
        // The keys in force: `[keys]` may have moved help and quit.
        let keys = &app.keymap;
        let mut tail = String::new();
        if let Some(k) = keys.short(crate::app::Action::ToggleHelp) {
            tail.push_str(&format!("{k} help  "));
        }
        if let Some(k) = keys
            .short(crate::app::Action::Quit)
            .or_else(|| keys.short(crate::app::Action::QuitNow))
        {
            tail.push_str(&format!("{k} quit "));
        }
        right.push(field(7, vec![Span::styled(tail, th.dim)]));
    }
    right
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, snapshot: &Snapshot) {
    let mut left = left_fields(app, snapshot);
    let mut right = right_fields(app);
    fit(&mut left, &mut right, area.width as usize);
    let left = Line::from(left.into_iter().flat_map(|f| f.spans).collect::<Vec<_>>());
    let right =
        Line::from(right.into_iter().flat_map(|f| f.spans).collect::<Vec<_>>()).right_aligned();
    let [l, r] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(right.width() as u16),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(left), l);
    frame.render_widget(Paragraph::new(right), r);
}
