//! The HTTP client every HTTP source shares: per-request timeout, response size
//! cap, ETag / If-None-Match with 304, `Link` pagination, and rate-limit headers
//! (GitHub `X-RateLimit-*`, GitLab `RateLimit-*`, `Retry-After`).
//!
//! Tokens travel only in headers marked sensitive and never appear in errors,
//! logs or `Debug` output.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use reqwest::{StatusCode, Url};

use crate::model::Time;
use crate::model::source_update::Quota;
use crate::util::clock::Clock;
use crate::util::text::{redact_url, sanitize};

pub use super::http_headers::{MAX_WAIT, next_link, parse_retry_after, read_quota};
pub use super::secret::Secret;

/// Largest response body read by default.
pub const DEFAULT_MAX_BODY: usize = 16 * 1024 * 1024;
/// Most pages followed through `Link: rel="next"` in one poll.
pub const DEFAULT_MAX_PAGES: usize = 20;

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum HttpError {
    #[error("HTTP {status}{} (GET {url})", message.as_ref().map(|m| format!(": {m}")).unwrap_or_default())]
    Status {
        url: String,
        status: u16,
        message: Option<String>,
    },
    #[error("rate limited{}{} (GET {url})", remaining.map(|r| format!(" ({r} requests left)")).unwrap_or_default(), describe_wait(*until, *retry_after))]
    RateLimited {
        url: String,
        remaining: Option<u64>,
        until: Option<Time>,
        retry_after: Option<Duration>,
        /// How long to wait before the next request, worked out with the
        /// source's clock when the answer came.
        wait: Option<Duration>,
    },
    #[error("no answer within {}s (GET {url})", after.as_secs())]
    Timeout { url: String, after: Duration },
    #[error("response larger than the {} KiB limit (GET {url})", limit / 1024)]
    TooLarge { url: String, limit: usize },
    #[error("response is not JSON: {error} (GET {url})")]
    NotJson { url: String, error: String },
    #[error("{error} (GET {url})")]
    Connect { url: String, error: String },
    #[error("304 Not Modified without a cached copy (GET {url})")]
    Uncached { url: String },
    #[error("invalid URL {url}: {error}")]
    BadUrl { url: String, error: String },
    #[error("HTTP {status} redirect to {to} not followed (GET {url}); give the final URL")]
    Redirected {
        url: String,
        status: u16,
        to: String,
    },
}

fn describe_wait(until: Option<Time>, retry_after: Option<Duration>) -> String {
    let capped = if retry_after.is_some_and(|d| d > MAX_WAIT) {
        " (waiting 24h at most)"
    } else {
        ""
    };
    match (retry_after, until) {
        (Some(d), _) => format!("; retry after {}s{capped}", d.as_secs()),
        (None, Some(t)) => format!("; quota resets at {}", t.format("%Y-%m-%d %H:%M:%S UTC")),
        (None, None) => String::new(),
    }
}

impl HttpError {
    /// How long the server asked us to wait, if it did.
    pub fn wait(&self) -> Option<Duration> {
        match self {
            HttpError::RateLimited { wait, .. } => *wait,
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct HttpOptions {
    pub timeout: Duration,
    pub max_body: usize,
    pub max_pages: usize,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            max_body: DEFAULT_MAX_BODY,
            max_pages: DEFAULT_MAX_PAGES,
        }
    }
}

/// How the token is sent.
#[derive(Debug, Clone, Copy)]
pub enum AuthStyle {
    /// `Authorization: Bearer <token>` (GitHub).
    Bearer,
    /// `PRIVATE-TOKEN: <token>` (GitLab).
    PrivateToken,
    /// `Authorization: Token token=<token>` (PagerDuty).
    TokenToken,
}

struct Cached {
    etag: String,
    body: Arc<Vec<u8>>,
    next: Option<Url>,
}

/// One page of a response.
#[derive(Debug, Clone)]
pub struct Page {
    pub url: Url,
    pub body: Arc<Vec<u8>>,
    /// `Link: <…>; rel="next"` when it stays on the same server.
    pub next: Option<Url>,
    /// Answered 304 Not Modified from the cache.
    pub not_modified: bool,
}

impl Page {
    pub fn json(&self) -> Result<serde_json::Value, HttpError> {
        serde_json::from_slice(&self.body).map_err(|e| HttpError::NotJson {
            url: redact_url(self.url.as_str()),
            error: not_json(&e, &self.body),
        })
    }
}

fn not_json(e: &serde_json::Error, body: &[u8]) -> String {
    let start = String::from_utf8_lossy(&body[..body.len().min(40)]).to_string();
    format!("{e}; it starts with '{}'", sanitize(&start))
}

pub struct Http {
    client: reqwest::Client,
    pub base: Url,
    extra: HeaderMap,
    opts: HttpOptions,
    cache: HashMap<String, Cached>,
    quota: Option<Quota>,
    clock: Clock,
}

/// What an HTTP source kind's spec says about its client.
pub struct SourceClient<'a> {
    pub url: &'a str,
    pub token_env: Option<&'a str>,
    pub token_file: Option<&'a Path>,
    pub max_body_bytes: Option<usize>,
    pub timeout: Duration,
    pub style: AuthStyle,
    pub accept: &'a str,
}

