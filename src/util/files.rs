//! Opening files named from outside (events, findings, rollouts, tokens, the
//! config): regular files only. A named pipe with no writer blocks the open, and
//! a pipe or a device such as /dev/zero can block a read or never end it; a
//! blocking read cannot be cancelled, so such a file would keep the process
//! alive after the user quits. They are refused by name before a byte is read.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Opens `path` for reading when it is a regular file (symbolic links are
/// followed). The error names the kind of file, not the path: callers name it. The open itself never blocks: it is non-blocking, and the kind
/// is checked on the opened file, so nothing can be swapped in between.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let file = open_nonblocking(path)?;
    let kind = file.metadata()?.file_type();
    if kind.is_file() {
        return Ok(file);
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{}, not a regular file (flightdeck reads only files it can read to the end: \
             save the stream to a file and give that)",
            describe(&kind)
        ),
    ))
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK only changes how FIFOs and devices open and read; on a regular
    // file, the only kind returned, reads behave as usual.
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    File::open(path)
}

fn describe(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// The whole of the regular file `path` as text, refused when it is larger than
/// `limit` bytes (checked while reading, so a file that grows is caught too).
pub fn read_to_string_capped(path: &Path, limit: u64) -> io::Result<String> {
    let file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!(
                "larger than the {} limit",
                crate::util::format::bytes(limit)
            ),
        ));
    }
    String::from_utf8(bytes)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("not UTF-8 text: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("fd-files-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn a_fifo_is_refused_at_once_without_a_writer() {
        let d = dir("fifo");
        let fifo = d.join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("skipped: mkfifo is not available");
            return;
        }
        // Opening a FIFO for reading with no writer would block forever.
        let e = open_regular(&fifo).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert!(
            e.to_string()
                .contains("a named pipe (FIFO), not a regular file"),
            "{e}"
        );
        std::fs::remove_dir_all(&d).ok();
    }

    #[test]
    fn devices_and_directories_are_refused_by_kind() {
        let e = open_regular(Path::new("/dev/zero")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("a character device, not a regular file"),
            "{e}"
        );
        let e = open_regular(&std::env::temp_dir()).unwrap_err();
        assert!(e.to_string().starts_with("a directory"), "{e}");
    }

    #[test]
    fn a_file_over_the_limit_is_refused_and_one_under_is_read() {
        let d = dir("cap");
        let f = d.join("f");
        std::fs::write(&f, "12345").unwrap();
        assert_eq!(read_to_string_capped(&f, 5).unwrap(), "12345");
        let e = read_to_string_capped(&f, 4).unwrap_err();
        assert!(e.to_string().eq("larger than the 4 B limit"), "{e}");
        std::fs::remove_dir_all(&d).ok();
    }
}
