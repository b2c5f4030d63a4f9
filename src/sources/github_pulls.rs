//! The gates' fields of a merged pull request that the pulls list leaves out:
//! when it became ready for review (`GET …/issues/{n}/events`: the last
//! `ready_for_review` event, for a pull request opened as a draft; else it was
//! ready when created), the first review (`GET …/pulls/{n}/reviews`: the
//! earliest `submitted_at` of a review not by the author) and the size (`GET
//! …/pulls/{n}`: additions + deletions, which only the single pull request
//! carries). Asked once per pull
//! request and kept; a failed request leaves its field out and is asked again
//! at the next poll, rather than failing the pull requests.

use serde_json::Value;

use crate::model::Time;
use crate::sources::api_json::{count, first_by_other, time};

use super::GithubPoller;

/// What a merged pull request adds to its change.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct GateFields {
    /// The last `ready_for_review` event, if it was ever a draft.
    pub ready: Option<Time>,
    pub first_review: Option<Time>,
    pub lines: Option<u64>,
}

/// Additions + deletions, when the object carries both.
fn size(pr: &Value) -> Option<u64> {
    Some(count(pr, &["additions"])? + count(pr, &["deletions"])?)
}

impl GithubPoller {
    pub(super) async fn gate_fields(
        &mut self,
        repo: &str,
        pr: &Value,
        number: u64,
        author: Option<&str>,
    ) -> GateFields {
        let key = (repo.to_string(), number);
        if let Some(&kept) = self.gate_fields.get(&key) {
            return kept;
        }
        let first_review = self.first_review(repo, number, author).await;
        let ready = self.ready_for_review(repo, number).await;
        let lines = match size(pr) {
            Some(n) => Some(n),
            None => self.single_size(repo, number).await,
        };
        let fields = GateFields {
            ready: ready.flatten(),
            first_review: first_review.flatten(),
            lines,
        };
        // Kept only when every request answered (a review may still be absent).
        if first_review.is_some() && ready.is_some() && lines.is_some() {
            self.gate_fields.insert(key, fields);
        }
        fields
    }

    /// `None`: the request failed; `Some(None)`: no reviewer responded.
    async fn first_review(
        &mut self,
        repo: &str,
        number: u64,
        author: Option<&str>,
    ) -> Option<Option<Time>> {
        let url = self.http.url(
            &format!("repos/{repo}/pulls/{number}/reviews"),
            &[("per_page", "100")],
        );
        let reviews = self.http.get_list(url.ok()?, None).await.ok()?;
        Some(first_by_other(
            &reviews,
            author,
            &["user", "login"],
            &["submitted_at"],
        ))
    }

    /// `None`: the request failed; `Some(None)`: never marked ready (never a draft).
    async fn ready_for_review(&mut self, repo: &str, number: u64) -> Option<Option<Time>> {
        let url = self.http.url(
            &format!("repos/{repo}/issues/{number}/events"),
            &[("per_page", "100")],
        );
        let events = self.http.get_list(url.ok()?, None).await.ok()?;
        Some(
            events
                .iter()
                .filter(|e| e.get("event").and_then(Value::as_str) == Some("ready_for_review"))
                .filter_map(|e| time(e, &["created_at"]))
                .max(),
        )
    }

    async fn single_size(&mut self, repo: &str, number: u64) -> Option<u64> {
        let url = self
            .http
            .url(&format!("repos/{repo}/pulls/{number}"), &[])
            .ok()?;
        let page = self.http.get(url).await.ok()?;
        size(&page.json().ok()?)
    }
}
