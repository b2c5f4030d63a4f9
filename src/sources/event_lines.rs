//! Lines of an events input, each at most [`MAX_LINE`] bytes: the one rule
//! both readers (line by line, and in blocks on every core) apply, so an
//! over-long line is the same malformed line whichever reads it.

use std::io::{self, BufRead, Read};

/// The longest line read, newline excluded: far above any real event, low
/// enough that an endless stream without a newline (`/dev/zero`, a broken
/// writer) cannot take the machine's memory. A longer line is malformed and
/// skipped up to its newline; the rest of the input is read.
pub const MAX_LINE: usize = 1 << 20;

/// The malformed-line message for a line of `bytes` bytes over [`MAX_LINE`].
pub fn too_long(bytes: u64) -> String {
    format!(
        "line of {bytes} bytes is longer than the {} limit; skipped",
        crate::util::format::bytes(MAX_LINE as u64)
    )
}

/// What reading one line gave.
pub enum Line {
    End,
    /// A line (its newline included, when it has one) is in the buffer.
    Read,
    /// A line over [`MAX_LINE`], read past and dropped: its length.
    TooLong(u64),
}

/// Reads the next line into `buf`, holding at most [`MAX_LINE`] + 1 bytes of it.
pub fn next_line(input: &mut impl BufRead, buf: &mut Vec<u8>) -> io::Result<Line> {
    buf.clear();
    let cap = MAX_LINE as u64 + 1;
    if input.by_ref().take(cap).read_until(b'\n', buf)? == 0 {
        return Ok(Line::End);
    }
    if buf.len() < cap as usize || buf.ends_with(b"\n") {
        return Ok(Line::Read);
    }
    // Over the limit: skip to the newline without keeping the bytes.
    let mut skipped = buf.len() as u64;
    buf.clear();
    loop {
        let chunk = match input.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(Line::TooLong(skipped));
        }
        let (used, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        input.consume(used);
        skipped += used as u64;
        if done {
            // The newline is not part of the line's length.
            return Ok(Line::TooLong(skipped - 1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::events::read;

    #[test]
    fn a_line_over_the_limit_is_malformed_in_a_body_read_line_by_line() {
        let good = r#"{"type":"change","id":"c1","service":"a","time":"2024-01-01T00:00:00Z"}"#;
        let body = format!("{good}\n{}\n{good}", "y".repeat(MAX_LINE + 1));
        let mut n = 0;
        let d = read(body.as_bytes(), "u", |_| n += 1).unwrap();
        assert_eq!((n, d.lines), (2, 3));
        assert_eq!(d.malformed[0].line, 2);
        assert!(
            d.malformed[0]
                .error
                .starts_with(&format!("line of {} bytes", MAX_LINE + 1))
        );
    }
}
