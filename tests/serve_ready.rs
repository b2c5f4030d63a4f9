//! `serve` in-process: `/metrics` answers 503 until the sources have read once
//! (declared teams with no data are not scraped as zeros), then the exposition.

use std::time::Duration;

use flightdeck::commands::serve::{bind, serve};
use flightdeck::commands::wiring::Inputs;
use flightdeck::model::Text;
use flightdeck::model::settings::Settings;
use flightdeck::model::source_update::SourceUpdate;
use flightdeck::sources::events::parse_str;
use flightdeck::util::clock::Clock;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;

async fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connects");
    s.write_all(format!("GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").as_bytes())
        .await
        .expect("writes");
    let mut raw = String::new();
    s.read_to_string(&mut raw).await.expect("reads");
    let status = raw
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = raw
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn metrics_wait_for_the_first_read_and_healthz_answers_at_once() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let listener = bind("127.0.0.1:0".parse().expect("addr")).await.expect("binds");
        let addr = listener.local_addr().expect("address");
        let mut settings = Settings::default();
        settings.teams.push(Text::from("declared"));
        // The source registers, then waits for the test's go before its first read.
        let (go, wait) = oneshot::channel::<()>();
        let start = Box::new(move |updates: tokio::sync::mpsc::Sender<SourceUpdate>, _, _: &_| {
            tokio::spawn(async move {
                let source = Text::from("file");
                let _ = updates
                    .send(SourceUpdate::Registered { source: source.clone(), kind: "events" })
                    .await;
                let _ = wait.await;
                let (events, _) = parse_str(
                    r#"{"type":"deployment","id":"d1","service":"api","team":"core","time":"2024-03-01T12:00:00Z","status":"success"}"#,
                );
                let _ = updates.send(SourceUpdate::Events { source, events }).await;
            });
        });
        let now = chrono::DateTime::parse_from_rfc3339("2024-03-02T00:00:00Z")
            .expect("time")
            .to_utc();
        let inputs = Inputs {
            settings,
            clock: Clock::Fixed(now),
            start,
            shard: flightdeck::model::shard::Shard::ALL,
            skipped: Vec::new(),
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, inputs, async move {
            let _ = stopped.await;
        }));
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(get(addr, "/healthz").await, (200, "ok\n".to_string()));
        let (status, body) = get(addr, "/metrics").await;
        assert_eq!((status, body.as_str()), (503, "the sources have not read yet\n"));
        go.send(()).expect("the source waits");
        let mut body = String::new();
        for _ in 0..50 {
            let (status, b) = get(addr, "/metrics").await;
            if status == 200 {
                body = b;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(body.contains("flightdeck_team_deployments{team=\"core\",window=\"30d\"} 1\n"), "{body}");
        assert!(body.contains("flightdeck_team_deployments{team=\"declared\",window=\"30d\"} 0\n"));
        assert!(body.ends_with("# EOF\n"));
        let _ = stop.send(());
        server.await.expect("joins").expect("the server stops cleanly");
    });
}
