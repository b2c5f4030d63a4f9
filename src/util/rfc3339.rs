//! A fast path for the RFC 3339 times event files carry: the common shape is
//! parsed by hand; everything else falls back to chrono's general parser.

use std::cell::Cell;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

/// The common shape `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` without chrono's
/// general parser; anything else (or anything out of range) returns `None` and
/// goes the general way, which also words the error.
pub fn parse_common(raw: &str) -> Option<DateTime<Utc>> {
    let b = raw.as_bytes();
    if b.len() < 20 || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let digit = |i: usize| {
        let v = b[i].wrapping_sub(b'0');
        (v < 10).then_some(u32::from(v))
    };
    let two = |i: usize| Some(digit(i)? * 10 + digit(i + 1)?);
    let date = date_of(b[..10].try_into().ok()?)?;
    let (hour, minute, second) = (two(11)?, two(14)?, two(17)?);
    let mut rest = &b[19..];
    let mut nanos = 0u32;
    if let [b'.', tail @ ..] = rest {
        let digits = tail.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        let frac = tail[..digits]
            .iter()
            .fold(0u32, |acc, &c| acc * 10 + u32::from(c - b'0'));
        nanos = frac * 10u32.pow(9 - digits as u32);
        rest = &tail[digits..];
    }
    let offset_seconds: i32 = match rest {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let two = |a: u8, b: u8| {
                (a.is_ascii_digit() && b.is_ascii_digit())
                    .then(|| i32::from(a - b'0') * 10 + i32::from(b - b'0'))
            };
            let (h, m) = (two(*h1, *h2)?, two(*m1, *m2)?);
            if h > 23 || m > 59 {
                return None;
            }
            let s = (h * 60 + m) * 60;
            if *sign == b'-' { -s } else { s }
        }
        _ => return None,
    };
    if second > 59 {
        return None;
    }
    let local = date.and_hms_nano_opt(hour, minute, second, nanos)?;
    // Most times are UTC already: no arithmetic for them.
    let utc = match offset_seconds {
        0 => local,
        s => local.checked_sub_signed(TimeDelta::seconds(i64::from(s)))?,
    };
    Some(utc.and_utc())
}

thread_local! {
    /// The last date parsed on this thread, as written and as a date: the
    /// times of a line, and of the lines around it, mostly fall on one day, and
    /// building a date was a sixth of reading a time (perf, 1,000,003 lines).
    /// Until a date is parsed, the key is bytes no text holds (0xFF is never
    /// in UTF-8): a key of zero bytes would have answered text of ten NULs.
    static LAST_DATE: Cell<([u8; 10], NaiveDate)> = const { Cell::new(([0xFF; 10], NaiveDate::MIN)) };
}

/// `YYYY-MM-DD` as a date, if it is a valid one.
fn date_of(ymd: &[u8; 10]) -> Option<NaiveDate> {
    let (last, date) = LAST_DATE.get();
    if last == *ymd {
        return Some(date);
    }
    if ymd[4] != b'-' || ymd[7] != b'-' {
        return None;
    }
    let mut n = [0u32; 8];
    for (slot, i) in n.iter_mut().zip([0, 1, 2, 3, 5, 6, 8, 9]) {
        let v = ymd[i].wrapping_sub(b'0');
        if v >= 10 {
            return None;
        }
        *slot = u32::from(v);
    }
    let year = i32::try_from(n[0] * 1000 + n[1] * 100 + n[2] * 10 + n[3]).ok()?;
    let date = NaiveDate::from_ymd_opt(year, n[4] * 10 + n[5], n[6] * 10 + n[7])?;
    LAST_DATE.set((*ymd, date));
    Some(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chrono_parse(raw: &str) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(raw)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    #[test]
    fn agrees_with_chrono_wherever_it_answers() {
        let cases = [
            "2024-03-01T12:00:00Z",
            "2024-03-01T12:00:00.250+02:00",
            "2024-03-01T12:00:00.123456789-05:30",
            "2024-03-01T12:00:00.1Z",
            "2024-12-31T23:59:59+23:59",
            "2024-01-01T00:00:00-00:00",
            "2024-02-29T00:00:00Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
        ];
        for raw in cases {
            let fast = parse_common(raw);
            assert!(fast.is_some(), "{raw}");
            assert_eq!(fast, chrono_parse(raw), "{raw}");
        }
    }

    /// Before any date is read, no text matches the empty cache (a thread
    /// of its own, so that nothing was parsed on it before).
    #[test]
    fn a_first_time_of_nuls_is_left_to_chrono() {
        let raw = "\0\0\0\0\0\0\0\0\0\0T00:00:00Z";
        let first = std::thread::spawn(move || parse_common(raw))
            .join()
            .unwrap();
        assert_eq!(first, None);
    }

    /// The date kept from the last time read never answers for another.
    #[test]
    fn times_on_one_day_and_on_the_next_read_alike() {
        let cases = [
            "2024-03-01T12:00:00Z",
            "2024-03-01T23:59:59.5Z",
            "2024-03-02T00:00:00Z",
            "2024-03-01T00:00:01+01:00",
            "2024-03-01T12:00:00Z",
            "2024-13-01T12:00:00Z",
            "2024-03-01T12:00:00Z",
            "2024-03-0xT12:00:00Z",
            "2-24-03-01T12:00:00Z",
            "2024-03-01T12:00:00Z",
        ];
        for _ in 0..2 {
            for raw in cases {
                assert_eq!(parse_common(raw), chrono_parse(raw), "{raw}");
            }
        }
    }

    #[test]
    fn leaves_the_unusual_and_the_invalid_to_chrono() {
        let cases = [
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-03-01T24:00:00Z",
            "2024-03-01T12:60:00Z",
            "2024-03-01T12:00:60Z",
            "2024-03-01t12:00:00z",
            "2024-03-01 12:00:00Z",
            "2024-03-01T12:00:00",
            "2024-03-01T12:00:00.Z",
            "2024-03-01T12:00:00.1234567891Z",
            "2024-03-01T12:00:00+2:00",
            "2024-03-01T12:00:00+24:00",
            "2024-03-01T12:00:00Zjunk",
            "+2024-03-01T12:00:00Z",
            "yesterday",
            "",
        ];
        for raw in cases {
            assert_eq!(parse_common(raw), None, "{raw}");
        }
    }
}
