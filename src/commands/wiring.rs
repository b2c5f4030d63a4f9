//! The composition root's shared parts: the async runtime every command runs
//! on, and how a configured source or an `--events` file joins the scheduler.

use std::sync::Arc;
use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr};
use tokio::sync::watch;

use crate::commands::registry;
use crate::config::SourceConfig;
use crate::model::settings::Settings;
use crate::sources::events_follow::{EventsPoller, EventsSpec};
use crate::sources::scheduler::{Schedule, Scheduler};
use crate::store::Snapshot;
use crate::util::clock::Clock;

/// The runtime of the cockpit, a replay and `serve`: two workers, as the
/// machines we target have two cores.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")
}

/// How often an events file named with `--events` is checked for new lines.
const FOLLOW_INTERVAL: Duration = Duration::from_secs(2);

pub fn follow_file(scheduler: &Scheduler, path: &std::path::Path) {
    // Named by the file name, so the status bar stays readable.
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let spec = EventsSpec {
        path: Some(path.to_path_buf()),
        url: None,
        token_env: None,
        token_file: None,
        max_body_bytes: None,
    };
    match EventsPoller::new(spec, crate::config::DEFAULT_TIMEOUT) {
        Ok(poller) => scheduler.spawn(
            Schedule {
                name: crate::util::text::sanitize(&name),
                kind: "events",
                interval: Some(FOLLOW_INTERVAL),
                timeout: crate::config::DEFAULT_TIMEOUT,
            },
            Box::new(poller),
        ),
        Err(e) => scheduler.spawn_failed(crate::util::text::sanitize(&name), "events", e),
    }
}

/// Starts a configured source on the scheduler; one that cannot start is shown
/// as failing with the reason, and the others start anyway.
pub fn start_source(
    scheduler: &Scheduler,
    source: &SourceConfig,
    settings: &Settings,
    snapshots: Option<watch::Receiver<Arc<Snapshot>>>,
    clock: &Clock,
) {
    let name = crate::util::text::sanitize(&source.name);
    let kind = registry::kind_name(&source.kind);
    match registry::build_with(source, settings, snapshots, clock.clone()) {
        Ok(poller) => scheduler.spawn(
            Schedule {
                name,
                kind,
                interval: source.interval,
                timeout: source.timeout,
            },
            poller,
        ),
        Err(error) => scheduler.spawn_failed(name, kind, error),
    }
}
