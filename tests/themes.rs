//! Themes: dark, light and mono; which one is chosen (`--theme`, `[ui] theme`,
//! `NO_COLOR`) and with how many colours; mono draws no colour at all and
//! marks the selection and the active tab with attributes.

use flightdeck::app::theme::{Depth, Theme, ThemeName};
use flightdeck::app::{Action, App};
use flightdeck::store::Snapshot;
use flightdeck::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

use crate::support::{demo_snapshot, show};

fn draw(app: &App, s: &Snapshot, w: u16, h: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    terminal.draw(|f| ui::render(f, app, s)).expect("draw");
    terminal.backend().buffer().clone()
}

fn app_with(theme: Theme, s: &Snapshot) -> App {
    let mut app = crate::support::app();
    app.theme = theme;
    app.refresh(s);
    app.on_alerts(s);
    app
}

/// Every screen the top bar reaches, with release-window mode on.
fn every_tab(app: &mut App, s: &Snapshot, mut each: impl FnMut(&str, &Buffer)) {
    app.update(Action::ReleaseWindow, s);
    for name in ["Overview", "Lanes", "Incidents", "Findings", "Sources"] {
        app.update(show(name), s);
        app.update(Action::Down, s);
        each(name, &draw(app, s, 120, 40));
    }
}

#[test]
fn mono_draws_no_colour_and_marks_the_selection_and_tab_by_attribute() {
    let s = demo_snapshot();
    let mut app = app_with(Theme::new(ThemeName::Mono, Depth::TrueColor), &s);
    every_tab(&mut app, &s, |name, buf| {
        for cell in buf.content() {
            assert!(
                cell.fg == Color::Reset && cell.bg == Color::Reset,
                "{name}: a coloured cell {cell:?}"
            );
        }
        // The active tab (top row) and a selected row below it are reversed.
        let reversed_rows: Vec<u16> = (0..buf.area.height)
            .filter(|&y| {
                (0..buf.area.width).any(|x| buf[(x, y)].modifier.contains(Modifier::REVERSED))
            })
            .collect();
        // The active tab's name is in reverse video.
        let top: String = (0..buf.area.width).map(|x| buf[(x, 0)].symbol()).collect();
        let at = top.find(name).expect("the tab's name on the top bar") as u16;
        assert!(
            buf[(at, 0)].modifier.contains(Modifier::REVERSED),
            "{name}: the active tab is not reversed"
        );
        assert!(
            reversed_rows
                .iter()
                .any(|&y| y > 1 && y < buf.area.height - 1),
            "{name}: no selected row in reverse video"
        );
    });
}

#[test]
fn mono_legend_says_what_carries_the_meaning() {
    let s = demo_snapshot();
    let text = |theme: Theme| {
        let app = app_with(theme, &s);
        let buf = draw(&app, &s, 200, 60);
        buf.content().iter().map(|c| c.symbol()).collect::<String>()
    };
    let mono = text(Theme::new(ThemeName::Mono, Depth::Basic));
    assert!(mono.contains("bold = better, underlined = worse"), "{mono}");
    assert!(!mono.contains("green"));
    assert!(text(Theme::new(ThemeName::Dark, Depth::Basic)).contains("green = better"));
}

#[test]
fn the_light_theme_uses_no_white_text_and_a_light_selection() {
    let s = demo_snapshot();
    for depth in [Depth::TrueColor, Depth::Indexed, Depth::Basic] {
        let mut app = app_with(Theme::new(ThemeName::Light, depth), &s);
        every_tab(&mut app, &s, |name, buf| {
            for cell in buf.content() {
                assert!(
                    !matches!(cell.fg, Color::White | Color::Gray | Color::LightYellow),
                    "{name} {depth:?}: white-ish text {cell:?}"
                );
            }
        });
        let t = Theme::new(ThemeName::Light, depth);
        match depth {
            Depth::TrueColor => assert_eq!(t.selected.bg, Some(Color::Rgb(205, 222, 245))),
            Depth::Indexed => assert_eq!(t.selected.bg, Some(Color::Indexed(153))),
            Depth::Basic => assert!(t.selected.add_modifier.contains(Modifier::REVERSED)),
        }
    }
}

#[test]
fn each_colour_depth_gets_colours_it_can_show() {
    let uses = |t: &Theme, ok: &dyn Fn(Color) -> bool| {
        [
            t.elite, t.high, t.medium, t.low, t.no_tier, t.header, t.selected, t.dim, t.alert,
            t.warn, t.ok, t.title, t.active, t.spark,
        ]
        .iter()
        .flat_map(|s| [s.fg, s.bg])
        .flatten()
        .all(ok)
    };
    for name in [ThemeName::Dark, ThemeName::Light] {
        let basic = Theme::new(name, Depth::Basic);
        assert!(
            uses(&basic, &|c| !matches!(
                c,
                Color::Rgb(..) | Color::Indexed(_)
            )),
            "{name:?} basic"
        );
        let indexed = Theme::new(name, Depth::Indexed);
        assert!(
            uses(&indexed, &|c| !matches!(c, Color::Rgb(..))),
            "{name:?} 256"
        );
    }
    assert_eq!(
        Depth::detect(Some("truecolor"), Some("xterm")),
        Depth::TrueColor
    );
    assert_eq!(Depth::detect(Some("24bit"), None), Depth::TrueColor);
    assert_eq!(Depth::detect(None, Some("tmux-256color")), Depth::Indexed);
    assert_eq!(Depth::detect(Some(""), Some("xterm")), Depth::Basic);
    assert_eq!(Depth::detect(None, None), Depth::Basic);
}

#[test]
fn the_flag_outranks_the_config_which_outranks_no_color() {
    let name = |flag, config, no_color| Theme::choose(flag, config, no_color, Depth::Basic).name;
    assert_eq!(name(None, None, false), ThemeName::Dark);
    assert_eq!(name(None, None, true), ThemeName::Mono);
    assert_eq!(name(None, Some("light"), true), ThemeName::Light);
    assert_eq!(
        name(Some(ThemeName::Dark), Some("light"), true),
        ThemeName::Dark
    );
    assert_eq!(name(None, Some("Mono"), false), ThemeName::Mono);
}

#[test]
fn the_config_names_a_theme_or_is_refused_with_the_list() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("flightdeck.toml");
    std::fs::write(&path, "[ui]\ntheme = \"light\"\n").expect("write");
    let config = flightdeck::config::load_file(&path).expect("loads");
    assert_eq!(config.ui.theme.as_deref(), Some("light"));
    std::fs::write(&path, "[ui]\ntheme = \"solarized\"\n").expect("write");
    let err = flightdeck::config::load_file(&path)
        .expect_err("refused")
        .to_string();
    assert!(err.contains(":2: ui.theme:"), "{err}");
    assert!(err.contains("the themes are dark, light, mono"), "{err}");
}
