//! Text from sources is untrusted: it is cleaned once, where it enters, so that
//! nothing a source sends can move the cursor, change colours or ring the bell.

type Text = std::sync::Arc<str>;

/// Removes control characters and whole terminal escape sequences (CSI, OSC and
/// two-byte ESC sequences). Tabs and newlines become spaces so a title stays one line.
pub fn sanitize(raw: &str) -> Text {
    if is_clean(raw) {
        return Text::from(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}' => out.push(' '),
            '\u{1b}' => match chars.next() {
                // CSI: parameters and intermediates up to a final byte 0x40..=0x7E.
                Some('[') => {
                    for n in chars.by_ref() {
                        if ('\u{40}'..='\u{7e}').contains(&n) {
                            break;
                        }
                    }
                }
                // OSC, DCS, SOS, PM, APC: up to BEL or ST (ESC \).
                Some(']' | 'P' | 'X' | '^' | '_') => skip_string(&mut chars),
                _ => {}
            },
            '\u{9b}' => {
                for n in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&n) {
                        break;
                    }
                }
            }
            '\u{9d}' | '\u{90}' => skip_string(&mut chars),
            c if c.is_control() || is_format(c) => {}
            c => out.push(c),
        }
    }
    Text::from(out)
}

/// [`sanitize`] for a record's id (`model::Id`): kept inline when short, with
/// no allocation when the id is clean (as ids almost always are).
pub fn sanitize_id(raw: &str) -> compact_str::CompactString {
    if is_clean(raw) {
        compact_str::CompactString::from(raw)
    } else {
        compact_str::CompactString::from(&*sanitize(raw))
    }
}

/// Whether a URL carries a username or password (`scheme://user:pw@host`).
pub fn url_has_userinfo(text: &str) -> bool {
    redact_url(text) != text
}

/// Hides the userinfo of every URL in `text`: `http://u:pw@host/x` becomes
/// `http://***@host/x`. Every URL that reaches an error, a log line or a
/// `Debug` goes through here, so a password in a URL is never shown.
pub fn redact_url(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        // The authority runs up to the path, query, fragment or the end of the word.
        let end = tail
            .find(|c: char| {
                matches!(c, '/' | '?' | '#' | '\\' | '\'' | '"' | '>' | ')') || c.is_whitespace()
            })
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str("***");
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(n) = chars.next() {
        if n == '\u{7}' || n == '\u{9c}' {
            break;
        }
        if n == '\u{1b}' {
            if chars.peek() == Some(&'\\') {
                chars.next();
            }
            break;
        }
    }
}

/// Nothing to clean: printable ASCII (the common case, checked a byte at a
/// time without decoding), or no character that needs cleaning.
fn is_clean(raw: &str) -> bool {
    raw.bytes().all(|b| (0x20..0x7f).contains(&b)) || !raw.chars().any(needs_cleaning)
}

fn needs_cleaning(c: char) -> bool {
    c.is_control() || is_format(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Unicode format characters (general category Cf): invisible, yet terminals
/// disagree on their width, so they leave stray cells and shift borders (soft
/// hyphen, zero-width joiner and spaces, word joiner, BOM, tags); the
/// bidirectional overrides and isolates among them can also make text display
/// in another order than it reads ("Trojan Source"). The list is Unicode 16's.
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{ad}' | '\u{600}'..='\u{605}' | '\u{61c}' | '\u{6dd}' | '\u{70f}'
        | '\u{890}'..='\u{891}' | '\u{8e2}' | '\u{180e}' | '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206f}'
        | '\u{feff}' | '\u{fff9}'..='\u{fffb}' | '\u{110bd}' | '\u{110cd}'
        | '\u{13430}'..='\u{1343f}' | '\u{1bca0}'..='\u{1bca3}' | '\u{1d173}'..='\u{1d17a}'
        | '\u{e0001}' | '\u{e0020}'..='\u{e007f}')
}

/// Columns `s` takes on a terminal: a CJK character or an emoji takes two.
/// The closest of `known` to `word`, when it is close enough to be a typo.
pub fn closest<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(word, k), *k))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

