//! Reading HTTP response headers: rate-limit quotas (GitHub `X-RateLimit-*`,
//! GitLab `RateLimit-*`), `Retry-After` and `Link` pagination.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use reqwest::Url;
use reqwest::header::HeaderMap;

use crate::model::Time;
use crate::model::source_update::Quota;

fn header_u64(headers: &HeaderMap, names: &[&str]) -> Option<u64> {
    names
        .iter()
        .find_map(|n| headers.get(*n))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// GitHub `X-RateLimit-*` or GitLab `RateLimit-*`. The reset is epoch seconds
/// (milliseconds are recognised by their size).
pub fn read_quota(headers: &HeaderMap) -> Option<Quota> {
    let remaining = header_u64(headers, &["x-ratelimit-remaining", "ratelimit-remaining"])?;
    let limit = header_u64(headers, &["x-ratelimit-limit", "ratelimit-limit"]);
    let reset = header_u64(headers, &["x-ratelimit-reset", "ratelimit-reset"]).and_then(|r| {
        let secs = if r > 100_000_000_000 { r / 1000 } else { r };
        Utc.timestamp_opt(secs as i64, 0).single()
    });
    Some(Quota {
        remaining,
        limit,
        reset,
    })
}

/// The longest a server can make a source wait: a `Retry-After` or a quota
/// reset further away is taken as this (and the message says so), so that no
/// number from outside can overflow a timer or silence a source for years.
pub const MAX_WAIT: Duration = Duration::from_secs(24 * 3600);

/// `Retry-After`: seconds or an HTTP date, as asked (not yet capped).
pub fn parse_retry_after(value: &str, now: Time) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or_default())
}

/// The `rel="next"` target of a `Link` header, resolved against `current`; only
/// followed on the base URL's own server, so a token never leaves it.
pub fn next_link(value: &str, current: &Url, base: &Url) -> Option<Url> {
    for part in value.split(',') {
        let mut pieces = part.split(';');
        let target = pieces.next()?.trim();
        let is_next = pieces.any(|p| {
            let p = p.trim();
            p == "rel=\"next\"" || p == "rel=next"
        });
        if !is_next {
            continue;
        }
        let target = target.strip_prefix('<')?.strip_suffix('>')?;
        let url = current.join(target).ok()?;
        if url.scheme() == base.scheme()
            && url.host_str() == base.host_str()
            && url.port_or_known_default() == base.port_or_known_default()
        {
            return Some(url);
        }
        tracing::warn!(host = ?url.host_str(), "not following a pagination link to another server");
        return None;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_next_is_found_and_kept_on_the_server() {
        let base = Url::parse("https://api.github.com/").unwrap();
        let cur = Url::parse("https://api.github.com/repos/a/b/issues?page=1").unwrap();
        let v = r#"<https://api.github.com/repos/a/b/issues?page=2>; rel="next", <https://api.github.com/repos/a/b/issues?page=5>; rel="last""#;
        assert_eq!(
            next_link(v, &cur, &base).map(|u| u.to_string()),
            Some("https://api.github.com/repos/a/b/issues?page=2".into())
        );
        let away = r#"<https://evil.example/x?page=2>; rel="next""#;
        assert_eq!(next_link(away, &cur, &base), None);
        assert_eq!(
            next_link(r#"<https://api.github.com/x>; rel="last""#, &cur, &base),
            None
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(parse_retry_after("60", now), Some(Duration::from_secs(60)));
        assert_eq!(
            parse_retry_after("Mon, 01 Jan 2024 00:02:00 GMT", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(
            parse_retry_after("18446744073709551615", now),
            Some(Duration::from_secs(u64::MAX))
        );
    }
}
