//! The cockpit's palette: one style per meaning (a tier, better or worse, the
//! selection, an alert...), chosen once at start from the theme's name and
//! what the terminal can show, and handed to every screen through `Ctx`. The
//! screens name meanings, never colours.
//!
//! `mono` (and `NO_COLOR`) uses no colour at all: meaning is carried by
//! reverse video, bold, underline and the symbols beside the numbers.

use ratatui::style::{Color, Modifier, Style};

use crate::metrics::Tier;
use crate::metrics::trend::Trend;
use crate::model::stage::StageState;

/// The themes `--theme` and `[ui] theme` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeName {
    #[default]
    Dark,
    Light,
    Mono,
}

impl ThemeName {
    pub const ALL: [(&'static str, ThemeName); 3] = [
        ("dark", ThemeName::Dark),
        ("light", ThemeName::Light),
        ("mono", ThemeName::Mono),
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(s.trim()))
            .map(|(_, t)| *t)
    }

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, t)| *t == self)
            .map_or("dark", |(name, _)| name)
    }
}

/// How many colours the terminal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// 24-bit colour (`COLORTERM=truecolor` or `24bit`).
    TrueColor,
    /// The 256-colour palette (`TERM` ending in `256color`).
    Indexed,
    /// The 16 named colours.
    Basic,
}

