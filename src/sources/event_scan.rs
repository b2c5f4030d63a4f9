//! A fast path for the common event lines: one flat JSON object whose values
//! are plain strings (no escapes), lists of plain strings, whole numbers,
//! booleans or null. Such a line is scanned once into its members, without
//! serde's field matching and per-string UTF-8 checks; any other line (an
//! escape, a nested object, a fraction, a syntax error...) gives `None` and is
//! parsed by serde as before, which also words the errors. So the fast path
//! only ever accepts what serde accepts, and reads it the same way.

/// One member's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Value<'a> {
    Str(&'a str),
    /// A list of plain strings: its text between the brackets (see [`items`]).
    List(&'a str),
    /// A whole number of at most 19 digits (it fits a `u64`).
    Int(u64),
    Bool(bool),
    Null,
}

/// Members kept at most: a line with more goes the general way.
const MAX_MEMBERS: usize = 24;

/// The members of one scanned line, in line order.
pub(super) struct Members<'a> {
    list: [(&'a str, Value<'a>); MAX_MEMBERS],
    len: usize,
    /// The first `type` member's value, noted while scanning: every line is
    /// dispatched on it, and a search for it cost 3% of a parse.
    kind: Option<Value<'a>>,
}

impl<'a> Members<'a> {
    pub(super) fn iter(&self) -> impl Iterator<Item = (&'a str, Value<'a>)> + '_ {
        self.list[..self.len].iter().copied()
    }

    /// The first member named `type`.
    pub(super) fn kind(&self) -> Option<Value<'a>> {
        self.kind
    }
}

impl Default for Members<'_> {
    fn default() -> Self {
        Self {
            list: [("", Value::Null); MAX_MEMBERS],
            len: 0,
            kind: None,
        }
    }
}

