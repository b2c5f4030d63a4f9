//! The one glob matcher (on the `glob` crate's [`glob::Pattern`], which
//! matches characters, not bytes), in the two dialects the config uses.
//!
//! - [`Glob::wildcards`]: only `*` (any run of characters) and `?` (one
//!   character); every other character, `[` and `\` included, is itself.
//! - [`Glob::with_classes`]: `*`, `?`, `[...]` classes (`!` or `^` negates,
//!   ranges with `-`, a `]` right after `[` or `[!` is a member, `\` escapes the
//!   next character) and `\` escapes outside classes.
//!
//! In both, `*` also matches `/`, a run of stars is one star, `?` is one
//! character (not one byte), and matching is case-sensitive. A pattern is
//! translated into `glob::Pattern` syntax, where a literal `*`, `?` or `[` is
//! written `[*]`, `[?]`, `[[]`, and `**` is not a plain star.

use std::fmt;

/// A compiled glob.
#[derive(Clone)]
pub struct Glob {
    text: String,
    /// `None`: a class that can match no character, so nothing matches.
    pattern: Option<glob::Pattern>,
}

/// Why a pattern cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GlobError {
    #[error("a `[` class is not closed with `]`")]
    UnclosedClass,
    #[error("the pattern ends with a lone `\\`")]
    TrailingEscape,
    #[error("{0}")]
    Other(String),
}

const OPTIONS: glob::MatchOptions = glob::MatchOptions {
    case_sensitive: true,
    require_literal_separator: false,
    require_literal_leading_dot: false,
};

impl Glob {
    /// `*` and `?` only.
    pub fn wildcards(pattern: &str) -> Result<Self, GlobError> {
        let mut out = String::with_capacity(pattern.len() + 8);
        let mut last_star = false;
        for c in pattern.chars() {
            match c {
                '*' if last_star => {}
                '*' | '?' => out.push(c),
                c => push_literal(&mut out, c),
            }
            last_star = c == '*';
        }
        Self::compile(pattern, Some(out))
    }

    /// `*`, `?`, `[...]` classes and `\` escapes.
    pub fn with_classes(pattern: &str) -> Result<Self, GlobError> {
        let mut out = Some(String::with_capacity(pattern.len() + 8));
        let mut chars = pattern.chars().peekable();
        let mut last_star = false;
        while let Some(c) = chars.next() {
            let star = c == '*';
            match c {
                '*' if last_star => {}
                '*' | '?' => push(&mut out, c),
                '\\' => match chars.next() {
                    Some(e) => {
                        if let Some(out) = &mut out {
                            push_literal(out, e)
                        }
                    }
                    None => return Err(GlobError::TrailingEscape),
                },
                '[' => {
                    let class = Class::parse(&mut chars)?;
                    match (&mut out, class.to_pattern()) {
                        (Some(out), Some(class)) => out.push_str(&class),
                        _ => out = None,
                    }
                }
                c => {
                    if let Some(out) = &mut out {
                        push_literal(out, c)
                    }
                }
            }
            last_star = star;
        }
        Self::compile(pattern, out)
    }

    fn compile(text: &str, translated: Option<String>) -> Result<Self, GlobError> {
        let pattern = match translated {
            Some(t) => Some(glob::Pattern::new(&t).map_err(|e| GlobError::Other(e.to_string()))?),
            None => None,
        };
        Ok(Self {
            text: text.to_string(),
            pattern,
        })
    }

