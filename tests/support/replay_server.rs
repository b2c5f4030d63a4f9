//! A local HTTP server (axum on 127.0.0.1, ephemeral port) that replays
//! recorded responses: status, headers and body per path. It answers
//! `If-None-Match` with 304 when the ETag matches, rewrites recorded
//! `https://api.github.com` links to itself, logs every request, and stops when
//! dropped.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Option<Duration>,
}

impl Reply {
    pub fn json(body: impl Into<Vec<u8>>) -> Self {
        Self {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.into(),
            delay: None,
        }
    }

    pub fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// The recorded headers worth replaying (ETag, Link, rate limits, Retry-After).
    pub fn recorded_headers(mut self, recorded: &serde_json::Value) -> Self {
        if let Some(map) = recorded.as_object() {
            for (k, v) in map {
                let lower = k.to_ascii_lowercase();
                let keep = lower == "etag"
                    || lower == "link"
                    || lower == "retry-after"
                    || lower.starts_with("x-ratelimit")
                    || lower.starts_with("ratelimit");
                if keep && let Some(v) = v.as_str() {
                    self.headers.push((lower, v.to_string()));
                }
            }
        }
        self
    }
}

#[derive(Debug, Clone)]
pub struct Seen {
    pub path_and_query: String,
    pub if_none_match: Option<String>,
    pub authorization: bool,
    pub status: u16,
}

#[derive(Default)]
struct Routes {
    /// Exact "path?query" first, then the path alone.
    replies: HashMap<String, Reply>,
    /// Headers sent with every 304.
    not_modified_headers: Vec<(String, String)>,
    seen: Vec<Seen>,
}

pub struct ReplayServer {
    pub addr: SocketAddr,
    routes: Arc<Mutex<Routes>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ReplayServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ReplayServer {
    pub async fn start() -> Self {
        let routes: Arc<Mutex<Routes>> = Arc::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        let app = axum::Router::new()
            .fallback(handle)
            .with_state((routes.clone(), addr));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, routes, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn route(&self, path: &str, reply: Reply) {
        self.routes
            .lock()
            .expect("routes")
            .replies
            .insert(path.to_string(), reply);
    }

    pub fn not_modified_headers(&self, headers: Vec<(String, String)>) {
        self.routes.lock().expect("routes").not_modified_headers = headers;
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.routes.lock().expect("routes").seen.clone()
    }
}

async fn handle(
    State((routes, addr)): State<(Arc<Mutex<Routes>>, SocketAddr)>,
    request: Request,
) -> Response {
    let path = request.uri().path().to_string();
    let pq = request
        .uri()
        .path_and_query()
        .map_or(path.clone(), |p| p.as_str().to_string());
    let headers: &HeaderMap = request.headers();
    let inm = headers
        .get("if-none-match")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let authorization =
        headers.contains_key("authorization") || headers.contains_key("private-token");
    let (reply, nm_headers) = {
        let r = routes.lock().expect("routes");
        let reply = r.replies.get(&pq).or_else(|| r.replies.get(&path)).cloned();
        (reply, r.not_modified_headers.clone())
    };
    let reply = reply.unwrap_or_else(|| Reply::json(r#"{"message":"Not Found"}"#).status(404));
    if let Some(d) = reply.delay {
        tokio::time::sleep(d).await;
    }
    let etag = reply
        .headers
        .iter()
        .find(|(k, _)| k == "etag")
        .map(|(_, v)| v.clone());
    let not_modified = reply.status == 200 && etag.is_some() && inm == etag;
    let status = if not_modified { 304 } else { reply.status };
    routes.lock().expect("routes").seen.push(Seen {
        path_and_query: pq,
        if_none_match: inm,
        authorization,
        status,
    });
    let mut builder =
        Response::builder().status(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
    let base = format!("http://{addr}");
    let header_list = if not_modified {
        let mut h = nm_headers;
        if let Some(e) = etag {
            h.push(("etag".into(), e));
        }
        h
    } else {
        reply.headers.clone()
    };
    for (k, v) in header_list {
        let v = v.replace("https://api.github.com", &base);
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(k.as_str()), HeaderValue::from_str(&v))
        {
            builder = builder.header(name, value);
        }
    }
    let body = if not_modified { Vec::new() } else { reply.body };
    builder.body(Body::from(body)).unwrap_or_default()
}

/// A server that accepts connections and never answers.
pub struct SilentServer {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SilentServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SilentServer {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        let task = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        Self { addr, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}
