//! Wakes the poll of a followed file as soon as the file changes (inotify on
//! Linux, through the `notify` crate), so an appended line reaches the screen
//! in milliseconds instead of at the next interval; the interval stays as the
//! fallback where notification is unavailable.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::Notify;

/// A change signal for one file; the watcher lives as long as this does.
pub struct FileWatch {
    changed: Arc<Notify>,
    _watcher: RecommendedWatcher,
}

impl std::fmt::Debug for FileWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FileWatch")
    }
}

impl FileWatch {
    /// Watches `path` through its folder, so that a file replaced or rotated
    /// (a new inode under the same name) keeps waking the poll.
    pub fn new(path: &Path) -> Result<Self, String> {
        let target = absolute(path);
        let folder = target
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let changed = Arc::new(Notify::new());
        let signal = changed.clone();
        let name = target.file_name().map(|n| n.to_os_string());
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                let Ok(event) = event else { return };
                let ours = event
                    .paths
                    .iter()
                    .any(|p| p.file_name().map(|n| n.to_os_string()) == name);
                // Reads do not change what a poll would find.
                if ours && !matches!(event.kind, EventKind::Access(_)) {
                    // One stored permit: a burst of writes wakes one poll, and a
                    // write during that poll wakes one more.
                    signal.notify_one();
                }
            })
            .map_err(|e| format!("cannot watch {}: {e}", folder.display()))?;
        watcher
            .watch(&folder, RecursiveMode::NonRecursive)
            .map_err(|e| format!("cannot watch {}: {e}", folder.display()))?;
        Ok(Self {
            changed,
            _watcher: watcher,
        })
    }

    /// Resolves when the file has changed since the last call returned.
    pub async fn changed(&self) {
        self.changed.notified().await;
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::time::Duration;

    #[tokio::test]
    async fn an_append_wakes_and_a_quiet_file_does_not() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("events.ndjson");
        std::fs::write(&path, "").expect("create");
        let other = dir.path().join("other.txt");
        let watch = FileWatch::new(&path).expect("watch");
        // Another file in the folder does not wake it.
        std::fs::write(&other, "x").expect("write other");
        let quiet = tokio::time::timeout(Duration::from_millis(300), watch.changed()).await;
        assert!(quiet.is_err(), "woken by another file");
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .expect("open");
        writeln!(f, "{{}}").expect("append");
        let woke = tokio::time::timeout(Duration::from_secs(5), watch.changed()).await;
        assert!(woke.is_ok(), "an append wakes the poll");
    }
}
