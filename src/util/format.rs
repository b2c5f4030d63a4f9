//! Human-readable numbers shared by the report and the cockpit.

use chrono::{SecondsFormat, TimeDelta};

type Time = chrono::DateTime<chrono::Utc>;

/// A length of time as every screen and report writes it: units `d h m s`,
/// the first as is and the rest in two digits, at most `parts` of them, the
/// last cut down (not rounded). `span(_, 3)` for a live age that visibly
/// ticks ("2h 03m 05s"), `span(_, 2)` for durations and medians ("3d 07h",
/// "19h 08m", "37m 12s"), `span(_, 1)` where a cell has room for one unit.
pub fn span(d: TimeDelta, parts: usize) -> String {
    let ms = d.num_milliseconds();
    let sign = if ms < 0 { "-" } else { "" };
    let s = ms.unsigned_abs() / 1000;
    let units = [
        (s / 86_400, 'd'),
        (s / 3600 % 24, 'h'),
        (s / 60 % 60, 'm'),
        (s % 60, 's'),
    ];
    // The largest unit that is not zero leads; seconds lead below a minute.
    let first = units.iter().position(|(n, _)| *n > 0).unwrap_or(3);
    let mut out = String::from(sign);
    for (i, (n, unit)) in units[first..].iter().take(parts.max(1)).enumerate() {
        if i == 0 {
            out.push_str(&format!("{n}{unit}"));
        } else {
            out.push_str(&format!(" {n:02}{unit}"));
        }
    }
    out
}

/// A duration or a median in seconds, two parts ("3d 07h", "19h 08m").
pub fn duration_secs(secs: f64) -> String {
    if !secs.is_finite() {
        return "-".into();
    }
    // A value read from elsewhere can be any size: past what a TimeDelta
    // holds it is written as the largest one.
    let ms = (secs * 1000.0) as i64;
    let d = TimeDelta::try_milliseconds(ms).unwrap_or(if ms < 0 {
        TimeDelta::MIN
    } else {
        TimeDelta::MAX
    });
    span(d, 2)
}

/// "1 deployment", "3 deployments".
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A size limit as people write it: "512 B", "64 KiB", "1 MiB", "1.5 MiB".
pub fn bytes(n: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    let scaled = |unit: u64, name: &str| {
        if n.is_multiple_of(unit) {
            format!("{} {name}", n / unit)
        } else {
            format!("{:.1} {name}", n as f64 / unit as f64)
        }
    };
    match n {
        _ if n >= MIB => scaled(MIB, "MiB"),
        _ if n >= KIB => scaled(KIB, "KiB"),
        _ => format!("{n} B"),
    }
}

/// A live age that visibly ticks: "42s", "3m 05s", "2h 03m 05s", "4d 07h 12m".
/// Negative ages (clock skew between sources) show as zero.
pub fn age(d: TimeDelta) -> String {
    span(d.max(TimeDelta::zero()), 3)
}

/// A duration, two parts: "12m 30s", "3h 20m", "2d 12h".
pub fn duration(d: TimeDelta) -> String {
    span(d, 2)
}

pub fn percent(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0)
}

pub fn per_day(rate: f64) -> String {
    per_day_as(rate, rate)
}

/// `rate` (per day) in the unit [`per_day`] picks for `like`, so that a row
/// showing a value beside an earlier one keeps one unit ("1.2/wk was 0.5/wk",
/// not "was 2.0/mo"). None at all reads per week: a month would be wider than
/// a 7-day window.
pub fn per_day_as(rate: f64, like: f64) -> String {
    if like >= 1.0 {
        format!("{rate:.1}/day")
    } else if like * 7.0 >= 1.0 || like <= 0.0 {
        format!("{:.1}/wk", rate * 7.0)
    } else {
        format!("{:.1}/mo", rate * 30.0)
    }
}

/// A replay speed: "60x", "0.5x", "86400x".
pub fn speed(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}x")
    } else {
        format!("{x}x")
    }
}

/// RFC 3339 in UTC, with fractions only when there are any.
pub fn rfc3339(t: Time) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// "2024-03-05 14:02:09" (UTC, as the status bar says) for a record's detail
/// and the clock; the same shape as [`short_time`], to the second.
pub fn instant(t: Time) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// "2024-03-05 14:02" for tables.
pub fn short_time(t: Time) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_secs(42.0), "42s");
        assert_eq!(duration_secs(125.0), "2m 05s");
        assert_eq!(duration_secs(3.0 * 3600.0 + 20.0 * 60.0), "3h 20m");
        assert_eq!(duration_secs(7200.0), "2h 00m");
        assert_eq!(duration_secs(2.5 * 86_400.0), "2d 12h");
        assert_eq!(duration_secs(19.3 * 86_400.0), "19d 07h");
        assert_eq!(duration_secs(-90.0), "-1m 30s");
        assert_eq!(duration_secs(f64::NAN), "-");
        assert!(duration_secs(-1e16).starts_with('-'));
        assert!(duration_secs(1e300).ends_with('h'));
        assert_eq!(span(TimeDelta::seconds(10 * 3600 + 8 * 60), 2), "10h 08m");
        assert_eq!(span(TimeDelta::seconds(3 * 86_400 + 5), 1), "3d");
        assert_eq!(span(TimeDelta::zero(), 2), "0s");
        assert_eq!(per_day(2.0), "2.0/day");
        assert_eq!(per_day(0.5), "3.5/wk");
        assert_eq!(per_day(0.1), "3.0/mo");
        assert_eq!(per_day(0.0), "0.0/wk");
        assert_eq!(per_day_as(0.1, 0.5), "0.7/wk");
        assert_eq!(per_day_as(2.0, 0.1), "60.0/mo");
        assert_eq!(percent(0.125), "12.5%");
        assert_eq!(age(TimeDelta::seconds(42)), "42s");
        assert_eq!(age(TimeDelta::seconds(185)), "3m 05s");
        assert_eq!(age(TimeDelta::seconds(7385)), "2h 03m 05s");
        assert_eq!(
            age(TimeDelta::seconds(4 * 86_400 + 7 * 3600 + 12 * 60 + 9)),
            "4d 07h 12m"
        );
        assert_eq!(age(TimeDelta::seconds(-5)), "0s");
        assert_eq!(plural(1, "incident"), "1 incident");
        assert_eq!(plural(2, "incident"), "2 incidents");
        assert_eq!(bytes(4), "4 B");
        assert_eq!(bytes(64 * 1024), "64 KiB");
        assert_eq!(bytes(1 << 20), "1 MiB");
        assert_eq!(bytes(3 << 19), "1.5 MiB");
    }
}
