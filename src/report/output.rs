//! Where a report goes: the teams it keeps (`--team`) and the file it is written
//! to (`--output`), atomically, so a reader never sees half a report.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::metrics::Scorecards;

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("unknown team {}; known teams: {}", quoted(.unknown), list(.known))]
    UnknownTeam {
        unknown: Vec<String>,
        known: Vec<String>,
    },
    #[error("cannot write the report to {path}: {reason}")]
    Write { path: PathBuf, reason: String },
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none (the input names no team)".into()
    } else {
        names.join(", ")
    }
}

/// Keeps only the named teams (exact names; all teams when `names` is empty).
/// A name that matches no team is an error listing the known ones, rather than
/// a report that silently says less than was asked for.
pub fn keep_teams(cards: &mut Scorecards, names: &[String]) -> Result<(), OutputError> {
    if names.is_empty() {
        return Ok(());
    }
    let unknown: Vec<String> = names
        .iter()
        .filter(|n| !cards.teams.iter().any(|t| &*t.team == n.as_str()))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(OutputError::UnknownTeam {
            unknown,
            known: cards.teams.iter().map(|t| t.team.to_string()).collect(),
        });
    }
    cards
        .teams
        .retain(|t| names.iter().any(|n| n.as_str() == &*t.team));
    Ok(())
}

/// Fails early, before any work, when `path` cannot take a report: it is a
/// directory, names no file, or its directory does not exist. Returns the
/// directory and the file name.
pub fn check_target(path: &Path) -> Result<(PathBuf, std::ffi::OsString), OutputError> {
    let fail = |reason: String| OutputError::Write {
        path: path.to_path_buf(),
        reason,
    };
    if path.is_dir() {
        return Err(fail("it is a directory".into()));
    }
    // Replacing a link by a file would quietly break whatever it linked.
    if path
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        return Err(fail(
            "it is a symbolic link; name its target to write there".into(),
        ));
    }
    let Some(name) = path.file_name() else {
        return Err(fail("it names no file".into()));
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(fail(format!(
            "the directory {} does not exist",
            dir.display()
        )));
    }
    Ok((dir, name.to_os_string()))
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a
/// rename: the file is either the old one or the whole new one, never a part.
/// The temporary file is removed when anything fails. A file that is replaced
/// keeps its permissions (a private 0600 report stays private).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let (dir, name) = check_target(path)?;
    let kept = std::fs::metadata(path).ok().map(|m| m.permissions());
    let fail = |e: std::io::Error| OutputError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // As a plainly created file: 0666 less the umask (tempfile's default is 0600).
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut file = builder.tempfile_in(&dir).map_err(fail)?;
    file.write_all(bytes).map_err(fail)?;
    if let Some(permissions) = kept {
        file.as_file().set_permissions(permissions).map_err(fail)?;
    }
    file.as_file().sync_all().map_err(fail)?;
    file.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the process umask takes away others' read bit (seen on a plain file).
    #[cfg(unix)]
    fn current_umask_hides_others_read() -> bool {
        use std::os::unix::fs::PermissionsExt;
        let probe = std::env::temp_dir().join(format!("fd-umask-{}", std::process::id()));
        std::fs::write(&probe, b"").ok();
        let mode = std::fs::metadata(&probe).map(|m| m.permissions().mode());
        std::fs::remove_file(&probe).ok();
        mode.is_ok_and(|m| m & 0o004 == 0)
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_mode_and_a_symlink_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("private.json");
        std::fs::write(&path, b"old").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        write_atomically(&path, b"new").expect("replaced");
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(std::fs::read(&path).expect("read"), b"new");
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&path, &link).expect("symlink");
        let e = write_atomically(&link, b"x").expect_err("a symlink is refused");
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert!(
            std::fs::symlink_metadata(&link)
                .expect("still there")
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            std::fs::read(&path).expect("read"),
            b"new",
            "target untouched"
        );
    }

    #[test]
    fn a_file_is_replaced_whole_and_no_temporary_file_stays() {
        let dir = std::env::temp_dir().join(format!("fd-out-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok();
        let path = dir.join("r.md");
        write_atomically(&path, b"first").ok();
        write_atomically(&path, b"second").ok();
        assert_eq!(std::fs::read(&path).ok().as_deref(), Some(&b"second"[..]));
        let names: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert_eq!(names.len(), 1, "{names:?}");
        #[cfg(unix)]
        {
            // Readable by others as a plainly created file is (umask permitting),
            // not tempfile's private 0600.
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).map(|m| m.permissions().mode());
            let umask_allows_read = mode.as_ref().is_ok_and(|m| m & 0o004 != 0);
            let expected = !current_umask_hides_others_read();
            assert_eq!(umask_allows_read, expected, "{mode:?}");
        }
        let err = write_atomically(&dir.join("missing/r.md"), b"x");
        assert!(
            err.as_ref()
                .is_err_and(|e| e.to_string().contains("does not exist")),
            "{err:?}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}
