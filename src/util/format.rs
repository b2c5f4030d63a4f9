//! Human-readable numbers shared by the report and the cockpit.

use chrono::{SecondsFormat, TimeDelta};

type Time = chrono::DateTime<chrono::Utc>;

/// "45s", "12m", "3h 20m", "2.5d": two significant parts at most.
pub fn duration_secs(secs: f64) -> String {
    if !secs.is_finite() {
        return "-".into();
    }
    let sign = if secs < 0.0 { "-" } else { "" };
    let s = secs.abs();
    let body = if s < 60.0 {
        format!("{s:.0}s")
    } else if s < 3600.0 {
        format!("{:.0}m", (s / 60.0).floor())
    } else if s < 86_400.0 {
        let h = (s / 3600.0).floor();
        let m = ((s - h * 3600.0) / 60.0).floor();
        if m > 0.0 {
            format!("{h:.0}h {m:.0}m")
        } else {
            format!("{h:.0}h")
        }
    } else {
        format!("{:.1}d", s / 86_400.0)
    };
    format!("{sign}{body}")
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
    let s = d.num_seconds().max(0);
    let (days, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    if days > 0 {
        format!("{days}d {h:02}h {m:02}m")
    } else if h > 0 {
        format!("{h}h {m:02}m {sec:02}s")
    } else if m > 0 {
        format!("{m}m {sec:02}s")
    } else {
        format!("{sec}s")
    }
}

pub fn duration(d: TimeDelta) -> String {
    duration_secs(d.num_milliseconds() as f64 / 1000.0)
}

pub fn percent(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0)
}

pub fn per_day(rate: f64) -> String {
    if rate >= 1.0 {
        format!("{rate:.1}/day")
    } else if rate * 7.0 >= 1.0 {
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
        assert_eq!(duration_secs(125.0), "2m");
        assert_eq!(duration_secs(3.0 * 3600.0 + 20.0 * 60.0), "3h 20m");
        assert_eq!(duration_secs(7200.0), "2h");
        assert_eq!(duration_secs(2.5 * 86_400.0), "2.5d");
        assert_eq!(duration_secs(-90.0), "-1m");
        assert_eq!(per_day(2.0), "2.0/day");
        assert_eq!(per_day(0.5), "3.5/wk");
        assert_eq!(per_day(0.1), "3.0/mo");
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
