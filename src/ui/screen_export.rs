//! The screen as files: a rendered buffer as plain text and as HTML with its
//! colours. Pure conversions; the cockpit writes the files (`s`).

use std::fmt::Write as _;

use ratatui::buffer::{Buffer, Cell};
use ratatui::style::{Color, Modifier};
use ratatui::text::Span;

/// The most cells a page `s` draws holds (the off-screen terminal keeps two
/// buffers of them): enough for thousands of rows, bounded so that a huge
/// list cannot eat the memory.
const MAX_PAGE_CELLS: u32 = 400_000;

/// The screen on view drawn whole, `width` wide: as tall as the terminal plus
/// every row of its list (or line of its detail), from the top, so nothing
/// scrolled out is lost (up to [`MAX_PAGE_CELLS`]: a longer list keeps its
/// first rows, and the flag says it was cut). Drawn off screen; no I/O.
pub fn whole_page(
    app: &mut crate::app::App,
    snapshot: &crate::store::Snapshot,
    width: u16,
    height: u16,
) -> (Buffer, bool) {
    let rows = u16::try_from(app.cursor().rows).unwrap_or(u16::MAX);
    let most = u16::try_from(MAX_PAGE_CELLS / u32::from(width.max(1))).unwrap_or(u16::MAX);
    let wanted = height.saturating_add(rows);
    let tall = wanted.min(most).max(height);
    // The test backend is a plain cell buffer: drawing on it cannot fail.
    let Ok(mut terminal) = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, tall));
    let page = app.from_the_top(|app| {
        let Ok(drawn) = terminal.draw(|frame| super::render(frame, app, snapshot));
        drawn.buffer.clone()
    });
    (page, tall < wanted)
}

/// Page colours where a cell keeps the terminal's default.
const DEFAULT_FG: &str = "#d0d0d0";
const DEFAULT_BG: &str = "#101418";

/// The visible cells of each row (a wide character's shadow cell left out).
fn rows(buf: &Buffer) -> impl Iterator<Item = Vec<&Cell>> {
    let width = usize::from(buf.area.width.max(1));
    buf.content.chunks(width).map(|row| {
        let mut cells = Vec::with_capacity(row.len());
        let mut hidden = 0usize;
        for cell in row {
            if hidden > 0 {
                hidden -= 1;
                continue;
            }
            hidden = Span::raw(cell.symbol()).width().saturating_sub(1);
            cells.push(cell);
        }
        cells
    })
}

