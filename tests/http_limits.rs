//! One body-size cap and one redirect policy for every HTTP source (issue 13,
//! finding 7): the Prometheus client and the rollouts `url` refuse a body
//! declared at 200 MB or one that never ends, and do not follow a redirect to
//! another host; each refusal names its source (through `check`'s poll) and URL.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use flightdeck::commands::poll_once::{Outcome, poll_once};
use flightdeck::config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A raw HTTP/1.1 server: `/big/...` declares 200 MB, `/endless/...` sends
/// chunks until the client hangs up (64 MB at most), `/redirect/...` points
/// at `elsewhere`. Counts the requests it answers.
async fn hostile(elsewhere: SocketAddr) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("address");
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    tokio::spawn(async move {
        while let Ok((s, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(answer(s, elsewhere));
        }
    });
    (addr, hits)
}

async fn answer(mut s: TcpStream, elsewhere: SocketAddr) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65536 {
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head).to_string();
    let path = head.split(' ').nth(1).unwrap_or("/").to_string();
    if path.starts_with("/big/") {
        let _ = s
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 209715200\r\n\r\n{\"status\":\"success\",")
            .await;
        tokio::time::sleep(Duration::from_secs(5)).await;
    } else if path.starts_with("/endless/") {
        let _ = s
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
            .await;
        let chunk = vec![b' '; 64 * 1024];
        for _ in 0..1024 {
            let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
            if s.write_all(&framed).await.is_err() {
                return;
            }
        }
    } else if path.starts_with("/redirect/") {
        let reply = format!(
            "HTTP/1.1 302 Found\r\nLocation: http://localhost:{}/stolen\r\nContent-Length: 0\r\n\r\n",
            elsewhere.port()
        );
        let _ = s.write_all(reply.as_bytes()).await;
    } else {
        let _ = s
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            .await;
    }
}

fn prometheus(name: &str, url: &str) -> String {
    format!(
        "[[sources]]\nkind = \"prometheus\"\nname = \"{name}\"\nurl = \"{url}\"\ntimeout = \"20s\"\n\
         [sources.queries.error_rate]\nquery = 'rate(errors{{service=\"$service\"}}[5m])'\n\n"
    )
}

fn rollouts(name: &str, url: &str) -> String {
    format!(
        "[[sources]]\nkind = \"rollouts\"\nname = \"{name}\"\nurl = \"{url}\"\ntimeout = \"20s\"\n\n"
    )
}

fn outcome<'a>(outcomes: &'a [Outcome], name: &str) -> &'a Outcome {
    outcomes
        .iter()
        .find(|o| o.name == name)
        .unwrap_or_else(|| panic!("no outcome for {name}"))
}

#[test]
fn every_http_source_caps_the_body_and_does_not_follow_a_redirect_elsewhere() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (elsewhere, stolen) = hostile("127.0.0.1:9".parse().expect("addr")).await;
        let (addr, _) = hostile(elsewhere).await;
        let base = format!("http://{addr}");
        let text = [
            prometheus("prom-big", &format!("{base}/big")),
            prometheus("prom-endless", &format!("{base}/endless")),
            prometheus("prom-redirect", &format!("{base}/redirect")),
            rollouts("argo-big", &format!("{base}/big/rollouts")),
            rollouts("argo-endless", &format!("{base}/endless/rollouts")),
            rollouts("argo-redirect", &format!("{base}/redirect/rollouts")),
        ]
        .concat();
        let config =
            config::parse(&text, Path::new("limits.toml")).unwrap_or_else(|e| panic!("{e}"));
        let began = std::time::Instant::now();
        let outcomes = poll_once(&config).await;
        let took = began.elapsed();
        for o in &outcomes {
            eprintln!("{}: ok={} {}", o.name, o.ok, o.detail);
        }
        for name in ["prom-big", "prom-endless", "argo-big", "argo-endless"] {
            let o = outcome(&outcomes, name);
            assert!(!o.ok, "{name}");
            assert!(
                o.detail
                    .contains("response larger than the 16384 KiB limit"),
                "{name}: {}",
                o.detail
            );
            assert!(
                o.detail.contains(&addr.to_string()),
                "{name} names its URL: {}",
                o.detail
            );
        }
        for name in ["prom-redirect", "argo-redirect"] {
            let o = outcome(&outcomes, name);
            assert!(!o.ok, "{name}");
            let to = format!(
                "redirect to http://localhost:{}/stolen not followed",
                elsewhere.port()
            );
            assert!(o.detail.contains(&to), "{name}: {}", o.detail);
            assert!(
                o.detail.contains(&addr.to_string()),
                "{name} names its URL: {}",
                o.detail
            );
        }
        assert_eq!(
            stolen.load(Ordering::Relaxed),
            0,
            "a redirect was followed to another host"
        );
        // Refused when the cap is passed, not at the 20 s timeout.
        assert!(took < Duration::from_secs(15), "took {took:?}");
    });
}
