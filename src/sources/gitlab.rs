//! GitLab REST v4 (gitlab.com or self-managed): deployments, merged merge
//! requests, and incidents (issues of type incident).

use std::path::PathBuf;
use std::time::Duration;

use futures::future::BoxFuture;
use serde::Deserialize;
use serde_json::Value;

use crate::model::Time;
use crate::model::settings::Settings;
use crate::model::source_update::Quota;
use crate::model::{Change, DeployStatus, DeploymentEvent, Event, Id, Incident, Text};
use crate::sources::api_json::{Attribution, attribution, count, first_by_other, text, time};
use crate::sources::http::check_http;
use crate::sources::http::{AuthStyle, Http, SourceClient};
use crate::sources::scheduler::{PollError, Polled, Poller};

pub const DEFAULT_URL: &str = "https://gitlab.com/api/v4";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitlabSpec {
    /// `group/name` path or numeric id of the project.
    pub project: String,
    /// API base URL; self-managed: `https://HOST/api/v4`.
    pub url: Option<String>,
    pub token_env: Option<String>,
    pub token_file: Option<PathBuf>,
    /// Service of the project; default: the project's name.
    pub service: Option<String>,
    pub max_body_bytes: Option<usize>,
}

impl GitlabSpec {
    pub fn check(&self) -> Vec<(&'static str, String)> {
        let mut p = check_http(
            self.url.as_deref(),
            self.token_env.as_deref(),
            self.token_file.as_deref(),
        );
        if self.project.trim().is_empty() {
            p.push(("project", "name the project, e.g. \"group/name\"".into()));
        }
        p
    }
}

pub struct GitlabPoller {
    http: Http,
    spec: GitlabSpec,
    production: Settings,
    /// First note by a reviewer on merged merge requests (none: nobody else spoke).
    first_review: std::collections::HashMap<(String, u64), Option<Time>>,
}

impl GitlabPoller {
    pub fn new(spec: GitlabSpec, settings: &Settings, timeout: Duration) -> Result<Self, String> {
        let http = Http::for_source(SourceClient {
            url: spec.url.as_deref().unwrap_or(DEFAULT_URL),
            token_env: spec.token_env.as_deref(),
            token_file: spec.token_file.as_deref(),
            max_body_bytes: spec.max_body_bytes,
            timeout,
            style: AuthStyle::PrivateToken,
            accept: "application/json",
        })?;
        Ok(Self {
            http,
            spec,
            production: settings.clone(),
            first_review: std::collections::HashMap::new(),
        })
    }

    async fn poll_all(&mut self) -> Result<Polled, PollError> {
        let name = self.spec.project.trim().to_string();
        let project = Project {
            // The project path goes in one URL segment: its slashes are encoded.
            encoded: name.replace('%', "%25").replace('/', "%2F"),
            service: Text::from(
                self.spec
                    .service
                    .clone()
                    .unwrap_or_else(|| name.rsplit('/').next().unwrap_or(&name).to_string()),
            ),
            name,
        };
        let mut batch = Batch::default();
        let deployments = self.deployments(&project, &mut batch).await?;
        self.merge_requests(&project, &mut batch).await?;
        self.incidents(&project, &deployments, &mut batch).await?;
        let warning = (batch.skipped > 0).then(|| {
            format!(
                "{} without the fields flightdeck needs were skipped",
                crate::util::format::plural(batch.skipped, "item")
            )
        });
        Ok(Polled {
            prepared: Vec::new(),
            events: batch.events,
            warning,
        })
    }

    /// Production deployments; returns each one's id and commit, for incidents
    /// that name a root-cause commit.
    async fn deployments(
        &mut self,
        project: &Project,
        batch: &mut Batch,
    ) -> Result<Vec<(Text, String)>, PollError> {
        let mut deployments: Vec<(Text, String)> = Vec::new();
        let url = self.http.url(
            &format!("projects/{}/deployments", project.encoded),
            &[
                ("per_page", "100"),
                ("order_by", "updated_at"),
                ("sort", "desc"),
            ],
        )?;
        for d in self.http.get_list(url, None).await? {
            let (Some(number), Some(created)) = (
                d.get("id").and_then(Value::as_u64),
                time(&d, &["created_at"]),
            ) else {
                batch.skipped += 1;
                continue;
            };
            let environment = text(&d, &["environment", "name"]);
            if !self.production.is_production(environment.as_deref()) {
                continue;
            }
            let status = match d.get("status").and_then(Value::as_str) {
                Some("success") => DeployStatus::Success,
                Some("failed") => DeployStatus::Failure,
                Some("running") => DeployStatus::InProgress,
                Some("created" | "blocked") => DeployStatus::Pending,
                _ => continue, // canceled or unknown: no result
            };
            // When the deployment reached its state: its own `finished_at`, else
            // its job's; a deployment still under way is dated by its creation.
            let at = if status.is_terminal() {
                time(&d, &["finished_at"])
                    .or_else(|| time(&d, &["deployable", "finished_at"]))
                    .unwrap_or(created)
            } else {
                created
            };
            let id = Text::from(format!("{}/deployments/{number}", project.name));
            // Shown in the lane detail: cleaned like every text from the API.
            let sha = text(&d, &["sha"])
                .map(|s| s.to_string())
                .unwrap_or_default();
            batch.events.push(Event::Deployment(DeploymentEvent {
                id: Id::from(&*id),
                service: project.service.clone(),
                time: at,
                status,
                team: None,
                environment,
                region: None,
                stage: None,
                changes: if sha.is_empty() {
                    Vec::new()
                } else {
                    vec![Id::from(sha.as_str())]
                },
                hotfix: false,
                url: text(&d, &["deployable", "web_url"]),
            }));
            deployments.push((id, sha));
        }
        Ok(deployments)
    }