impl Http {
    /// The client of a configured HTTP source: its token (read now, from
    /// `token_env` or `token_file`), size cap and per-request timeout.
    /// The error is the source's failure message.
    pub fn for_source(c: SourceClient<'_>) -> Result<Self, String> {
        let token = Secret::resolve(c.token_env, c.token_file)?;
        let opts = HttpOptions {
            timeout: c.timeout,
            max_body: c.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY),
            ..HttpOptions::default()
        };
        Self::new(c.url, token.as_ref(), c.style, c.accept, opts).map_err(|e| e.to_string())
    }

    pub fn new(
        base: &str,
        token: Option<&Secret>,
        style: AuthStyle,
        accept: &str,
        opts: HttpOptions,
    ) -> Result<Self, HttpError> {
        let bad = |error: String| HttpError::BadUrl {
            url: redact_url(base),
            error,
        };
        // A trailing slash makes relative joins keep the whole base path.
        let mut base_text = base.trim().to_string();
        if !base_text.ends_with('/') {
            base_text.push('/');
        }
        let base = Url::parse(&base_text).map_err(|e| bad(e.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(bad("only http and https are supported".into()));
        }
        let mut extra = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(accept) {
            extra.insert(header::ACCEPT, v);
        }
        if let Some(t) = token {
            let (name, value) = match style {
                AuthStyle::Bearer => (header::AUTHORIZATION, format!("Bearer {}", t.expose())),
                AuthStyle::PrivateToken => (
                    HeaderName::from_static("private-token"),
                    t.expose().to_string(),
                ),
                AuthStyle::TokenToken => {
                    (header::AUTHORIZATION, format!("Token token={}", t.expose()))
                }
            };
            let mut value = HeaderValue::from_str(&value)
                .map_err(|_| bad("the token holds characters a header cannot carry".into()))?;
            value.set_sensitive(true);
            extra.insert(name, value);
        }
        let client = client_builder()
            .connect_timeout(opts.timeout)
            .build()
            .map_err(|e| bad(e.to_string()))?;
        Ok(Self {
            client,
            base,
            extra,
            opts,
            cache: HashMap::new(),
            quota: None,
            clock: Clock::real(),
        })
    }

    pub fn quota(&self) -> Option<Quota> {
        self.quota
    }

    /// `path` relative to the base URL (leading `/` ignored), with query pairs.
    pub fn url(&self, path: &str, query: &[(&str, &str)]) -> Result<Url, HttpError> {
        let mut url =
            self.base
                .join(path.trim_start_matches('/'))
                .map_err(|e| HttpError::BadUrl {
                    url: redact_url(path),
                    error: e.to_string(),
                })?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Ok(url)
    }

    /// GET one URL.
    pub async fn get(&mut self, url: Url) -> Result<Page, HttpError> {
        let timeout = self.opts.timeout;
        let shown = redact_url(url.as_str());
        match tokio::time::timeout(timeout, self.fetch(url)).await {
            Ok(r) => r,
            Err(_) => Err(HttpError::Timeout {
                url: shown,
                after: timeout,
            }),
        }
    }

    /// GET `first` and every page after it (`Link: rel="next"`), up to the page limit.
    pub async fn get_all(&mut self, first: Url) -> Result<Vec<Page>, HttpError> {
        let mut pages = Vec::new();
        let mut next = Some(first);
        while let Some(url) = next.take() {
            let page = self.get(url).await?;
            next = page.next.clone();
            pages.push(page);
            if pages.len() >= self.opts.max_pages {
                tracing::warn!(url = %redact_url(pages[0].url.as_str()), pages = pages.len(), "stopped following pages at the limit");
                break;
            }
        }
        Ok(pages)
    }

    /// GET every page and concatenate the JSON arrays (or the array under `key`).
    pub async fn get_list(
        &mut self,
        first: Url,
        key: Option<&str>,
    ) -> Result<Vec<serde_json::Value>, HttpError> {
        let mut items = Vec::new();
        for page in self.get_all(first).await? {
            let mut value = page.json()?;
            let list = match key {
                Some(k) => value.get_mut(k).map(serde_json::Value::take),
                None => Some(value),
            };
            match list {
                Some(serde_json::Value::Array(a)) => items.extend(a),
                _ => {
                    return Err(HttpError::NotJson {
                        url: redact_url(page.url.as_str()),
                        error: format!(
                            "expected a list{}",
                            key.map(|k| format!(" under `{k}`")).unwrap_or_default()
                        ),
                    });
                }
            }
        }
        Ok(items)
    }

    /// The clock for `Retry-After` dates and quota resets (tests pin it).
    #[must_use]
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    async fn fetch(&mut self, url: Url) -> Result<Page, HttpError> {
        let shown = redact_url(url.as_str());
        let mut request = self.client.get(url.clone()).headers(self.extra.clone());
        let key = url.to_string();
        if let Some(c) = self.cache.get(&key)
            && let Ok(v) = HeaderValue::from_str(&c.etag)
        {
            request = request.header(header::IF_NONE_MATCH, v);
        }
        let mut response = request.send().await.map_err(|e| HttpError::Connect {
            url: shown.clone(),
            error: describe_reqwest(&e),
        })?;
        let status = response.status();
        let headers = response.headers().clone();
        let now = self.clock.now();
        let quota = read_quota(&headers);
        if quota.is_some() {
            self.quota = quota;
        }
        if status == StatusCode::NOT_MODIFIED {
            let c = self
                .cache
                .get(&key)
                .ok_or(HttpError::Uncached { url: shown.clone() })?;
            return Ok(Page {
                url,
                body: c.body.clone(),
                next: c.next.clone(),
                not_modified: true,
            });
        }
        refuse(&mut response, &headers, quota, now, &shown).await?;
        let body = self.read_body(&mut response, shown).await?;
        let next = headers
            .get(header::LINK)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| next_link(v, &url, &self.base));
        if let Some(etag) = headers.get(header::ETAG).and_then(|v| v.to_str().ok()) {
            self.cache.insert(
                key,
                Cached {
                    etag: etag.to_string(),
                    body: body.clone(),
                    next: next.clone(),
                },
            );
        }
        Ok(Page {
            url,
            body,
            next,
            not_modified: false,
        })
    }

    /// A successful response's body, within the size cap.
    async fn read_body(
        &self,
        response: &mut reqwest::Response,
        shown: String,
    ) -> Result<Arc<Vec<u8>>, HttpError> {
        body_within(response, self.opts.max_body, &shown)
            .await
            .map(Arc::new)
    }
}

