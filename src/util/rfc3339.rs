//! A fast path for the RFC 3339 times event files carry: the common shape is
//! parsed by hand; everything else falls back to chrono's general parser.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

/// The common shape `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` without chrono's
/// general parser; anything else (or anything out of range) returns `None` and
/// goes the general way, which also words the error.
pub fn parse_common(raw: &str) -> Option<DateTime<Utc>> {
    let b = raw.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(num(0, 4)?).ok()?;
    let (month, day) = (num(5, 7)?, num(8, 10)?);
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
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
    let local =
        NaiveDate::from_ymd_opt(year, month, day)?.and_hms_nano_opt(hour, minute, second, nanos)?;
    let utc = local - TimeDelta::seconds(i64::from(offset_seconds));
    Some(utc.and_utc())
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
