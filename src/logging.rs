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

/// Starts file logging; keep the guard alive until exit so the last lines are
/// written. `FLIGHTDECK_LOG` sets the filter (default `info`). Without a usable
/// directory logging is off: the cockpit runs the same.
pub fn init() -> Option<WorkerGuard> {
    let dir = log_dir()?;
    std::fs::create_dir_all(&dir).ok()?;
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
