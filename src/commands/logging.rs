//! Logs go to a file under the state (or cache) directory, never to the screen.

use std::path::PathBuf;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Where the log file lives, if the platform has such a directory.
pub fn log_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "flightdeck")?;
    Some(
        dirs.state_dir()
            .map(|d| d.to_path_buf())
            .unwrap_or_else(|| dirs.cache_dir().to_path_buf()),
    )
}

/// Creates the log file readable by its owner only (mode 0600 on unix), or
/// tightens an existing one: URLs and errors in it are nobody else's business.
pub fn private_file(path: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let opened = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .open(path);
        if opened.is_ok() {
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Starts file logging; keep the guard alive until exit so the last lines are
/// written. `FLIGHTDECK_LOG` sets the filter (default `info`). Without a usable
/// directory logging is off: the cockpit runs the same.
pub fn init() -> Option<WorkerGuard> {
    let dir = log_dir()?;
    std::fs::create_dir_all(&dir).ok()?;
    private_file(&dir.join("flightdeck.log"));
    let appender = tracing_appender::rolling::never(&dir, "flightdeck.log");
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter =
        EnvFilter::try_from_env("FLIGHTDECK_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}