    /// Whether the whole of `text` matches.
    pub fn is_match(&self, text: &str) -> bool {
        self.pattern
            .as_ref()
            .is_some_and(|p| p.matches_with(text, OPTIONS))
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

fn push(out: &mut Option<String>, c: char) {
    if let Some(out) = out {
        out.push(c);
    }
}

/// A character that stands for itself, in `glob::Pattern` syntax.
fn push_literal(out: &mut String, c: char) {
    if matches!(c, '*' | '?' | '[') {
        out.push('[');
        out.push(c);
        out.push(']');
    } else {
        out.push(c);
    }
}

/// A `[...]` class as this dialect reads it: inclusive ranges (one character
/// is a range of one).
struct Class {
    negated: bool,
    ranges: Vec<(char, char)>,
}

impl Class {
    /// Reads a class after its `[`, up to and including its `]`.
    fn parse(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<Self, GlobError> {
        let negated = matches!(chars.peek(), Some('!' | '^'));
        if negated {
            chars.next();
        }
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let c = chars.next().ok_or(GlobError::UnclosedClass)?;
            // A `]` right after `[` or `[!` is a member, as in fnmatch.
            if c == ']' && !first {
                break;
            }
            first = false;
            let lo = if c == '\\' {
                chars.next().ok_or(GlobError::UnclosedClass)?
            } else {
                c
            };
            let mut lookahead = chars.clone();
            if lookahead.next() == Some('-')
                && let Some(hi) = lookahead.next()
                && hi != ']'
            {
                chars.next();
                chars.next();
                ranges.push((lo, hi));
            } else {
                ranges.push((lo, lo));
            }
        }
        Ok(Self { negated, ranges })
    }

    /// The class in `glob::Pattern` syntax, or `None` when it matches nothing.
    ///
    /// There a class ends at the first `]` after its first member, `x-y` is a
    /// range wherever a `-` stands between two members, a `-` last is itself,
    /// and `[!` negates. So a `]` member goes first, a `-` member last, and a
    /// class only of `!` is written without brackets.
    fn to_pattern(&self) -> Option<String> {
        let (mut close, mut bang, mut dash) = (None::<char>, false, false);
        let mut rest = Vec::new();
        for &(lo, hi) in &self.ranges {
            if lo > hi {
                continue; // a reversed range matches nothing
            }
            let (lo, hi) = match lo {
                '-' => {
                    dash = true;
                    match char::from_u32('-' as u32 + 1) {
                        Some(next) if hi > '-' => (next, hi),
                        _ => continue,
                    }
                }
                '!' => {
                    bang = true;
                    match char::from_u32('!' as u32 + 1) {
                        Some(next) if hi > '!' => (next, hi),
                        _ => continue,
                    }
                }
                _ => (lo, hi),
            };
            if lo == ']' {
                close = Some(close.map_or(hi, |h| h.max(hi)));
            } else {
                rest.push((lo, hi));
            }
        }
        let mut body = String::new();
        if let Some(hi) = close {
            body.push(']');
            if hi > ']' {
                body.push('-');
                body.push(hi);
            }
        }
        for (lo, hi) in rest {
            body.push(lo);
            if hi > lo {
                body.push('-');
                body.push(hi);
            }
        }
        if !self.negated && body.is_empty() {
            // Only `!` and `-` (or nothing): `!` first would negate.
            return match (dash, bang) {
                (false, false) => None,
                (true, false) => Some("-".into()),
                (false, true) => Some("!".into()),
                (true, true) => Some("[-!]".into()),
            };
        }
        if bang {
            body.push('!');
        }
        if dash {
            body.push('-');
        }
        if body.is_empty() {
            // A negated class of nothing: any one character.
            return Some("?".into());
        }
        Some(format!("[{}{body}]", if self.negated { "!" } else { "" }))
    }
}

impl PartialEq for Glob {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Glob {}

impl fmt::Debug for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Glob({:?})", self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(p: &str, t: &str) -> bool {
        Glob::wildcards(p).unwrap().is_match(t)
    }

    fn c(p: &str, t: &str) -> bool {
        Glob::with_classes(p).unwrap().is_match(t)
    }

    #[test]
    fn question_mark_is_one_character_not_one_byte() {
        assert!(w("caf?.sarif", "café.sarif"));
        assert!(w("?", "日"));
        assert!(w("?", "🚀"));
        assert!(!w("??", "日"));
        assert!(c("v?", "vé"));
        assert!(!c("v??", "vé"));
    }

    #[test]
    fn star_crosses_slashes_and_runs_are_one_star() {
        assert!(w("*", ""));
        assert!(w("*", "a/b/c"));
        assert!(w("a**b", "a/x/b"));
        assert!(c("**/x", "a/x"));
        assert!(!c("**/x", "x"));
        assert!(w("a*", "a\nb"));
        assert!(c("*/x", "a/x"));
        assert!(c("v**", "v"));
    }

    #[test]
    fn wildcards_take_everything_else_literally() {
        assert!(w("a[b]c", "a[b]c"));
        assert!(!w("a[b]c", "abc"));
        assert!(w("{a,b}", "{a,b}"));
        assert!(!w("{a,b}", "a"));
        assert!(w("a\\b", "a\\b"));
        assert!(w("\\", "\\"));
        assert!(w("", ""));
        assert!(!w("", "x"));
    }

    #[test]
    fn workflow_names() {
        assert!(w("Deploy*", "Deploy to prod"));
        assert!(w("*prod*", "deploy-prod-eu"));
        assert!(w("v?.*", "v1.2"));
        assert!(!w("Deploy*", "Build"));
    }

    #[test]
    fn matching_is_case_sensitive() {
        assert!(!w("Deploy*", "deploy"));
        assert!(!c("V*", "v1"));
    }

    #[test]
    fn classes_and_escapes() {
        assert!(c("v[0-9]*", "v2.0"));
        assert!(!c("v[0-9]*", "vx"));
        assert!(c("v[!0-9]*", "vx"));
        assert!(c("v[^0-9]*", "vx"));
        assert!(c("[]]", "]"));
        assert!(c("[!]]", "x"));
        assert!(!c("[!]]", "]"));
        assert!(c("\\*", "*"));
        assert!(!c("\\*", "x"));
        assert!(c("\\**", "*x"));
        assert!(!c("\\**", "x"));
        assert!(c("{a,b}", "{a,b}"));
        assert!(c("[{]", "{"));
        assert!(c("[a-]", "-"));
        assert!(c("[\\]]", "]"));
        assert!(c("[\\!]", "!"));
        assert!(!c("[\\!]", "x"));
        assert!(c("[!\\!]", "x"));
        assert!(!c("[!\\!]", "!"));
        assert!(c("[a\\-z]", "-"));
        assert!(!c("[a\\-z]", "b"));
        assert!(c("[--/]", "."));
        assert!(c("[]-a]", "_"));
        assert!(c("[*?[]", "["));
        assert!(!c("[*?[]", "x"));
        assert!(c("[é-ö]", "ñ"));
        assert!(c("[!a]", "é"));
    }

    #[test]
    fn reversed_ranges_match_nothing() {
        assert!(!c("v[9-0]", "v5"));
        assert!(!c("v[9-0]", "v"));
        assert!(c("v[!9-0]", "v5"));
        assert!(c("v[9-0a]", "va"));
    }

    #[test]
    fn bad_patterns_are_refused() {
        assert_eq!(
            Glob::with_classes("v[0-9").unwrap_err(),
            GlobError::UnclosedClass
        );
        assert_eq!(
            Glob::with_classes("v\\").unwrap_err(),
            GlobError::TrailingEscape
        );
        assert!(Glob::wildcards("a[b").is_ok());
        assert!(Glob::with_classes("a\\[b").is_ok());
    }

    /// The hand-written tag matcher this module replaced, as an oracle.
    mod oracle {
        #[derive(Clone, PartialEq)]
        enum Token {
            Literal(char),
            Any,
            Star,
            Class(bool, Vec<(char, char)>),
        }

        pub fn matches(pattern: &str, name: &str) -> Option<bool> {
            let mut tokens = Vec::new();
            let mut chars = pattern.chars().peekable();
            while let Some(c) = chars.next() {
                tokens.push(match c {
                    '*' => Token::Star,
                    '?' => Token::Any,
                    '\\' => Token::Literal(chars.next()?),
                    '[' => {
                        let mut chars2 = chars.clone();
                        let class = super::Class::parse(&mut chars2).ok()?;
                        chars = chars2;
                        Token::Class(class.negated, class.ranges)
                    }
                    c => Token::Literal(c),
                });
            }
            let one = |t: &Token, c: char| match t {
                Token::Literal(l) => *l == c,
                Token::Any => true,
                Token::Star => false,
                Token::Class(neg, r) => r.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *neg,
            };
            let name: Vec<char> = name.chars().collect();
            let (mut t, mut n) = (0, 0);
            let mut star: Option<(usize, usize)> = None;
            while n < name.len() {
                match tokens.get(t) {
                    Some(Token::Star) => {
                        star = Some((t, n));
                        t += 1;
                        continue;
                    }
                    Some(tok) if one(tok, name[n]) => {
                        t += 1;
                        n += 1;
                        continue;
                    }
                    _ => {}
                }
                let (st, sn) = star?;
                if sn >= name.len() {
                    return Some(false);
                }
                t = st + 1;
                n = sn + 1;
                star = Some((st, sn + 1));
            }
            Some(tokens[t..].iter().all(|tok| *tok == Token::Star))
        }
    }

    proptest::proptest! {
        #[test]
        fn classes_match_as_the_old_matcher_did(
            pattern in "[ab\\]\\[!^*?é/-]{0,8}",
            name in "[ab\\]\\[!^*?é/-]{0,6}",
        ) {
            if let (Ok(glob), Some(expected)) =
                (Glob::with_classes(&pattern), oracle::matches(&pattern, &name))
            {
                proptest::prop_assert_eq!(glob.is_match(&name), expected, "{:?} vs {:?}", pattern, name);
            }
        }
    }
}