    /// Merged merge requests as changes, by their merge commit.
    async fn merge_requests(
        &mut self,
        project: &Project,
        batch: &mut Batch,
    ) -> Result<(), PollError> {
        let url = self.http.url(
            &format!("projects/{}/merge_requests", project.encoded),
            &[
                ("state", "merged"),
                ("per_page", "100"),
                ("order_by", "updated_at"),
            ],
        )?;
        for mr in self.http.get_list(url, None).await? {
            let Some(merged) = time(&mr, &["merged_at"]) else {
                continue; // not merged
            };
            let Some(id) = text(&mr, &["merge_commit_sha"])
                .or_else(|| text(&mr, &["squash_commit_sha"]))
                .or_else(|| text(&mr, &["sha"]))
            else {
                batch.skipped += 1;
                continue;
            };
            let author = text(&mr, &["author", "username"]);
            let first_review = match mr.get("iid").and_then(Value::as_u64) {
                Some(iid) => self.first_review(project, iid, author.as_deref()).await,
                None => None,
            };
            batch.events.push(Event::Change(Change {
                id: Id::from(&*id),
                service: project.service.clone(),
                time: merged,
                team: None,
                title: text(&mr, &["title"]),
                author,
                url: text(&mr, &["web_url"]),
                opened: time(&mr, &["created_at"]),
                first_review,
                merged: Some(merged),
                // GitLab's merge requests count changed files, not lines: the
                // closest size the list gives (issue 19 names it).
                lines: count(&mr, &["changes_count"]),
                reverts: None,
            }));
        }
        Ok(())
    }

    /// The first note (an approval is a system note too) by someone other than
    /// the author. A failed request leaves the field out (asked again next
    /// poll) rather than failing the merge requests.
    async fn first_review(
        &mut self,
        project: &Project,
        iid: u64,
        author: Option<&str>,
    ) -> Option<Time> {
        let key = (project.encoded.clone(), iid);
        if let Some(&t) = self.first_review.get(&key) {
            return t;
        }
        let url = self.http.url(
            &format!("projects/{}/merge_requests/{iid}/notes", project.encoded),
            &[
                ("sort", "asc"),
                ("order_by", "created_at"),
                ("per_page", "100"),
            ],
        );
        let notes = self.http.get_list(url.ok()?, None).await.ok()?;
        let first = first_by_other(&notes, author, &["author", "username"], &["created_at"]);
        self.first_review.insert(key, first);
        first
    }

    /// Issues of type incident, attributed by their description.
    async fn incidents(
        &mut self,
        project: &Project,
        deployments: &[(Text, String)],
        batch: &mut Batch,
    ) -> Result<(), PollError> {
        let url = self.http.url(
            &format!("projects/{}/issues", project.encoded),
            &[
                ("issue_type", "incident"),
                ("state", "all"),
                ("per_page", "100"),
            ],
        )?;
        for issue in self.http.get_list(url, None).await? {
            let (Some(iid), Some(opened)) = (
                issue.get("iid").and_then(Value::as_u64),
                time(&issue, &["created_at"]),
            ) else {
                batch.skipped += 1;
                continue;
            };
            let body = issue
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("");
            let deployment = match attribution(body) {
                Some(Attribution::Deployment(d)) => Some(match d.parse::<u64>() {
                    Ok(n) => Text::from(format!("{}/deployments/{n}", project.name)),
                    Err(_) => Text::from(d.as_str()),
                }),
                Some(Attribution::RootCause(sha)) if sha.len() >= 7 => deployments
                    .iter()
                    .find(|(_, s)| s.starts_with(&sha))
                    .map(|(id, _)| id.clone()),
                _ => None,
            };
            let closed = issue.get("state").and_then(Value::as_str) == Some("closed");
            batch.events.push(Event::Incident(Incident {
                id: Text::from(format!("{}#{iid}", project.name)),
                service: project.service.clone(),
                opened,
                team: None,
                resolved: if closed {
                    time(&issue, &["closed_at"])
                } else {
                    None
                },
                deployment,
                severity: text(&issue, &["severity"]),
                title: text(&issue, &["title"]),
                url: text(&issue, &["web_url"]),
            }));
        }
        Ok(())
    }
}

/// The polled project: its path, the path encoded for a URL, its service.
struct Project {
    name: String,
    encoded: String,
    service: Text,
}

/// What a poll has read so far.
#[derive(Default)]
struct Batch {
    events: Vec<Event>,
    /// Items without the fields flightdeck needs.
    skipped: usize,
}

impl Poller for GitlabPoller {
    fn poll(&mut self) -> BoxFuture<'_, Result<Polled, PollError>> {
        Box::pin(self.poll_all())
    }

    fn quota(&self) -> Option<Quota> {
        self.http.quota()
    }
}