/// Scans `line` (no newline) as one flat JSON object into `members` (empty
/// ones: filled where they lie, as a kilobyte returned by value was copied
/// once a line); `None` when it is not one of the simple shapes above.
pub(super) fn scan<'a>(line: &'a [u8], members: &mut Members<'a>) -> Option<()> {
    debug_assert_eq!(members.len, 0, "members to fill are empty");
    // Checked once for the whole line: every string slice below starts and
    // ends at an ASCII quote, so each is valid UTF-8 too.
    let text = std::str::from_utf8(line).ok()?;
    let mut s = Scanner {
        b: line,
        text,
        at: 0,
    };
    s.skip_ws();
    s.eat(b'{')?;
    s.skip_ws();
    if s.peek()? == b'}' {
        s.at += 1;
    } else {
        loop {
            let key = s.string()?;
            s.skip_ws();
            s.eat(b':')?;
            s.skip_ws();
            let value = s.value()?;
            if key == "type" && members.kind.is_none() {
                members.kind = Some(value);
            }
            *members.list.get_mut(members.len)? = (key, value);
            members.len += 1;
            s.skip_ws();
            match s.peek()? {
                b',' => {
                    s.at += 1;
                    s.skip_ws();
                }
                b'}' => {
                    s.at += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    s.skip_ws();
    (s.at == line.len()).then_some(())
}

/// The strings of a [`Value::List`]'s text (checked plain when scanned).
pub(super) fn items(list: &str) -> impl Iterator<Item = &str> {
    let mut s = Scanner {
        b: list.as_bytes(),
        text: list,
        at: 0,
    };
    std::iter::from_fn(move || {
        s.skip_ws();
        if s.peek()? == b',' {
            s.at += 1;
            s.skip_ws();
        }
        s.string()
    })
}

/// The position of the first `"`, `\\` or control byte in `b`: eight bytes
/// at a time, the first hit in a word read from its flags, then byte by byte
/// for the last few.
fn string_end(b: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // Flags the bytes of `x` below `n` (n <= 128). Only the lowest flag is
    // sure (a borrow can flag a byte above it), and only the lowest is read.
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGHS;
    let mut at = 0;
    while let Some(word) = b.get(at..at + 8) {
        let mut w = [0; 8];
        w.copy_from_slice(word);
        let w = u64::from_le_bytes(w);
        let hits = below(w ^ (ONES * u64::from(b'"')), 1)
            | below(w ^ (ONES * u64::from(b'\\')), 1)
            | below(w, 0x20);
        if hits != 0 {
            return Some(at + hits.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    let rest = b.get(at..)?;
    rest.iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
        .map(|p| at + p)
}

struct Scanner<'a> {
    b: &'a [u8],
    text: &'a str,
    at: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// A string without escapes or control characters (JSON forbids those raw).
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        let end = start + string_end(&self.b[start..])?;
        if self.b[end] != b'"' {
            return None;
        }
        self.at = end + 1;
        self.text.get(start..end)
    }

    fn value(&mut self) -> Option<Value<'a>> {
        match self.peek()? {
            b'"' => self.string().map(Value::Str),
            b'[' => self.list(),
            b'0'..=b'9' => self.int(),
            b't' => self.word(b"true", Value::Bool(true)),
            b'f' => self.word(b"false", Value::Bool(false)),
            b'n' => self.word(b"null", Value::Null),
            _ => None,
        }
    }

    fn word(&mut self, word: &[u8], value: Value<'a>) -> Option<Value<'a>> {
        self.b[self.at..].starts_with(word).then(|| {
            self.at += word.len();
            value
        })
    }

    /// `0` or a digit string without a leading zero, of at most 19 digits,
    /// not followed by a fraction or an exponent.
    fn int(&mut self) -> Option<Value<'a>> {
        let start = self.at;
        let digits = self.b[start..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits > 19 || (digits > 1 && self.b[start] == b'0') {
            return None;
        }
        self.at += digits;
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        self.text.get(start..self.at)?.parse().ok().map(Value::Int)
    }

    /// `[` plain strings separated by commas `]`.
    fn list(&mut self) -> Option<Value<'a>> {
        self.eat(b'[')?;
        let start = self.at;
        self.skip_ws();
        if self.peek()? != b']' {
            loop {
                self.string()?;
                self.skip_ws();
                match self.peek()? {
                    b',' => {
                        self.at += 1;
                        self.skip_ws();
                    }
                    b']' => break,
                    _ => return None,
                }
            }
        }
        let end = self.at;
        self.at += 1;
        self.text.get(start..end).map(Value::List)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(line: &str) -> Option<Vec<(&str, Value<'_>)>> {
        let mut m = Members::default();
        scan(line.as_bytes(), &mut m).map(|()| m.iter().collect())
    }

    #[test]
    fn a_flat_line_gives_its_members_in_order() {
        let m = members(
            r#" { "type":"deployment", "id" : "d1","changes":[ "a" ,"b"],"n":0,"big":1234567890123456789,"x":null,"h":true,"f":false } "#,
        )
        .unwrap();
        assert_eq!(
            m,
            vec![
                ("type", Value::Str("deployment")),
                ("id", Value::Str("d1")),
                ("changes", Value::List(r#" "a" ,"b""#)),
                ("n", Value::Int(0)),
                ("big", Value::Int(1_234_567_890_123_456_789)),
                ("x", Value::Null),
                ("h", Value::Bool(true)),
                ("f", Value::Bool(false)),
            ]
        );
        assert_eq!(items(r#" "a" ,"b""#).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(items("").count(), 0);
        assert_eq!(members("{}").unwrap(), vec![]);
        assert_eq!(
            members(r#"{"l":[]}"#).unwrap(),
            vec![("l", Value::List(""))]
        );
    }

    #[test]
    fn a_string_ends_at_its_first_quote_backslash_or_control_byte() {
        for (text, end) in [
            ("", None),
            ("abc", None),
            ("\"", Some(0)),
            ("abcdefgh\"", Some(8)),
            ("abcdefghijklmnop\"x\"", Some(16)),
            ("abcdefghij\\\"", Some(10)),
            ("abc\u{1}defghijk\"", Some(3)),
            ("abcdefg\u{1f}", Some(7)),
            ("héllo wörld, ünïcode \"", Some(25)),
            ("\u{7f}\u{80}\u{ff}aaaaaaaaaaaa", None),
        ] {
            assert_eq!(string_end(text.as_bytes()), end, "{text:?}");
        }
    }

    /// The first hit read from a word's flags is the first byte by byte, also
    /// where a word holds several (a borrow flags bytes above a hit).
    #[test]
    fn a_string_end_agrees_with_a_byte_by_byte_search() {
        use rand::{Rng, SeedableRng};
        let (plain, hits) = (
            [b'a', 0x20, 0x21, 0x5b, 0x5d, 0x80, 0xff],
            [b'"', b'\\', 0, 1, 0x1f],
        );
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        for _ in 0..20_000 {
            let len = rng.random_range(0..40);
            // Hits are rare, so that many lie past the first words.
            let b: Vec<u8> = (0..len)
                .map(|_| match rng.random_bool(0.06) {
                    true => hits[rng.random_range(0..hits.len())],
                    false => plain[rng.random_range(0..plain.len())],
                })
                .collect();
            let naive = b.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20);
            assert_eq!(string_end(&b), naive, "{b:?}");
        }
    }

    #[test]
    fn anything_unusual_goes_the_general_way() {
        for line in [
            r#"{"id":"a\"b"}"#,
            r#"{"id":"tab	in"}"#,
            r#"{"n":1.5}"#,
            r#"{"n":1e3}"#,
            r#"{"n":-1}"#,
            r#"{"n":01}"#,
            r#"{"n":12345678901234567890}"#,
            r#"{"o":{"a":1}}"#,
            r#"{"l":[1]}"#,
            r#"{"l":["a",]}"#,
            r#"{"a":1,}"#,
            r#"{"a":1} x"#,
            r#"{"a":1"#,
            r#"{"a":nul}"#,
            r#"{"a" 1}"#,
            r#"["a"]"#,
            "",
        ] {
            assert!(members(line).is_none(), "{line}");
        }
        assert!(scan(b"{\"a\":\"\xff\"}", &mut Members::default()).is_none());
    }
}
