//! The acknowledged release-window alerts, kept in the state directory so that
//! a restart does not bring back what the user already saw. One line per
//! alert: the time it was acknowledged (RFC 3339), a tab, its key. The file is
//! the user's own (mode 0600); a file that cannot be read is a warning, never
//! a reason not to start.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::metrics::alert_log::AlertLog;
use crate::model::{Text, Time};

/// The file's name inside the state directory.
pub const FILE: &str = "acknowledged-alerts.tsv";

const HEADER: &str = "# flightdeck: acknowledged release-window alerts (time, tab, alert key)";

/// The state directory: `$FLIGHTDECK_STATE_DIR` when set (tests), else
/// `$XDG_STATE_HOME/flightdeck`, else `~/.local/state/flightdeck`.
pub fn state_dir() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = var("FLIGHTDECK_STATE_DIR") {
        return Some(dir);
    }
    // The XDG rule: a relative path is invalid and ignored.
    if let Some(dir) = var("XDG_STATE_HOME").filter(|d| d.is_absolute()) {
        return Some(dir.join("flightdeck"));
    }
    var("HOME").map(|home| home.join(".local/state/flightdeck"))
}

/// What reading the file gave: the acknowledgements, and a warning naming the
/// file when some or all of it could not be read.
#[derive(Debug, Default)]
pub struct Loaded {
    pub acks: Vec<(Text, Time)>,
    pub warning: Option<String>,
}

/// Reads the acknowledgements saved at `path`; a missing file is none.
pub fn load(path: &Path) -> Loaded {
    let text = match crate::util::files::open_regular(path).and_then(|mut f| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut f, &mut s).map(|_| s)
    }) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Loaded::default(),
        Err(e) => {
            return Loaded {
                acks: Vec::new(),
                warning: Some(format!(
                    "acknowledged alerts not read from {}: {e}",
                    path.display()
                )),
            };
        }
    };
    parse(&text, path)
}

/// Parses the file's text; bad lines are skipped and counted in the warning.
pub fn parse(text: &str, path: &Path) -> Loaded {
    let mut loaded = Loaded::default();
    let mut bad = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let parsed = line.split_once('\t').and_then(|(at, key)| {
            let at = chrono::DateTime::parse_from_rfc3339(at).ok()?;
            let key = crate::util::text::sanitize(key);
            (!key.trim().is_empty()).then(|| (key, at.with_timezone(&chrono::Utc)))
        });
        match parsed {
            Some(ack) => loaded.acks.push(ack),
            None => bad.push(n + 1),
        }
    }
    if !bad.is_empty() {
        let lines: Vec<String> = bad.iter().take(5).map(ToString::to_string).collect();
        loaded.warning = Some(format!(
            "{}: skipped {} (line {}{}); expected a time, a tab and an alert key",
            path.display(),
            crate::util::format::plural(bad.len(), "unreadable line"),
            lines.join(", "),
            if bad.len() > 5 { ", …" } else { "" }
        ));
    }
    loaded
}

/// Writes the log's acknowledgements to `path` (creating its directory),
/// readable by the owner only; the old file is replaced in one step.
pub fn save(path: &Path, log: &AlertLog) -> std::io::Result<()> {
    let mut body = String::from(HEADER);
    body.push('\n');
    for (key, at) in log.acknowledgements() {
        body.push_str(&at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        body.push('\t');
        body.push_str(key);
        body.push('\n');
    }
    write_private(path, &body)
}

/// Writes `body` to `path` readable by the owner only, replacing the old file
/// in one step (a crash leaves the old file or the new one, never half).
pub fn write_private(path: &Path, body: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp)?;
    file.write_all(body.as_bytes())?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)
}
