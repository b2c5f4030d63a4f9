//! GitHub REST v3 (github.com or an Enterprise server): deployments and their
//! statuses, merged pull requests, incident issues and, optionally, workflow
//! runs as deployments.
//!
//! Times come from the record of the event itself: a deployment's result is
//! dated by the status that reached that state (never the deployment's
//! `updated_at`, which moves when it later goes inactive); a change is dated by
//! its pull request's first commit (squash merges keep their lead time) or its
//! merge, as configured.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use futures::future::BoxFuture;
use serde::Deserialize;
use serde_json::Value;

use crate::model::settings::Settings;
use crate::model::source_update::Quota;
use crate::model::{Change, DeployStatus, DeploymentEvent, Event, Id, Incident, Text, Time};
use crate::sources::api_json::{Attribution, attribution, text, time};
use crate::sources::github_statuses::StatusLines;
pub use crate::sources::github_statuses::map_statuses;

/// Review and size of merged pull requests (a child module: it reads the
/// poller's client and cache).
#[path = "github_pulls.rs"]
mod pulls;
use crate::sources::http::check_http;
use crate::sources::http::{AuthStyle, Http, HttpError, SourceClient};
use crate::sources::scheduler::{PollError, Polled, Poller};
use crate::util::glob::Glob;
use crate::util::text::redact_url;

pub const DEFAULT_URL: &str = "https://api.github.com";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeTime {
    /// The first commit of the pull request (survives squash merges).
    #[default]
    FirstCommit,
    /// The merge.
    Merge,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GithubSpec {
    /// `owner/name` of each repository.
    pub repos: Vec<String>,
    /// API base URL; an Enterprise server is `https://HOST/api/v3`.
    pub url: Option<String>,
    pub token_env: Option<String>,
    pub token_file: Option<PathBuf>,
    /// Issues with this label are incidents.
    #[serde(default = "default_label")]
    pub incident_label: String,
    #[serde(default)]
    pub change_time: ChangeTime,
    /// Workflow runs whose name matches this glob count as deployments.
    pub workflows: Option<String>,
    /// Service of each repository; default: the repository's name.
    #[serde(default)]
    pub services: HashMap<String, String>,
    pub max_body_bytes: Option<usize>,
}

fn default_label() -> String {
    "incident".into()
}

impl GithubSpec {
    pub fn check(&self) -> Vec<(&'static str, String)> {
        let mut p = check_http(
            self.url.as_deref(),
            self.token_env.as_deref(),
            self.token_file.as_deref(),
        );
        if self.repos.is_empty() {
            p.push((
                "repos",
                "list at least one repository, e.g. [\"owner/name\"]".into(),
            ));
        }
        for r in &self.repos {
            let mut parts = r.split('/');
            let ok = matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(b), None) if !a.is_empty() && !b.is_empty());
            if !ok {
                p.push(("repos", format!("'{r}' is not of the form owner/name")));
            }
        }
        for k in self.services.keys() {
            if !self.repos.contains(k) {
                p.push(("services", format!("'{k}' is not one of `repos`")));
            }
        }
        p
    }
}

pub struct GithubPoller {
    http: Http,
    spec: GithubSpec,
    production: Settings,
    /// First-commit time of merged pull requests (it never changes).
    first_commit: HashMap<(String, u64), Time>,
    /// Commits between two deployed shas.
    compared: HashMap<(String, String), Vec<Text>>,
    /// First review and size of merged pull requests (see `github_pulls.rs`).
    gate_fields: HashMap<(String, u64), pulls::GateFields>,
}

impl GithubPoller {
    pub fn new(spec: GithubSpec, settings: &Settings, timeout: Duration) -> Result<Self, String> {
        let http = Http::for_source(SourceClient {
            url: spec.url.as_deref().unwrap_or(DEFAULT_URL),
            token_env: spec.token_env.as_deref(),
            token_file: spec.token_file.as_deref(),
            max_body_bytes: spec.max_body_bytes,
            timeout,
            style: AuthStyle::Bearer,
            accept: "application/vnd.github+json",
        })?;
        Ok(Self {
            http,
            spec,
            production: settings.clone(),
            first_commit: HashMap::new(),
            compared: HashMap::new(),
            gate_fields: HashMap::new(),
        })
    }

    fn service(&self, repo: &str) -> Text {
        match self.spec.services.get(repo) {
            Some(s) => Text::from(s.as_str()),
            None => Text::from(repo.rsplit('/').next().unwrap_or(repo)),
        }
    }