impl Depth {
    /// From the terminal's `COLORTERM` and `TERM` values.
    pub fn detect(colorterm: Option<&str>, term: Option<&str>) -> Self {
        let colorterm = colorterm.unwrap_or_default().to_ascii_lowercase();
        if colorterm == "truecolor" || colorterm == "24bit" {
            Depth::TrueColor
        } else if term.is_some_and(|t| t.contains("256color")) {
            Depth::Indexed
        } else {
            Depth::Basic
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theme {
    pub name: ThemeName,
    /// The colours the terminal shows, kept so `:theme` can switch palettes.
    pub depth: Depth,
    /// Whether colour carries any meaning (false in `mono`): legends say
    /// what does instead.
    pub colour: bool,
    pub elite: Style,
    pub high: Style,
    pub medium: Style,
    pub low: Style,
    pub no_tier: Style,
    pub better: Style,
    pub worse: Style,
    pub unchanged: Style,
    pub header: Style,
    /// The selected row and the active tab.
    pub selected: Style,
    pub dim: Style,
    pub alert: Style,
    pub warn: Style,
    pub ok: Style,
    pub section: Style,
    pub title: Style,
    /// Something moving (a stage progressing, a lane in flight).
    pub active: Style,
    /// A stage under canary analysis.
    pub verifying: Style,
    /// A certified canary stage.
    pub certified: Style,
    /// The error-rate sparkline of a healthy lane.
    pub spark: Style,
}

impl Default for Theme {
    fn default() -> Self {
        Self::new(ThemeName::Dark, Depth::Indexed)
    }
}

const BOLD: Modifier = Modifier::BOLD;

impl Theme {
    pub fn new(name: ThemeName, depth: Depth) -> Self {
        let theme = match name {
            ThemeName::Dark => dark(depth),
            ThemeName::Light => light(depth),
            ThemeName::Mono => mono(),
        };
        Self { depth, ..theme }
    }

    /// The theme to draw with: `--theme`, else the config's `[ui] theme`,
    /// else `mono` when `NO_COLOR` is set (a flag or a config is the user's
    /// explicit choice and outranks it), else `dark`.
    pub fn choose(
        flag: Option<ThemeName>,
        config: Option<&str>,
        no_color: bool,
        depth: Depth,
    ) -> Self {
        let name = flag
            .or_else(|| config.and_then(ThemeName::parse))
            .unwrap_or(if no_color {
                ThemeName::Mono
            } else {
                ThemeName::Dark
            });
        Self::new(name, depth)
    }

    pub fn tier(&self, t: Option<Tier>) -> Style {
        match t {
            Some(Tier::Elite) => self.elite,
            Some(Tier::High) => self.high,
            Some(Tier::Medium) => self.medium,
            Some(Tier::Low) => self.low,
            None => self.no_tier,
        }
    }

    pub fn trend(&self, t: Trend) -> Style {
        match t {
            Trend::Better => self.better,
            Trend::Worse => self.worse,
            Trend::Same | Trend::Unknown => self.unchanged,
        }
    }

    pub fn stage(&self, s: StageState) -> Style {
        match s {
            StageState::Queued => self.dim,
            StageState::Progressing => self.active,
            StageState::Paused => self.warn,
            StageState::Verifying => self.verifying,
            StageState::Certified => self.certified,
            StageState::Succeeded => self.ok,
            StageState::Failed | StageState::RolledBack | StageState::Aborted => self.alert,
        }
    }

    /// How the legends say which way a trend went.
    pub fn better_worse_legend(&self) -> &'static str {
        if self.colour {
            "green = better"
        } else {
            "bold = better, underlined = worse"
        }
    }
}

fn fg(c: Color) -> Style {
    Style::new().fg(c)
}

fn dark(depth: Depth) -> Theme {
    let selected = match depth {
        Depth::TrueColor => Style::new().bg(Color::Rgb(40, 48, 64)).add_modifier(BOLD),
        Depth::Indexed => Style::new().bg(Color::Indexed(237)).add_modifier(BOLD),
        Depth::Basic => Style::new().add_modifier(Modifier::REVERSED | BOLD),
    };
    Theme {
        depth: Depth::Indexed,
        name: ThemeName::Dark,
        colour: true,
        elite: fg(Color::Green),
        high: fg(Color::Cyan),
        medium: fg(Color::Yellow),
        low: fg(Color::Red),
        no_tier: fg(Color::DarkGray),
        better: fg(Color::Green),
        worse: fg(Color::Red),
        unchanged: fg(Color::DarkGray),
        header: Style::new().add_modifier(BOLD).fg(Color::White),
        selected,
        dim: fg(Color::DarkGray),
        alert: fg(Color::Red).add_modifier(BOLD),
        warn: fg(Color::Yellow),
        ok: fg(Color::Green),
        section: fg(Color::Magenta).add_modifier(BOLD),
        title: fg(Color::Cyan).add_modifier(BOLD),
        active: fg(Color::Cyan),
        verifying: fg(Color::Magenta),
        certified: fg(Color::LightGreen).add_modifier(BOLD),
        spark: fg(Color::Blue),
    }
}

/// For a light background: no white or bright yellow text, darker hues, and a
/// light selection under the terminal's own (dark) text.
fn light(depth: Depth) -> Theme {
    let (selected, grey, yellow, green) = match depth {
        Depth::TrueColor => (
            Style::new()
                .bg(Color::Rgb(205, 222, 245))
                .fg(Color::Rgb(0, 0, 0)),
            Color::Rgb(110, 110, 110),
            Color::Rgb(150, 100, 0),
            Color::Rgb(0, 120, 40),
        ),
        Depth::Indexed => (
            Style::new().bg(Color::Indexed(153)).fg(Color::Indexed(16)),
            Color::Indexed(242),
            Color::Indexed(130),
            Color::Indexed(28),
        ),
        Depth::Basic => (
            Style::new().add_modifier(Modifier::REVERSED),
            Color::DarkGray,
            Color::Magenta,
            Color::Green,
        ),
    };
    Theme {
        depth: Depth::Indexed,
        name: ThemeName::Light,
        colour: true,
        elite: fg(green),
        high: fg(Color::Blue),
        medium: fg(yellow),
        low: fg(Color::Red),
        no_tier: fg(grey),
        better: fg(green),
        worse: fg(Color::Red),
        unchanged: fg(grey),
        header: Style::new().add_modifier(BOLD),
        selected: selected.add_modifier(BOLD),
        dim: fg(grey),
        alert: fg(Color::Red).add_modifier(BOLD),
        warn: fg(yellow),
        ok: fg(green),
        section: fg(Color::Magenta).add_modifier(BOLD),
        title: fg(Color::Blue).add_modifier(BOLD),
        active: fg(Color::Blue),
        verifying: fg(Color::Magenta),
        certified: fg(green).add_modifier(BOLD),
        spark: fg(Color::Blue),
    }
}

/// No colour: reverse video for the selection, bold and underline for what
/// needs attention, dim for what does not.
fn mono() -> Theme {
    let plain = Style::new();
    let bold = Style::new().add_modifier(BOLD);
    let loud = Style::new().add_modifier(BOLD | Modifier::UNDERLINED);
    let dim = Style::new().add_modifier(Modifier::DIM);
    Theme {
        depth: Depth::Indexed,
        name: ThemeName::Mono,
        colour: false,
        elite: bold,
        high: plain,
        medium: plain,
        low: loud,
        no_tier: dim,
        better: bold,
        worse: loud,
        unchanged: dim,
        header: loud,
        selected: Style::new().add_modifier(Modifier::REVERSED | BOLD),
        dim,
        alert: loud,
        warn: bold,
        ok: plain,
        section: bold,
        title: bold,
        active: plain,
        verifying: Style::new().add_modifier(Modifier::ITALIC),
        certified: bold,
        spark: plain,
    }
}
