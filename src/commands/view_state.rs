//! What the cockpit keeps between runs besides acknowledged alerts: the
//! screen shown, the window and each screen's sort and filter
//! (`App::saved_view`), in the state directory, one `key<TAB>value` line each.
//! Saved when the cockpit quits; read when it starts unless `--fresh`. A file
//! that cannot be read is a warning, never a reason not to start.

use std::path::Path;

/// The file's name inside the state directory.
pub const FILE: &str = "view.tsv";

const HEADER: &str = "# flightdeck: the last screen, window, sorts and filters (key, tab, value)";

/// The saved lines, and a warning naming the file when it could not be read.
pub fn load(path: &Path) -> (Vec<(String, String)>, Option<String>) {
    let text = match crate::util::files::open_regular(path).and_then(|mut f| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut f, &mut s).map(|_| s)
    }) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Vec::new(), None),
        Err(e) => {
            let warning = format!("last view not read from {}: {e}", path.display());
            return (Vec::new(), Some(warning));
        }
    };
    let lines = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(k, v)| {
            // Control characters go (the text reaches the screen), but a
            // value's own tabs separate its parts (a sort and a filter).
            let clean = |s: &str| crate::util::text::sanitize(s).to_string();
            let parts: Vec<String> = v.split('\t').map(clean).collect();
            (clean(k), parts.join("\t"))
        })
        .collect();
    (lines, None)
}

/// Writes the lines to `path`, readable by the owner only.
pub fn save(path: &Path, lines: &[(String, String)]) -> std::io::Result<()> {
    let mut body = format!("{HEADER}\n");
    for (k, v) in lines {
        body.push_str(&format!("{k}\t{v}\n"));
    }
    super::acknowledgements::write_private(path, &body)
}