    async fn poll_all(&mut self) -> Result<Polled, PollError> {
        let mut events = Vec::new();
        let mut skipped = 0usize;
        let mut gone = 0usize;
        for repo in self.spec.repos.clone() {
            let service = self.service(&repo);
            let deployments = self
                .deployments(&repo, &service, &mut events, &mut skipped, &mut gone)
                .await?;
            self.pulls(&repo, &service, &mut events, &mut skipped)
                .await?;
            self.incidents(&repo, &service, &deployments, &mut events, &mut skipped)
                .await?;
            if let Some(pattern) = self.spec.workflows.clone() {
                self.workflow_runs(&repo, &service, &pattern, &mut events, &mut skipped)
                    .await?;
            }
        }
        let mut notes = Vec::new();
        if skipped > 0 {
            notes.push(format!(
                "{} skipped: fields missing or unreadable (details in the log)",
                crate::util::format::plural(skipped, "item")
            ));
        }
        if gone > 0 {
            notes.push(format!(
                "{} skipped: statuses not found (HTTP 404; deleted?)",
                crate::util::format::plural(gone, "deployment")
            ));
        }
        let warning = (!notes.is_empty()).then(|| notes.join("; "));
        Ok(Polled {
            prepared: Vec::new(),
            events,
            warning,
        })
    }

