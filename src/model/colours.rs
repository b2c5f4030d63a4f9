//! The colours a config may set per role (`[ui.colors]`): which roles there
//! are and how a colour is written. `app::theme` applies them.

/// The roles `[ui.colors]` may set, as the config names them, with what each
/// colours. `selected` sets the selection's background; the others the text.
pub const ROLES: [(&str, &str); 19] = [
    ("alert", "failures, alerts, worse-than-threshold values"),
    ("warn", "warnings, pauses, marginal canaries"),
    ("ok", "passes, successes"),
    ("dim", "secondary text"),
    ("header", "column heads"),
    ("title", "titles"),
    ("section", "section heads in details"),
    ("selected", "the selected row's background"),
    ("active", "rollouts in flight"),
    ("verifying", "canaries under analysis"),
    ("certified", "certified canary stages"),
    ("spark", "sparklines"),
    ("better", "trends for the better"),
    ("worse", "trends for the worse"),
    ("unchanged", "unchanged trends"),
    ("elite", "the elite tier"),
    ("high", "the high tier"),
    ("medium", "the medium tier"),
    ("low", "the low tier"),
];

/// The 16 colour names, in the terminal's palette order (0-15).
pub const NAMES: [&str; 16] = [
    "black",
    "red",
    "green",
    "yellow",
    "blue",
    "magenta",
    "cyan",
    "gray",
    "darkgray",
    "lightred",
    "lightgreen",
    "lightyellow",
    "lightblue",
    "lightmagenta",
    "lightcyan",
    "white",
];

/// A colour as a config writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    /// One of [`NAMES`], by its index.
    Named(u8),
    /// An entry of the 256-colour palette.
    Indexed(u8),
    Rgb(u8, u8, u8),
}

impl Colour {
    /// Reads `red`, `light-red` or `Light Red`, `#ff5555`, or `0`-`255`.
    pub fn parse(text: &str) -> Option<Colour> {
        let t = text.trim();
        if let Some(hex) = t.strip_prefix('#') {
            if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return None;
            }
            let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
            return Some(Colour::Rgb(byte(0)?, byte(2)?, byte(4)?));
        }
        if let Ok(n) = t.parse::<u8>() {
            return Some(Colour::Indexed(n));
        }
        let name: String = t
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .collect::<String>()
            .to_ascii_lowercase();
        let name = match name.as_str() {
            "grey" => "gray",
            "darkgrey" => "darkgray",
            n => n,
        };
        NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| Colour::Named(i as u8))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_read_as_names_hex_and_indices() {
        assert_eq!(Colour::parse("red"), Some(Colour::Named(1)));
        assert_eq!(Colour::parse("Light-Blue"), Some(Colour::Named(12)));
        assert_eq!(Colour::parse("dark grey"), Some(Colour::Named(8)));
        assert_eq!(Colour::parse("#ff5555"), Some(Colour::Rgb(255, 85, 85)));
        assert_eq!(Colour::parse("208"), Some(Colour::Indexed(208)));
        for bad in ["#ff55", "#gg0000", "256", "-1", "reddish", ""] {
            assert_eq!(Colour::parse(bad), None, "{bad}");
        }
    }
}
