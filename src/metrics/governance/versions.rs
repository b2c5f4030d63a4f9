//! Versions of the standard stack's components (DESIGN.md "Account baseline
//! drift"): a leading `v` is stripped and missing parts are zero, so `3`,
//! `v3.0` and `3.0.0` are one version. Anything else does not parse, and a
//! component with such a version orders its versions by release time.

/// A version as `major.minor.patch`.
pub type Version = [u64; 3];

/// `v1.8` -> `[1, 8, 0]`; `None` for anything that is not one to three dotted
/// whole numbers (`1.2.0-rc.1`, `latest`, `1.2.3.4`, `1..2`).
pub fn parse(text: &str) -> Option<Version> {
    let text = text.trim();
    let text = text.strip_prefix('v').unwrap_or(text);
    let mut parts = [0u64; 3];
    for (n, part) in text.split('.').enumerate() {
        if n == 3 || part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        parts[n] = part.parse().ok()?;
    }
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn leading_v_and_missing_parts() {
        assert_eq!(parse("v1.8.0"), Some([1, 8, 0]));
        assert_eq!(parse("3"), Some([3, 0, 0]));
        assert_eq!(parse("v2.1"), Some([2, 1, 0]));
        assert_eq!(parse("1.2.0-rc.1"), None);
        assert_eq!(parse("1.2.3.4"), None);
        assert_eq!(parse("latest"), None);
        assert_eq!(parse("1..2"), None);
        assert_eq!(parse(""), None);
        assert_eq!(parse("v"), None);
    }
}
