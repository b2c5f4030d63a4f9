//! Account baselines from AWS Control Tower: the `ListEnabledBaselines`
//! response (`enabledBaselines[]` with `arn`, `baselineIdentifier`,
//! `baselineVersion`, `targetIdentifier`, `statusSummary {status,
//! lastOperationIdentifier}`, `driftStatusSummary`, `parentIdentifier`;
//! `nextToken`). Each enabled baseline that succeeded on an account is a
//! `baseline` line: the account is the target's last ARN segment, the
//! component the baseline's, the version `baselineVersion`, the time when it
//! was read (the response carries none). A baseline still changing or
//! failed, or without a version, is skipped and counted.

use serde::Deserialize;

use crate::model::contracts::Baseline;
use crate::model::{Event, Time};
use crate::util::text::sanitize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Response {
    enabled_baselines: Vec<Enabled>,
    #[serde(default)]
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Enabled {
    baseline_identifier: String,
    #[serde(default)]
    baseline_version: Option<String>,
    target_identifier: String,
    status_summary: Status,
    #[serde(default)]
    drift_status_summary: Option<Drift>,
}

#[derive(Deserialize)]
struct Status {
    status: String,
}

#[derive(Deserialize)]
struct Drift {
    #[serde(default)]
    types: Option<DriftTypes>,
}

#[derive(Deserialize)]
struct DriftTypes {
    #[serde(default)]
    inheritance: Option<Status>,
}

/// What one response gave: the baselines, those skipped, the page token.
#[derive(Debug, Default, PartialEq)]
pub struct EnabledBaselines {
    pub events: Vec<Event>,
    /// Not applied (status not `SUCCEEDED`) or without a version.
    pub skipped: usize,
    /// Applied, but the account no longer matches its OU's baseline.
    pub drifted: usize,
    pub next_token: Option<String>,
}

/// The last segment of an ARN's resource (`.../account/o-x/111122223333`
/// -> `111122223333`), or the text itself.
fn last_segment(arn: &str) -> &str {
    arn.rsplit(['/', ':']).next().unwrap_or(arn)
}

/// Reads one `ListEnabledBaselines` response body, read at `read_at`.
pub fn read(body: &[u8], read_at: Time) -> Result<EnabledBaselines, String> {
    let r: Response = serde_json::from_slice(body)
        .map_err(|e| format!("not a ListEnabledBaselines response: {e}"))?;
    let mut out = EnabledBaselines {
        next_token: r.next_token,
        ..EnabledBaselines::default()
    };
    for e in r.enabled_baselines {
        let version = e.baseline_version.filter(|v| !v.trim().is_empty());
        let (true, Some(version)) = (e.status_summary.status == "SUCCEEDED", version) else {
            out.skipped += 1;
            continue;
        };
        let inheritance = e
            .drift_status_summary
            .and_then(|d| d.types)
            .and_then(|t| t.inheritance);
        out.drifted += usize::from(inheritance.is_some_and(|s| s.status == "DRIFTED"));
        out.events.push(Event::Baseline(Baseline {
            account: sanitize(last_segment(&e.target_identifier)),
            component: sanitize(last_segment(&e.baseline_identifier)),
            version: sanitize(&version),
            time: read_at,
            team: None,
            override_reason: None,
        }));
    }
    Ok(out)
}
