//! The snapshot key's file I/O: the last rendered screen written to
//! `flightdeck-screen-YYYYMMDD-HHMMSS.txt` and `.html` in the working directory.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::Utc;
use ratatui::buffer::Buffer;

use crate::ui::screen_export;

/// Saves `page` in the working directory; the sentence for the status bar,
/// with the full path, so that the files can be found from another shell.
pub fn save_in_working_dir(page: &Buffer) -> String {
    let dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    match save(page, &dir) {
        Ok((text, html)) => format!(
            "saved {} and .{} ({} lines)",
            text.display(),
            html.extension()
                .map_or(String::new(), |e| e.to_string_lossy().into_owned()),
            page.area.height
        ),
        Err(e) => format!("cannot save the screen in {}: {e}", dir.display()),
    }
}

/// Writes both files into `dir`, named by the wall-clock time; a second save in
/// the same second gets `-2`, `-3`, … rather than overwriting the first.
pub fn save(screen: &Buffer, dir: &Path) -> std::io::Result<(PathBuf, PathBuf)> {
    if screen.area.is_empty() {
        return Err(std::io::Error::other("nothing drawn yet"));
    }
    let stamp = Utc::now().format("%Y%m%d-%H%M%S").to_string();
    let title = format!("flightdeck screen {stamp}");
    let text = screen_export::to_text(screen);
    let html = screen_export::to_html(screen, &title);
    for n in 1..100 {
        let stem = if n == 1 {
            format!("flightdeck-screen-{stamp}")
        } else {
            format!("flightdeck-screen-{stamp}-{n}")
        };
        let txt_path = dir.join(format!("{stem}.txt"));
        let html_path = dir.join(format!("{stem}.html"));
        match create_new(&txt_path, text.as_bytes()) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
        if let Err(e) = create_new(&html_path, html.as_bytes()) {
            let _ = std::fs::remove_file(&txt_path);
            return Err(e);
        }
        return Ok((txt_path, html_path));
    }
    Err(std::io::Error::other("too many screens saved this second"))
}

fn create_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    f.write_all(bytes)?;
    f.flush()
}
