//! Colours and styles in one place.

use ratatui::style::{Color, Modifier, Style};

use crate::metrics::Tier;
use crate::metrics::trend::Trend;

pub fn tier(t: Option<Tier>) -> Style {
    let c = match t {
        Some(Tier::Elite) => Color::Green,
        Some(Tier::High) => Color::Cyan,
        Some(Tier::Medium) => Color::Yellow,
        Some(Tier::Low) => Color::Red,
        None => Color::DarkGray,
    };
    Style::new().fg(c)
}

pub fn trend(t: Trend) -> Style {
    match t {
        Trend::Better => Style::new().fg(Color::Green),
        Trend::Worse => Style::new().fg(Color::Red),
        Trend::Same | Trend::Unknown => Style::new().fg(Color::DarkGray),
    }
}

pub fn header() -> Style {
    Style::new().add_modifier(Modifier::BOLD).fg(Color::White)
}

pub fn selected() -> Style {
    Style::new()
        .bg(Color::Rgb(40, 48, 64))
        .add_modifier(Modifier::BOLD)
}

pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn alert() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}

pub fn warn() -> Style {
    Style::new().fg(Color::Yellow)
}

pub fn ok() -> Style {
    Style::new().fg(Color::Green)
}

pub fn section() -> Style {
    Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD)
}

pub fn title() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}
