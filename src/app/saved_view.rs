//! What the cockpit keeps between runs (the commands layer reads and writes
//! the file): the screen shown, the window, and each screen's sort and filter.

use super::App;
use crate::store::WINDOW_DAYS;

impl App {
    /// What the cockpit keeps between runs: the screen shown, the window and
    /// each screen's sort and filter, as (key, value) lines.
    pub fn saved_view(&self) -> Vec<(String, String)> {
        let mut out = vec![
            (
                "screen".to_string(),
                self.tabs[self.tab].screen.name().to_string(),
            ),
            ("window".to_string(), format!("{}d", self.window_days())),
        ];
        for slot in &self.tabs {
            if let Some(v) = slot.screen.saved_view() {
                out.push((format!("view {}", slot.screen.name()), v));
            }
        }
        out
    }

    /// Takes back what [`App::saved_view`] gave; unknown keys and values are
    /// ignored.
    pub fn restore_view(&mut self, lines: &[(String, String)]) {
        for (key, value) in lines {
            match key.as_str() {
                "screen" => {
                    if let Some(n) = self.tabs.iter().position(|s| s.screen.name() == value) {
                        self.tab = n;
                    }
                }
                "window" => {
                    if let Some(n) = WINDOW_DAYS.iter().position(|d| format!("{d}d") == *value) {
                        self.window = n;
                    }
                }
                _ => {
                    let Some(name) = key.strip_prefix("view ") else {
                        continue;
                    };
                    if let Some(slot) = self.tabs.iter_mut().find(|s| s.screen.name() == name) {
                        slot.screen.restore_view(value);
                    }
                }
            }
        }
    }
}