/// A response's body within `cap` bytes: refused at once when its
/// `Content-Length` says more, else as soon as more arrives (an endless body
/// is cut, not buffered). For every HTTP source, inside [`Http`] or not.
pub async fn body_within(
    response: &mut reqwest::Response,
    cap: usize,
    shown: &str,
) -> Result<Vec<u8>, HttpError> {
    let too_large = || HttpError::TooLarge {
        url: shown.to_string(),
        limit: cap,
    };
    if response
        .content_length()
        .is_some_and(|len| usize::try_from(len).map_or(true, |len| len > cap))
    {
        return Err(too_large());
    }
    match read_capped(response, cap).await {
        Ok(b) => Ok(b),
        Err(ReadFail::TooLarge) => Err(too_large()),
        Err(ReadFail::Io(error)) => Err(HttpError::Connect {
            url: shown.to_string(),
            error,
        }),
    }
}

/// A redirect (other than 304) is never followed, since it may lead to
/// another host and the token would go with it: it is an error that says
/// where it pointed. For every HTTP source, inside [`Http`] or not.
pub fn redirect_refusal(response: &reqwest::Response, shown: &str) -> Option<HttpError> {
    let status = response.status();
    (status.is_redirection() && status != StatusCode::NOT_MODIFIED).then(|| {
        let to = response
            .headers()
            .get(header::LOCATION)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).to_string())
            .map_or_else(
                || "nowhere (no Location)".to_string(),
                |l| redact_url(&sanitize(&l)),
            );
        HttpError::Redirected {
            url: shown.to_string(),
            status: status.as_u16(),
            to,
        }
    })
}