/// Plain text, one line per row, trailing spaces trimmed.
pub fn to_text(buf: &Buffer) -> String {
    let mut out = String::new();
    for row in rows(buf) {
        let line: String = row.iter().map(|c| c.symbol()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A standalone HTML page: the screen in a `<pre>`, runs of equal style as
/// `<span style=…>`; text escaped, colours and bold/dim/italic/underline kept.
pub fn to_html(buf: &Buffer, title: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title>\n\
         <style>body{{background:{DEFAULT_BG};color:{DEFAULT_FG};margin:1em}}\
         pre{{font-family:ui-monospace,Menlo,Consolas,monospace;line-height:1.2}}</style>\n\
         </head><body><pre>",
        escape(title)
    );
    for row in rows(buf) {
        let mut current: Option<String> = None;
        for cell in row {
            let style = css(cell);
            if current.as_deref() != Some(style.as_str()) {
                if current.is_some() {
                    out.push_str("</span>");
                }
                let _ = write!(out, "<span style=\"{style}\">");
                current = Some(style);
            }
            out.push_str(&escape(cell.symbol()));
        }
        if current.is_some() {
            out.push_str("</span>");
        }
        out.push('\n');
    }
    out.push_str("</pre></body></html>\n");
    out
}

fn css(cell: &Cell) -> String {
    let (mut fg, mut bg) = (
        color(cell.fg).unwrap_or_else(|| DEFAULT_FG.into()),
        color(cell.bg).unwrap_or_else(|| DEFAULT_BG.into()),
    );
    let m = cell.modifier;
    if m.contains(Modifier::REVERSED) {
        std::mem::swap(&mut fg, &mut bg);
    }
    let mut style = format!("color:{fg};background:{bg}");
    if m.contains(Modifier::BOLD) {
        style.push_str(";font-weight:bold");
    }
    if m.contains(Modifier::DIM) {
        style.push_str(";opacity:0.7");
    }
    if m.contains(Modifier::ITALIC) {
        style.push_str(";font-style:italic");
    }
    if m.contains(Modifier::UNDERLINED) {
        style.push_str(";text-decoration:underline");
    }
    if m.contains(Modifier::CROSSED_OUT) {
        style.push_str(";text-decoration:line-through");
    }
    style
}

/// A CSS colour for a terminal colour; `None` for the terminal's default.
pub fn color(c: Color) -> Option<String> {
    let rgb = |r: u8, g: u8, b: u8| Some(format!("#{r:02x}{g:02x}{b:02x}"));
    match c {
        Color::Reset => None,
        Color::Black => rgb(0, 0, 0),
        Color::Red => rgb(205, 49, 49),
        Color::Green => rgb(13, 188, 121),
        Color::Yellow => rgb(229, 229, 16),
        Color::Blue => rgb(36, 114, 200),
        Color::Magenta => rgb(188, 63, 188),
        Color::Cyan => rgb(17, 168, 205),
        Color::Gray => rgb(204, 204, 204),
        Color::DarkGray => rgb(118, 118, 118),
        Color::LightRed => rgb(241, 76, 76),
        Color::LightGreen => rgb(35, 209, 139),
        Color::LightYellow => rgb(245, 245, 67),
        Color::LightBlue => rgb(59, 142, 234),
        Color::LightMagenta => rgb(214, 112, 214),
        Color::LightCyan => rgb(41, 184, 219),
        Color::White => rgb(242, 242, 242),
        Color::Rgb(r, g, b) => rgb(r, g, b),
        Color::Indexed(i) => {
            let (r, g, b) = xterm(i);
            rgb(r, g, b)
        }
    }
}

/// The xterm 256-colour palette.
fn xterm(i: u8) -> (u8, u8, u8) {
    match i {
        0..=15 => crate::app::theme_colours::NAMED_RGB[usize::from(i)],
        16..=231 => {
            let n = i - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            (level(n / 36), level(n / 6 % 6), level(n % 6))
        }
        _ => {
            let v = 8 + (i - 232) * 10;
            (v, v, v)
        }
    }
}

/// HTML text escaping (also fine inside attribute values).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    fn sample() -> Buffer {
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 2));
        buf.set_string(0, 0, "a<b>&\"c\"", Style::new().fg(Color::Red));
        buf.set_string(
            0,
            1,
            "日本 ok",
            Style::new()
                .bg(Color::Rgb(1, 2, 3))
                .add_modifier(Modifier::BOLD),
        );
        buf
    }

    #[test]
    fn text_keeps_every_character_and_trims_trailing_spaces() {
        assert_eq!(to_text(&sample()), "a<b>&\"c\"\n日本 ok\n");
    }

    #[test]
    fn html_escapes_text_and_keeps_colours() {
        let html = to_html(&sample(), "a <title>");
        assert!(html.contains("<title>a &lt;title&gt;</title>"), "{html}");
        assert!(
            html.contains("<span style=\"color:#cd3131;background:#101418\">a&lt;b&gt;&amp;&quot;c&quot;</span>"),
            "{html}"
        );
        assert!(
            html.contains(
                "<span style=\"color:#d0d0d0;background:#010203;font-weight:bold\">日本 ok</span>"
            ),
            "{html}"
        );
        // No raw markup from the screen's text reaches the page.
        assert!(!html.contains("a<b>"));
        assert_eq!(
            html.matches("<span").count(),
            html.matches("</span>").count()
        );
    }

    #[test]
    fn palette_colours_map_to_css() {
        assert_eq!(color(Color::Reset), None);
        assert_eq!(color(Color::Indexed(196)).as_deref(), Some("#ff0000"));
        assert_eq!(color(Color::Indexed(244)).as_deref(), Some("#808080"));
    }
}
