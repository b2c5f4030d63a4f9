//! Tokens: read from an environment variable or a file, checked, never printed.

use std::path::Path;

/// A token, read from an environment variable or a file. Never printed.
#[derive(Clone)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Secret {
    /// Reads the token named by `token_env` or `token_file` (at most one is set).
    pub fn resolve(
        token_env: Option<&str>,
        token_file: Option<&Path>,
    ) -> Result<Option<Secret>, String> {
        if let Some(var) = token_env {
            return match std::env::var(var) {
                Ok(v) if !v.trim().is_empty() => {
                    Self::checked(v.trim(), &format!("token_env: ${var}")).map(Some)
                }
                _ => Err(format!(
                    "token_env: the environment variable {var} is not set"
                )),
            };
        }
        token_file.map(Self::from_file).transpose()
    }

    /// The token in `path`, without surrounding whitespace.
    pub fn from_file(path: &Path) -> Result<Secret, String> {
        // A token is a line, not a file of megabytes; a FIFO must not hang the start.
        match crate::util::files::read_to_string_capped(path, 64 * 1024) {
            Ok(v) if !v.trim().is_empty() => {
                Self::checked(v.trim(), &format!("token_file: {}", path.display()))
            }
            Ok(_) => Err(format!("token_file: {} is empty", path.display())),
            Err(e) => Err(format!("token_file: cannot read {}: {e}", path.display())),
        }
    }

    /// A token goes into an HTTP header: a control character (a stray escape,
    /// a second line) would be refused there with a puzzling message.
    fn checked(token: &str, origin: &str) -> Result<Secret, String> {
        match token.chars().position(char::is_control) {
            Some(at) => Err(format!(
                "{origin}: the token holds a control character (at character {}); a token is one line of printable text",
                at + 1
            )),
            None => Ok(Secret(token.to_string())),
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Compares without stopping at the first differing byte.
    pub fn matches(&self, offered: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), offered.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// A warning when a token file can be read by other users than its owner.
pub fn loose_permissions(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| {
        format!(
            "token_file: {} can be read by other users (mode {mode:04o}); chmod 600 it",
            path.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let s = Secret("ghp_abc".into());
        assert_eq!(format!("{s:?}"), "Secret(***)");
    }

    #[test]
    fn a_token_matches_only_itself() {
        let s = Secret("abc".into());
        assert!(s.matches("abc"));
        assert!(!s.matches("abd"));
        assert!(!s.matches("ab"));
        assert!(!s.matches(""));
    }
}