    /// Production deployments as (id, sha) pairs, after adding their events.
    /// Only production deployments cost a statuses request; one whose statuses
    /// answer 404 (deleted since the list was read) is skipped and counted in
    /// `gone`, and the rest of the poll goes on.
    async fn deployments(
        &mut self,
        repo: &str,
        service: &Text,
        events: &mut Vec<Event>,
        skipped: &mut usize,
        gone: &mut usize,
    ) -> Result<Vec<(Text, String)>, PollError> {
        let url = self
            .http
            .url(&format!("repos/{repo}/deployments"), &[("per_page", "100")])?;
        let mut known = Vec::new();
        let mut found = Vec::new();
        for d in self.http.get_list(url, None).await? {
            let (Some(number), Some(created)) = (
                d.get("id").and_then(Value::as_u64),
                time(&d, &["created_at"]),
            ) else {
                *skipped += 1;
                continue;
            };
            let environment = text(&d, &["environment"]);
            if !self.production.is_production(environment.as_deref()) {
                continue;
            }
            let id = deployment_id(repo, number);
            // Shown in the lane detail: cleaned like every text from the API.
            let sha = text(&d, &["sha"])
                .map(|s| s.to_string())
                .unwrap_or_default();
            let url = self.http.url(
                &format!("repos/{repo}/deployments/{number}/statuses"),
                &[("per_page", "100")],
            )?;
            let statuses = match self.http.get_list(url, None).await {
                Ok(statuses) => statuses,
                Err(HttpError::Status {
                    status: 404, url, ..
                }) => {
                    tracing::warn!(%repo, deployment = number, url = %redact_url(&url), "deployment statuses not found (HTTP 404); deployment skipped");
                    *gone += 1;
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let mapped = map_statuses(&statuses);
            let base = DeploymentEvent {
                id: Id::from(&*id),
                service: service.clone(),
                time: created,
                status: DeployStatus::Pending,
                team: None,
                environment: environment.clone(),
                region: None,
                stage: None,
                changes: if sha.is_empty() {
                    Vec::new()
                } else {
                    vec![Id::from(sha.as_str())]
                },
                hotfix: false,
                url: None,
            };
            known.push((id, sha));
            found.push((base, mapped));
        }
        found.sort_by_key(|(b, _)| b.time);
        self.add_compared_changes(repo, &mut found, skipped).await;
        for (base, mapped) in found {
            if mapped.is_empty() {
                events.push(Event::Deployment(base));
            } else {
                for (status, at, link) in mapped {
                    events.push(Event::Deployment(DeploymentEvent {
                        status,
                        time: at,
                        url: link,
                        ..base.clone()
                    }));
                }
            }
        }
        Ok(known)
    }

    /// Changes of a deployment: the commits since the previous production
    /// deployment of the same environment (compare API), so every merged
    /// pull request in between counts for lead time, not only the deployed one.
    /// `found` is in time order.
    async fn add_compared_changes(
        &mut self,
        repo: &str,
        found: &mut [(DeploymentEvent, StatusLines)],
        skipped: &mut usize,
    ) {
        let mut previous: HashMap<String, String> = HashMap::new();
        for (base, _) in found {
            let env = base
                .environment
                .as_deref()
                .unwrap_or("")
                .to_ascii_lowercase();
            let Some(sha) = base.changes.first().map(|s| s.to_string()) else {
                continue;
            };
            if let Some(prev) = previous.insert(env, sha.clone())
                && prev != sha
            {
                match self.compare(repo, &prev, &sha).await {
                    Ok(commits) => {
                        for c in commits {
                            let c = Id::from(&*c);
                            if !base.changes.contains(&c) {
                                base.changes.push(c);
                            }
                        }
                    }
                    Err(e) => {
                        tracing::warn!(%repo, error = %e, "cannot list the commits of a deployment");
                        *skipped += 1;
                    }
                }
            }
        }
    }

    /// Commit shas in `base...head` (cached: a comparison of two commits never changes).
    async fn compare(
        &mut self,
        repo: &str,
        base: &str,
        head: &str,
    ) -> Result<Vec<Text>, PollError> {
        let key = (repo.to_string(), format!("{base}...{head}"));
        if let Some(c) = self.compared.get(&key) {
            return Ok(c.clone());
        }
        let url = self.http.url(
            &format!("repos/{repo}/compare/{base}...{head}"),
            &[("per_page", "100")],
        )?;
        let shas: Vec<Text> = self
            .http
            .get_list(url, Some("commits"))
            .await?
            .iter()
            .filter_map(|c| text(c, &["sha"]))
            .collect();
        self.compared.insert(key, shas.clone());
        Ok(shas)
    }

    async fn pulls(
        &mut self,
        repo: &str,
        service: &Text,
        events: &mut Vec<Event>,
        skipped: &mut usize,
    ) -> Result<(), PollError> {
        let url = self.http.url(
            &format!("repos/{repo}/pulls"),
            &[
                ("state", "closed"),
                ("sort", "updated"),
                ("direction", "desc"),
                ("per_page", "100"),
            ],
        )?;
        for pr in self.http.get_list(url, None).await? {
            let Some(merged) = time(&pr, &["merged_at"]) else {
                continue; // closed without merging
            };
            let Some(number) = pr.get("number").and_then(Value::as_u64) else {
                *skipped += 1;
                continue;
            };
            let id = text(&pr, &["merge_commit_sha"])
                .or_else(|| text(&pr, &["head", "sha"]))
                .unwrap_or_else(|| Text::from(format!("{repo}#{number}")));
            let at = match self.spec.change_time {
                ChangeTime::Merge => merged,
                ChangeTime::FirstCommit => self
                    .first_commit_time(repo, number)
                    .await?
                    .unwrap_or(merged),
            };
            let author = text(&pr, &["user", "login"]);
            let gates = self.gate_fields(repo, &pr, number, author.as_deref()).await;
            events.push(Event::Change(Change {
                id: Id::from(&*id),
                service: service.clone(),
                time: at,
                team: None,
                title: text(&pr, &["title"]),
                author,
                url: text(&pr, &["html_url"]),
                // Ready for review: its last ready-for-review event if it was
                // opened as a draft, else when it was opened.
                opened: gates.ready.or_else(|| time(&pr, &["created_at"])),
                first_review: gates.first_review,
                merged: Some(merged),
                lines: gates.lines,
                reverts: None,
            }));
        }
        Ok(())
    }

    async fn first_commit_time(
        &mut self,
        repo: &str,
        number: u64,
    ) -> Result<Option<Time>, PollError> {
        let key = (repo.to_string(), number);
        if let Some(t) = self.first_commit.get(&key) {
            return Ok(Some(*t));
        }
        let url = self.http.url(
            &format!("repos/{repo}/pulls/{number}/commits"),
            &[("per_page", "100")],
        )?;
        let first = self
            .http
            .get_list(url, None)
            .await?
            .iter()
            .filter_map(|c| {
                time(c, &["commit", "author", "date"])
                    .or_else(|| time(c, &["commit", "committer", "date"]))
            })
            .min();
        if let Some(t) = first {
            self.first_commit.insert(key, t);
        }
        Ok(first)
    }

    async fn incidents(
        &mut self,
        repo: &str,
        service: &Text,
        deployments: &[(Text, String)],
        events: &mut Vec<Event>,
        skipped: &mut usize,
    ) -> Result<(), PollError> {
        let label = self.spec.incident_label.clone();
        let url = self.http.url(
            &format!("repos/{repo}/issues"),
            &[
                ("state", "all"),
                ("labels", label.as_str()),
                ("per_page", "100"),
            ],
        )?;
        for issue in self.http.get_list(url, None).await? {
            if issue.get("pull_request").is_some() {
                continue;
            }
            let (Some(number), Some(opened)) = (
                issue.get("number").and_then(Value::as_u64),
                time(&issue, &["created_at"]),
            ) else {
                *skipped += 1;
                continue;
            };
            let closed = issue.get("state").and_then(Value::as_str) == Some("closed");
            let body = issue.get("body").and_then(Value::as_str).unwrap_or("");
            let deployment = match attribution(body) {
                Some(Attribution::Deployment(d)) => Some(match d.parse::<u64>() {
                    Ok(n) => deployment_id(repo, n),
                    Err(_) => Text::from(d.as_str()),
                }),
                Some(Attribution::RootCause(sha)) if sha.len() >= 7 => deployments
                    .iter()
                    .find(|(_, s)| s.starts_with(&sha))
                    .map(|(id, _)| id.clone()),
                _ => None,
            };
            let labels: Vec<String> = issue
                .get("labels")
                .and_then(Value::as_array)
                .map(|ls| {
                    ls.iter()
                        .filter_map(|l| {
                            l.get("name").and_then(Value::as_str).or_else(|| l.as_str())
                        })
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            let label_value = |prefix: &str| {
                labels.iter().find_map(|l| {
                    l.strip_prefix(prefix)
                        .map(|v| crate::util::text::sanitize(v.trim()))
                })
            };
            events.push(Event::Incident(Incident {
                id: Text::from(format!("{repo}#{number}")),
                service: label_value("service:").unwrap_or_else(|| service.clone()),
                opened,
                team: None,
                resolved: if closed {
                    time(&issue, &["closed_at"])
                } else {
                    None
                },
                deployment,
                severity: label_value("severity:"),
                title: text(&issue, &["title"]),
                url: text(&issue, &["html_url"]),
            }));
        }
        Ok(())
    }

    async fn workflow_runs(
        &mut self,
        repo: &str,
        service: &Text,
        pattern: &str,
        events: &mut Vec<Event>,
        skipped: &mut usize,
    ) -> Result<(), PollError> {
        let url = self.http.url(
            &format!("repos/{repo}/actions/runs"),
            &[("per_page", "100")],
        )?;
        let pattern = Glob::wildcards(pattern)
            .map_err(|e| PollError::new(format!("`workflows` = {pattern:?}: {e}")))?;
        for run in self.http.get_list(url, Some("workflow_runs")).await? {
            let name = run.get("name").and_then(Value::as_str).unwrap_or("");
            if !pattern.is_match(name) {
                continue;
            }
            let (Some(number), Some(created)) = (
                run.get("id").and_then(Value::as_u64),
                time(&run, &["created_at"]),
            ) else {
                *skipped += 1;
                continue;
            };
            let started = time(&run, &["run_started_at"]).unwrap_or(created);
            let status = run.get("status").and_then(Value::as_str).unwrap_or("");
            let conclusion = run.get("conclusion").and_then(Value::as_str);
            let result = match (status, conclusion) {
                ("completed", Some("success")) => Some(DeployStatus::Success),
                ("completed", Some("failure" | "timed_out" | "startup_failure")) => {
                    Some(DeployStatus::Failure)
                }
                ("completed", _) => None, // cancelled, skipped, neutral: no result
                _ => Some(DeployStatus::InProgress),
            };
            let base = DeploymentEvent {
                id: Id::from(format!("{repo}/runs/{number}")),
                service: service.clone(),
                time: started,
                status: DeployStatus::InProgress,
                team: None,
                environment: None,
                region: None,
                stage: None,
                changes: text(&run, &["head_sha"])
                    .map(|s| Id::from(&*s))
                    .into_iter()
                    .collect(),
                hotfix: false,
                url: text(&run, &["html_url"]),
            };
            events.push(Event::Deployment(base.clone()));
            if let Some(s) = result.filter(|s| s.is_terminal()) {
                // A finished run's last update is its completion.
                let done = time(&run, &["updated_at"]).unwrap_or(started);
                events.push(Event::Deployment(DeploymentEvent {
                    status: s,
                    time: done,
                    ..base
                }));
            }
        }
        Ok(())
    }
}

/// The flightdeck id of GitHub deployment `number` of `repo`.
pub fn deployment_id(repo: &str, number: u64) -> Text {
    Text::from(format!("{repo}/deployments/{number}"))
}

impl Poller for GithubPoller {
    fn poll(&mut self) -> BoxFuture<'_, Result<Polled, PollError>> {
        Box::pin(self.poll_all())
    }

    fn quota(&self) -> Option<Quota> {
        self.http.quota()
    }
}
