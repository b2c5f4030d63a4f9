//! Running the `git` program: a fixed argument list, no shell, no pager, no
//! prompts, and an environment that cannot redirect git to another repository.

use std::ffi::OsStr;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use super::GitError;

/// Variables that would make git read a different repository or index than `path`.
const REPOSITORY_VARIABLES: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_COMMON_DIR",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_REPLACE_REF_BASE",
    "GIT_GRAFT_FILE",
    "GIT_SHALLOW_FILE",
];

/// Stderr kept for an error message (git's own messages are short).
const STDERR_CAP: u64 = 4096;

/// A repository folder and the git program that reads it.
pub struct Git {
    program: PathBuf,
    repo: PathBuf,
    /// Every git run is killed when it is still running at this instant.
    deadline: Option<Instant>,
}

impl Git {
    pub fn new(program: PathBuf, repo: PathBuf, timeout: Option<Duration>) -> Self {
        Self {
            program,
            repo,
            deadline: timeout.map(|t| Instant::now() + t),
        }
    }

    pub fn repo(&self) -> &Path {
        &self.repo
    }

    fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(&self.program);
        cmd.arg("-C")
            .arg(&self.repo)
            .args([
                "--no-pager",
                "--no-replace-objects",
                "-c",
                "core.quotepath=off",
                "-c",
                "log.showSignature=false",
                "-c",
                "color.ui=false",
            ])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_OPTIONAL_LOCKS", "0")
            .env("GIT_PAGER", "cat");
        for var in REPOSITORY_VARIABLES {
            cmd.env_remove(var);
        }
        // Discovery stops at the folder itself: a plain folder inside some other
        // repository is "not a repository", not silently that other repository.
        if let Some(parent) = self.repo.parent() {
            cmd.env("GIT_CEILING_DIRECTORIES", parent);
        }
        cmd
    }

    fn spawn(&self, what: &'static str, cmd: &mut Command) -> Result<Child, GitError> {
        cmd.spawn().map_err(|source| {
            if source.kind() == io::ErrorKind::NotFound {
                GitError::GitMissing {
                    program: self.program.clone(),
                }
            } else {
                GitError::Io {
                    path: self.repo.clone(),
                    what,
                    source,
                }
            }
        })
    }

    /// Runs git to completion and returns its stdout, or `None` when it exits
    /// with a status in `tolerated` (e.g. 1 for `rev-parse --verify -q`).
    pub fn output(
        &self,
        what: &'static str,
        args: &[&str],
        tolerated: &[i32],
    ) -> Result<Option<Vec<u8>>, GitError> {
        self.output_with(what, args, Vec::new(), tolerated)
    }

    /// [`Git::output`] with `stdin` written to git's standard input.
    pub fn output_with(
        &self,
        what: &'static str,
        args: &[&str],
        stdin: Vec<u8>,
        tolerated: &[i32],
    ) -> Result<Option<Vec<u8>>, GitError> {
        let mut stream = self.stream(what, args, stdin)?;
        let mut out = Vec::new();
        stream
            .stdout
            .read_to_end(&mut out)
            .map_err(|source| GitError::Io {
                path: self.repo.clone(),
                what,
                source,
            })?;
        match stream.finish(self) {
            Ok(()) => Ok(Some(out)),
            Err(GitError::Failed {
                status: Some(code), ..
            }) if tolerated.contains(&code) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Starts git with `stdin` written to its standard input, for streaming its output.
    pub fn stream(
        &self,
        what: &'static str,
        args: &[&str],
        stdin: Vec<u8>,
    ) -> Result<Streaming, GitError> {
        let mut cmd = self.command(args);
        cmd.stdin(Stdio::piped());
        let mut child = self.spawn(what, &mut cmd)?;
        let timed_out = Arc::new(AtomicBool::new(false));
        let io_err = |source| GitError::Io {
            path: self.repo.clone(),
            what,
            source,
        };
        // Writing and reading at once: a writer thread, so neither pipe can fill up
        // while the other side waits (the input is small, but never assume).
        let writer = child.stdin.take().map(|mut pipe| {
            std::thread::spawn(move || {
                use std::io::Write;
                // A git that stops early closes the pipe; its exit status says why.
                let _ = pipe.write_all(&stdin);
            })
        });
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| io_err(io::Error::other("no stdout pipe")))?;
        let stderr = child.stderr.take();
        // Stderr is drained on its own thread so a chatty git cannot block.
        let stderr = stderr.map(|pipe| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = pipe.take(STDERR_CAP).read_to_end(&mut buf);
                buf
            })
        });
        let child = Arc::new(Mutex::new(Some(child)));
        // The watchdog kills git at the deadline; git's output then ends and
        // `finish` reports the timeout. Dropping `stop` ends the watchdog early.
        let (stop, stopped) = mpsc::channel::<()>();
        if let Some(deadline) = self.deadline {
            let child = Arc::clone(&child);
            let timed_out = Arc::clone(&timed_out);
            std::thread::spawn(move || {
                let wait = deadline.saturating_duration_since(Instant::now());
                if let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(wait) {
                    timed_out.store(true, Ordering::SeqCst);
                    if let Ok(mut guard) = child.lock()
                        && let Some(c) = guard.as_mut()
                    {
                        let _ = c.kill();
                    }
                }
            });
        }
        Ok(Streaming {
            child,
            stdout: BufReader::with_capacity(1 << 16, stdout),
            writer,
            stderr,
            what,
            timed_out,
            _stop: stop,
        })
    }

    fn failed(
        &self,
        what: &'static str,
        status: std::process::ExitStatus,
        stderr: &[u8],
    ) -> GitError {
        let text = String::from_utf8_lossy(&stderr[..stderr.len().min(STDERR_CAP as usize)]);
        GitError::Failed {
            path: self.repo.clone(),
            what,
            status: status.code(),
            stderr: crate::util::text::sanitize(text.trim()).to_string(),
        }
    }
}

