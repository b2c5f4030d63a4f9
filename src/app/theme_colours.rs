//! `[ui.colors]` applied to a theme: each role's colour as the terminal can
//! show it (a `#rrggbb` becomes the nearest palette entry on a 256-colour
//! terminal, and the nearest of the 16 named colours on a basic one).

use ratatui::style::{Color, Style};

use super::theme::{Depth, Theme};
use crate::model::colours::Colour;

const NAMED: [Color; 16] = [
    Color::Black,
    Color::Red,
    Color::Green,
    Color::Yellow,
    Color::Blue,
    Color::Magenta,
    Color::Cyan,
    Color::Gray,
    Color::DarkGray,
    Color::LightRed,
    Color::LightGreen,
    Color::LightYellow,
    Color::LightBlue,
    Color::LightMagenta,
    Color::LightCyan,
    Color::White,
];

/// The usual RGB of the 16 named colours (xterm's), to pick the nearest.
pub const NAMED_RGB: [(u8, u8, u8); 16] = [
    (0, 0, 0),
    (205, 0, 0),
    (0, 205, 0),
    (205, 205, 0),
    (0, 0, 238),
    (205, 0, 205),
    (0, 205, 205),
    (229, 229, 229),
    (127, 127, 127),
    (255, 0, 0),
    (0, 255, 0),
    (255, 255, 0),
    (92, 92, 255),
    (255, 0, 255),
    (0, 255, 255),
    (255, 255, 255),
];

/// `c` as a terminal of `depth` can show it.
pub fn colour(c: Colour, depth: Depth) -> Color {
    match (c, depth) {
        (Colour::Named(i), _) => NAMED[i as usize % 16],
        (Colour::Indexed(i), _) if i < 16 => NAMED[i as usize],
        (Colour::Indexed(i), Depth::Basic) => NAMED[nearest_named(xterm_rgb(i))],
        (Colour::Indexed(i), _) => Color::Indexed(i),
        (Colour::Rgb(r, g, b), Depth::TrueColor) => Color::Rgb(r, g, b),
        (Colour::Rgb(r, g, b), Depth::Indexed) => Color::Indexed(cube_index((r, g, b))),
        (Colour::Rgb(r, g, b), Depth::Basic) => NAMED[nearest_named((r, g, b))],
    }
}

/// The 6x6x6 cube entry (16-231) nearest to `rgb`.
fn cube_index((r, g, b): (u8, u8, u8)) -> u8 {
    let step = |v: u8| -> u8 {
        const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
        (0..6)
            .min_by_key(|&i| (LEVELS[i] as i32 - v as i32).abs())
            .unwrap_or(0) as u8
    };
    16 + 36 * step(r) + 6 * step(g) + step(b)
}

/// The RGB of palette entry `i` (16 and above).
fn xterm_rgb(i: u8) -> (u8, u8, u8) {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    if i >= 232 {
        let v = 8 + (i - 232) * 10;
        return (v, v, v);
    }
    let c = i.saturating_sub(16);
    (
        LEVELS[(c / 36) as usize],
        LEVELS[(c / 6 % 6) as usize],
        LEVELS[(c % 6) as usize],
    )
}

fn nearest_named((r, g, b): (u8, u8, u8)) -> usize {
    let d = |(x, y, z): (u8, u8, u8)| {
        let sq = |a: u8, b: u8| (a as i32 - b as i32).pow(2);
        sq(x, r) + sq(y, g) + sq(z, b)
    };
    (0..16).min_by_key(|&i| d(NAMED_RGB[i])).unwrap_or(0)
}

impl Theme {
    /// The theme with `[ui.colors]` over its own: each role's text colour (the
    /// selection's background), its bold or underline kept. A theme without
    /// colour (mono, `NO_COLOR`) takes none.
    pub fn with_colours(mut self, colours: &[(String, Colour)]) -> Self {
        if !self.colour {
            return self;
        }
        for (role, c) in colours {
            let c = colour(*c, self.depth);
            let fg = |s: Style| s.fg(c);
            match role.as_str() {
                "selected" => self.selected = self.selected.bg(c),
                "alert" => self.alert = fg(self.alert),
                "warn" => self.warn = fg(self.warn),
                "ok" => self.ok = fg(self.ok),
                "dim" => self.dim = fg(self.dim),
                "header" => self.header = fg(self.header),
                "title" => self.title = fg(self.title),
                "section" => self.section = fg(self.section),
                "active" => self.active = fg(self.active),
                "verifying" => self.verifying = fg(self.verifying),
                "certified" => self.certified = fg(self.certified),
                "spark" => self.spark = fg(self.spark),
                "better" => self.better = fg(self.better),
                "worse" => self.worse = fg(self.worse),
                "unchanged" => self.unchanged = fg(self.unchanged),
                "elite" => self.elite = fg(self.elite),
                "high" => self.high = fg(self.high),
                "medium" => self.medium = fg(self.medium),
                "low" => self.low = fg(self.low),
                _ => {}
            }
        }
        self
    }
}
