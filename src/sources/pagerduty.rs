//! PagerDuty incidents: opened at `created_at`, resolved when the status is
//! `resolved` (at `resolved_at`, else `last_status_change_at`), urgency as
//! severity, PagerDuty services mapped to flightdeck services.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use futures::future::BoxFuture;
use serde::Deserialize;
use serde_json::Value;

use crate::model::{Event, Incident, Text};
use crate::sources::api_json::{text, time};
use crate::sources::http::check_http;
use crate::sources::http::{AuthStyle, Http, HttpOptions, SourceClient};
use crate::sources::scheduler::{PollError, Polled, Poller};

pub const DEFAULT_URL: &str = "https://api.pagerduty.com";

/// Incidents per page (PagerDuty's maximum is 100).
const PAGE: u64 = 100;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagerdutySpec {
    pub url: Option<String>,
    pub token_env: Option<String>,
    pub token_file: Option<PathBuf>,
    /// PagerDuty service id or name -> flightdeck service; default: the name.
    #[serde(default)]
    pub services: HashMap<String, String>,
    pub max_body_bytes: Option<usize>,
}

impl PagerdutySpec {
    pub fn check(&self) -> Vec<(&'static str, String)> {
        check_http(
            self.url.as_deref(),
            self.token_env.as_deref(),
            self.token_file.as_deref(),
        )
    }
}

pub struct PagerdutyPoller {
    http: Http,
    spec: PagerdutySpec,
    max_pages: usize,
}

impl PagerdutyPoller {
    pub fn new(spec: PagerdutySpec, timeout: Duration) -> Result<Self, String> {
        let http = Http::for_source(SourceClient {
            url: spec.url.as_deref().unwrap_or(DEFAULT_URL),
            token_env: spec.token_env.as_deref(),
            token_file: spec.token_file.as_deref(),
            max_body_bytes: spec.max_body_bytes,
            timeout,
            style: AuthStyle::TokenToken,
            accept: "application/vnd.pagerduty+json;version=2",
        })?;
        Ok(Self {
            http,
            spec,
            max_pages: HttpOptions::default().max_pages,
        })
    }

    async fn poll_all(&mut self) -> Result<Polled, PollError> {
        let mut events = Vec::new();
        let mut skipped = 0usize;
        let mut offset = 0u64;
        // PagerDuty pages by offset, with `more` saying whether to go on.
        for _ in 0..self.max_pages {
            let (o, l) = (offset.to_string(), PAGE.to_string());
            let url = self.http.url(
                "incidents",
                &[
                    ("offset", o.as_str()),
                    ("limit", l.as_str()),
                    ("date_range", "all"),
                ],
            )?;
            let page = self.http.get(url).await?;
            let body = page.json()?;
            let Some(list) = body.get("incidents").and_then(Value::as_array) else {
                return Err(PollError::new(format!(
                    "{}: expected a list under `incidents`",
                    page.url
                )));
            };
            for i in list {
                match self.map(i) {
                    Some(e) => events.push(Event::Incident(e)),
                    None => skipped += 1,
                }
            }
            if body.get("more").and_then(Value::as_bool) != Some(true) || list.is_empty() {
                break;
            }
            offset += list.len() as u64;
        }
        let warning = (skipped > 0).then(|| {
            format!(
                "{} without an id or created_at were skipped",
                crate::util::format::plural(skipped, "incident")
            )
        });
        Ok(Polled {
            prepared: Vec::new(),
            events,
            warning,
        })
    }

    fn map(&self, i: &Value) -> Option<Incident> {
        let id = text(i, &["id"])?;
        let opened = time(i, &["created_at"])?;
        let service_id = i
            .get("service")
            .and_then(|s| s.get("id"))
            .and_then(Value::as_str);
        let service_name = i
            .get("service")
            .and_then(|s| s.get("summary"))
            .and_then(Value::as_str);
        let service = service_id
            .and_then(|s| self.spec.services.get(s))
            .or_else(|| service_name.and_then(|s| self.spec.services.get(s)))
            .map(|s| Text::from(s.as_str()))
            .or_else(|| service_name.map(crate::util::text::sanitize))
            .unwrap_or_else(|| Text::from("unknown"));
        let resolved = if i.get("status").and_then(Value::as_str) == Some("resolved") {
            time(i, &["resolved_at"]).or_else(|| time(i, &["last_status_change_at"]))
        } else {
            None
        };
        Some(Incident {
            id: Text::from(format!("pagerduty/{id}")),
            service,
            opened,
            team: None,
            resolved,
            deployment: None,
            severity: text(i, &["urgency"]),
            title: text(i, &["title"]).or_else(|| text(i, &["summary"])),
            url: text(i, &["html_url"]),
        })
    }
}

impl Poller for PagerdutyPoller {
    fn poll(&mut self) -> BoxFuture<'_, Result<Polled, PollError>> {
        Box::pin(self.poll_all())
    }

    fn quota(&self) -> Option<crate::model::source_update::Quota> {
        self.http.quota()
    }
}
