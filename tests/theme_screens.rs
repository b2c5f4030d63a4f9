//! Every screen of the demo in each theme (dark, light, mono). The themes
//! change styles, not words: dark and light draw the same text at 60x15,
//! 80x24, 120x40 and 200x60, and mono differs only where its legend says in
//! words what colour says in the others. At each size each theme's styles are
//! snapshotted beside the text, one letter a cell, for review by eye.

use std::collections::HashMap;
use std::fmt::Write as _;

use flightdeck::app::App;
use flightdeck::app::theme::{Depth, Theme, ThemeName};
use flightdeck::store::Snapshot;
use flightdeck::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

use crate::cut_numbers::{SIZES, screens};
use crate::support::demo_snapshot;

const THEMES: [(ThemeName, &str); 3] = [
    (ThemeName::Dark, "dark"),
    (ThemeName::Light, "light"),
    (ThemeName::Mono, "mono"),
];

fn draw(app: &App, s: &Snapshot, w: u16, h: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    terminal.draw(|f| ui::render(f, app, s)).expect("draw");
    terminal.backend().buffer().clone()
}

fn text_rows(buf: &Buffer) -> Vec<String> {
    let a = buf.area;
    (0..a.height)
        .map(|y| {
            (0..a.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
        })
        .collect()
}

/// The screen's text beside its styles: each cell a letter standing for its
/// style (`.` the terminal's own), and what each letter means below.
fn styles(buf: &Buffer) -> String {
    const LETTERS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut seen: HashMap<(Color, Color, Modifier), char> = HashMap::new();
    let mut legend = Vec::new();
    let mut out = String::new();
    let text = text_rows(buf);
    for (y, row) in text.iter().enumerate() {
        let mut marks = String::new();
        for x in 0..buf.area.width {
            let c = &buf[(x, y as u16)];
            let key = (c.fg, c.bg, c.modifier);
            if key == (Color::Reset, Color::Reset, Modifier::empty()) {
                marks.push('.');
                continue;
            }
            let n = seen.len();
            let letter = *seen.entry(key).or_insert_with(|| {
                let l = LETTERS.chars().nth(n).unwrap_or('?');
                legend.push(format!("{l} fg {:?} · bg {:?} · {:?}", key.0, key.1, key.2));
                l
            });
            marks.push(letter);
        }
        let _ = writeln!(out, "{} │ {marks}", row);
    }
    out.push('\n');
    out.push_str(&legend.join("\n"));
    out
}

fn themed(app: &mut App, name: ThemeName) -> &App {
    app.theme = Theme::new(name, Depth::TrueColor);
    app
}

#[test]
fn dark_and_light_draw_the_same_words_and_mono_only_words_its_legend() {
    let s = demo_snapshot();
    for (screen, mut app) in screens(&s) {
        for (w, h) in SIZES {
            let dark = text_rows(&draw(themed(&mut app, ThemeName::Dark), &s, w, h));
            let light = text_rows(&draw(themed(&mut app, ThemeName::Light), &s, w, h));
            assert_eq!(dark, light, "{screen} {w}x{h}");
            let mono = text_rows(&draw(themed(&mut app, ThemeName::Mono), &s, w, h));
            let differ: Vec<(usize, &String)> = mono
                .iter()
                .enumerate()
                .filter(|(y, row)| dark.get(*y) != Some(*row))
                .collect();
            // Only the legend line, the second last row, may say it otherwise.
            assert!(
                differ.iter().all(|(y, _)| *y + 2 == h as usize),
                "{screen} {w}x{h}: {differ:#?}"
            );
        }
    }
}

#[test]
fn every_screen_in_each_theme_with_its_styles() {
    let s = demo_snapshot();
    for (screen, mut app) in screens(&s) {
        for (theme, theme_name) in THEMES {
            for (w, h) in SIZES {
                let buf = draw(themed(&mut app, theme), &s, w, h);
                let id = format!("{screen}_{w}x{h}_{theme_name}")
                    .replace(" › ", "_")
                    .replace(' ', "_")
                    .to_lowercase();
                insta::assert_snapshot!(id, styles(&buf));
            }
        }
    }
}