pub fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// `s` cut to at most `max` columns, ending with `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let room = max.saturating_sub(1);
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > room {
            break;
        }
        used += w;
        out.push(c);
    }
    if max > 0 {
        out.push('…');
    }
    out
}

/// `s` padded with spaces on the right to `columns` columns (as `{:<N}` does,
/// but counting display columns rather than characters).
pub fn pad_right(s: &str, columns: usize) -> String {
    let fill = columns.saturating_sub(width(s));
    let mut out = String::with_capacity(s.len() + fill);
    out.push_str(s);
    out.extend(std::iter::repeat_n(' ', fill));
    out
}

#[cfg(test)]
mod tests {
    use super::{pad_right, redact_url, sanitize, truncate, url_has_userinfo, width};

    #[test]
    fn plain_text_is_kept() {
        assert_eq!(&*sanitize("checkout: fix löss"), "checkout: fix löss");
    }

    #[test]
    fn escape_sequences_are_removed_whole() {
        assert_eq!(&*sanitize("a\u{1b}[31;1mred\u{1b}[0m b"), "ared b");
        assert_eq!(&*sanitize("x\u{1b}]0;title\u{7}y"), "xy");
        assert_eq!(&*sanitize("x\u{1b}]8;;http://e\u{1b}\\link"), "xlink");
        assert_eq!(&*sanitize("bell\u{7} and\tnl\n"), "bell and nl ");
        assert_eq!(&*sanitize("c1\u{9b}2Jz"), "c1z");
        assert_eq!(&*sanitize("evil\u{202e}txt.exe"), "eviltxt.exe");
    }

    #[test]
    fn invisible_format_characters_are_removed_and_separators_become_spaces() {
        // Soft hyphen, zero-width joiner and space, word joiner, BOM, a tag.
        let raw = "pay\u{ad}ments \u{200d}a\u{200b}b\u{2060}c\u{feff}d\u{e0041}";
        let clean = sanitize(raw);
        assert_eq!(&*clean, "payments abcd");
        assert_eq!(width(&clean), clean.chars().count(), "no cell is guessed");
        assert_eq!(&*sanitize("one\u{2028}two\u{2029}three"), "one two three");
        // Bidi overrides, as before.
        assert_eq!(&*sanitize("a\u{202e}b\u{2066}c"), "abc");
    }

    #[test]
    fn userinfo_in_urls_is_redacted() {
        assert_eq!(
            redact_url("http://u:hunter2@127.0.0.1:9/x?q=1"),
            "http://***@127.0.0.1:9/x?q=1"
        );
        assert_eq!(redact_url("https://tok@h"), "https://***@h");
        assert_eq!(
            redact_url("GET http://a:b@h/p failed; see https://c:d@e#f"),
            "GET http://***@h/p failed; see https://***@e#f"
        );
        // The '@' of a path or query is no userinfo.
        assert_eq!(redact_url("http://h/p@x?y=a@b"), "http://h/p@x?y=a@b");
        assert_eq!(redact_url("no url at all"), "no url at all");
        assert_eq!(redact_url("'http://u:p@h'"), "'http://***@h'");
        assert!(url_has_userinfo("http://u:hunter2@127.0.0.1:9/"));
        assert!(!url_has_userinfo("http://127.0.0.1:9/"));
    }

    #[test]
    fn widths_count_terminal_columns() {
        assert_eq!(width("alpha"), 5);
        assert_eq!(width("東京"), 4);
        assert_eq!(width("🚀"), 2);
        assert_eq!(width("café"), 4);
    }

    #[test]
    fn truncate_and_pad_by_columns() {
        assert_eq!(truncate("alpha", 5), "alpha");
        assert_eq!(truncate("alphabet", 5), "alph…");
        // 東京チーム is ten columns: four of them and the ellipsis fit in six.
        assert_eq!(truncate("東京チーム", 6), "東京…");
        assert_eq!(truncate("東京チーム", 5), "東京…");
        assert_eq!(width(&truncate("東京チーム", 5)), 5);
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(pad_right("東京", 6), "東京  ");
        assert_eq!(pad_right("abc", 2), "abc");
        assert_eq!(
            width(&pad_right(&truncate("🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀", 20), 20)),
            20
        );
    }
}