/// The error a response other than a success (or 304) stands for: rate
/// limited (429, or 403 with the quota spent or a `Retry-After`), else its status.
async fn refuse(
    response: &mut reqwest::Response,
    headers: &HeaderMap,
    quota: Option<Quota>,
    now: Time,
    shown: &str,
) -> Result<(), HttpError> {
    let status = response.status();
    let retry_after = headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, now));
    let exhausted = quota.is_some_and(|q| q.remaining == 0);
    if status == StatusCode::TOO_MANY_REQUESTS
        || (status == StatusCode::FORBIDDEN && (exhausted || retry_after.is_some()))
    {
        let until = quota.and_then(|q| q.reset);
        return Err(HttpError::RateLimited {
            url: shown.to_string(),
            remaining: quota.map(|q| q.remaining),
            until,
            retry_after,
            wait: retry_after
                .or_else(|| until.map(|u| (u - now).to_std().unwrap_or_default()))
                .map(|w| w.min(MAX_WAIT)),
        });
    }
    if let Some(redirect) = redirect_refusal(response, shown) {
        return Err(redirect);
    }
    if !status.is_success() {
        // A short excerpt of the error body, for its message.
        let body = read_capped(response, 8 * 1024).await.unwrap_or_default();
        return Err(HttpError::Status {
            url: shown.to_string(),
            status: status.as_u16(),
            message: error_message(&body),
        });
    }
    Ok(())
}

enum ReadFail {
    TooLarge,
    Io(String),
}

async fn read_capped(response: &mut reqwest::Response, cap: usize) -> Result<Vec<u8>, ReadFail> {
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > cap {
                    return Err(ReadFail::TooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => return Err(ReadFail::Io(describe_reqwest(&e))),
        }
    }
}

/// The one way flightdeck builds an HTTP client: rustls with the `ring` provider,
/// chosen here so the build needs no cmake-built C library (aws-lc-sys); our
/// user agent; redirects never followed (see [`redirect_refusal`]). Bodies are
/// read with [`body_within`].
pub fn client_builder() -> reqwest::ClientBuilder {
    static PROVIDER: std::sync::Once = std::sync::Once::new();
    PROVIDER.call_once(|| {
        // Err only when a provider is already installed, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::Client::builder()
        .user_agent(concat!("flightdeck/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
}

fn describe_reqwest(e: &reqwest::Error) -> String {
    use std::error::Error;
    // The innermost cause says the most ("Connection refused"); URLs are ours.
    let mut cause: &dyn Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let kind = if e.is_connect() {
        "cannot connect"
    } else if e.is_timeout() {
        "timed out"
    } else {
        "request failed"
    };
    redact_url(&sanitize(&format!("{kind}: {cause}")))
}

/// The `message` (GitHub, GitLab) or `error.message` (PagerDuty) of an error body.
fn error_message(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let m = v
        .get("message")
        .or_else(|| v.get("error").and_then(|e| e.get("message")))
        .or_else(|| v.get("error"))?;
    let text = match m {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut text = sanitize(&text).to_string();
    if text.len() > 200 {
        let mut cut = 200;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    Some(text)
}

/// The keys every HTTP kind shares (each kind repeats them in its spec so that
/// `deny_unknown_fields` works).
pub fn check_http(
    url: Option<&str>,
    token_env: Option<&str>,
    token_file: Option<&std::path::Path>,
) -> Vec<(&'static str, String)> {
    let mut problems = Vec::new();
    if token_env.is_some() && token_file.is_some() {
        problems.push((
            "token_env",
            "set token_env or token_file, not both".to_string(),
        ));
    }
    if let Some(u) = url {
        match reqwest::Url::parse(u) {
            Ok(p) if matches!(p.scheme(), "http" | "https") => {}
            Ok(_) => problems.push((
                "url",
                format!("'{}' is not an http or https URL", redact_url(u)),
            )),
            Err(e) => problems.push(("url", format!("'{}' is not a URL ({e})", redact_url(u)))),
        }
    }
    problems
}
