//! `[ui.colors]`: a colour per role over the theme's, read from the config
//! with every mistake refused at its line, and drawn as the terminal can show
//! it (none under mono / `NO_COLOR`).

use flightdeck::app::theme::{Depth, Theme, ThemeName};
use flightdeck::model::colours::Colour;
use ratatui::style::{Color, Modifier};

/// Loads `text` as a config file; the error's text when it is refused.
fn load(text: &str) -> Result<flightdeck::config::Config, String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("flightdeck.toml");
    std::fs::write(&path, text).expect("write");
    flightdeck::config::load_file(&path).map_err(|e| e.to_string())
}

#[test]
fn the_config_sets_colours_per_role() {
    let config = load(
        "[ui]\ntheme = \"dark\"\n\n[ui.colors]\nalert = \"#ff5555\"\nok = \"green\"\nselected = \"238\"\nwarn = \"Light Yellow\"\n",
    )
    .expect("loads");
    let mut colours = config.ui.colors.clone();
    colours.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        colours,
        [
            ("alert".to_string(), Colour::Rgb(255, 85, 85)),
            ("ok".to_string(), Colour::Named(2)),
            ("selected".to_string(), Colour::Indexed(238)),
            ("warn".to_string(), Colour::Named(11)),
        ]
    );
    let dark = Theme::new(ThemeName::Dark, Depth::TrueColor);
    let th = dark.with_colours(&config.ui.colors);
    assert_eq!(th.alert.fg, Some(Color::Rgb(255, 85, 85)));
    assert!(
        th.alert.add_modifier.contains(Modifier::BOLD),
        "the theme's bold is kept"
    );
    assert_eq!(th.ok.fg, Some(Color::Green));
    assert_eq!(th.selected.bg, Some(Color::Indexed(238)));
    assert_eq!(th.warn.fg, Some(Color::LightYellow));
    assert_eq!(th.dim, dark.dim, "roles not named keep the theme's colour");
}

#[test]
fn a_colour_is_shown_as_the_terminal_can() {
    let alert = [("alert".to_string(), Colour::Rgb(255, 85, 85))];
    let on = |depth| {
        Theme::new(ThemeName::Dark, depth)
            .with_colours(&alert)
            .alert
            .fg
    };
    assert_eq!(on(Depth::TrueColor), Some(Color::Rgb(255, 85, 85)));
    // The 6x6x6 cube: 255 -> 5, 85 -> 1 (95): 16 + 180 + 6 + 1.
    assert_eq!(on(Depth::Indexed), Some(Color::Indexed(203)));
    assert_eq!(on(Depth::Basic), Some(Color::LightRed));
    // Mono (NO_COLOR) draws no colour, whatever the config says.
    let mono = Theme::new(ThemeName::Mono, Depth::TrueColor);
    assert_eq!(mono.with_colours(&alert), mono);
}

#[test]
fn each_kind_of_mistake_is_refused_at_its_line() {
    // An unknown role, with the nearest known one.
    let err = load("[ui.colors]\nok = \"green\"\nalrt = \"red\"\n").expect_err("refused");
    assert!(err.contains(":3: ui.colors.alrt:"), "{err}");
    assert!(err.contains("did you mean `alert`?"), "{err}");
    // A value that is no colour: a bad name, a short hex, an index past 255.
    for (value, shown) in [
        ("\"reddish\"", "`reddish` is not a colour"),
        ("\"#ff55\"", "`#ff55` is not a colour"),
        ("\"300\"", "`300` is not a colour"),
    ] {
        let err = load(&format!("[ui.colors]\n\nalert = {value}\n")).expect_err(value);
        assert!(err.contains(":3: ui.colors.alert:"), "{value}: {err}");
        assert!(err.contains(shown), "{value}: {err}");
        assert!(err.contains("\"#rrggbb\""), "says what a colour is: {err}");
    }
    // Not a string at all.
    let err = load("[ui.colors]\nalert = 5\n").expect_err("refused");
    assert!(err.contains(":2:"), "{err}");
    // Every mistake at once, each with its own line.
    let err = load("[ui.colors]\nbad = \"red\"\nok = \"nope\"\n").expect_err("refused");
    assert!(
        err.contains(":2: ui.colors.bad:") && err.contains(":3: ui.colors.ok:"),
        "{err}"
    );
}