/// A running git whose output is read as it comes. Dropping it early kills git.
pub struct Streaming {
    child: Arc<Mutex<Option<Child>>>,
    stdout: BufReader<ChildStdout>,
    writer: Option<std::thread::JoinHandle<()>>,
    stderr: Option<std::thread::JoinHandle<Vec<u8>>>,
    what: &'static str,
    timed_out: Arc<AtomicBool>,
    _stop: mpsc::Sender<()>,
}

impl Streaming {
    /// The next NUL-terminated field (without its NUL), `false` at the end.
    pub fn next_field(&mut self, buf: &mut Vec<u8>) -> io::Result<bool> {
        buf.clear();
        let n = self.stdout.read_until(0, buf)?;
        if n == 0 {
            return Ok(false);
        }
        if buf.last() == Some(&0) {
            buf.pop();
        }
        Ok(true)
    }

    /// Waits for git to exit and turns a failure into an error.
    pub fn finish(mut self, git: &Git) -> Result<(), GitError> {
        // Taken out of the watchdog's reach before waiting: a kill after this
        // point would be too late to matter anyway.
        let Some(mut child) = self.child.lock().ok().and_then(|mut c| c.take()) else {
            return Err(self.timeout_error(git));
        };
        let status = child.wait().map_err(|source| GitError::Io {
            path: git.repo.clone(),
            what: self.what,
            source,
        })?;
        if let Some(w) = self.writer.take() {
            let _ = w.join();
        }
        let stderr = self
            .stderr
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        if self.timed_out.load(Ordering::SeqCst) {
            Err(self.timeout_error(git))
        } else if status.success() {
            Ok(())
        } else {
            Err(git.failed(self.what, status, &stderr))
        }
    }

    fn timeout_error(&self, git: &Git) -> GitError {
        GitError::TimedOut {
            path: git.repo.clone(),
            what: self.what,
        }
    }
}

impl Drop for Streaming {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.lock().ok().and_then(|mut c| c.take()) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
