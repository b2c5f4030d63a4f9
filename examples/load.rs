//! A bounded loopback load on `flightdeck serve`: N GET requests over C
//! keep-alive connections from this separate process; every answer must be a
//! 200 with a whole exposition (ending in `# EOF`). Prints requests/s.
//!
//!   cargo run --release --example load -- 127.0.0.1:9464 10000 16

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    errors: AtomicU64,
    bytes: AtomicU64,
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(addr), total, conns) = (
        args.get(1).and_then(|a| a.parse::<SocketAddr>().ok()),
        args.get(2)
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(10_000),
        args.get(3)
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(16),
    ) else {
        eprintln!("usage: load ADDR:PORT [REQUESTS] [CONNECTIONS]");
        return std::process::ExitCode::from(2);
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("load: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let conns = conns.clamp(1, total.max(1));
    let tally = Arc::new(Tally::default());
    let started = Instant::now();
    runtime.block_on(async {
        let mut tasks = Vec::new();
        for c in 0..conns {
            // Spread the requests evenly; the first connections take the remainder.
            let n = total / conns + u64::from(c < total % conns);
            let tally = tally.clone();
            tasks.push(tokio::spawn(
                async move { connection(addr, n, &tally).await },
            ));
        }
        for t in tasks {
            let _ = t.await;
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    let ok = tally.ok.load(Ordering::Relaxed);
    let errors = tally.errors.load(Ordering::Relaxed);
    let mb = tally.bytes.load(Ordering::Relaxed) as f64 / 1e6;
    println!(
        "{ok} ok, {errors} errors, {conns} connections, {elapsed:.2} s, {:.0} requests/s, {:.1} MB/s",
        ok as f64 / elapsed,
        mb / elapsed
    );
    if errors == 0 && ok == total {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}

/// `n` requests on one keep-alive connection; reconnects after an error.
async fn connection(addr: SocketAddr, n: u64, tally: &Tally) {
    let mut stream: Option<BufReader<TcpStream>> = None;
    for _ in 0..n {
        if stream.is_none() {
            match TcpStream::connect(addr).await {
                Ok(s) => stream = Some(BufReader::new(s)),
                Err(e) => {
                    eprintln!("connect: {e}");
                    tally.errors.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
            }
        }
        let Some(s) = stream.as_mut() else { continue };
        match request(s).await {
            Ok(len) => {
                tally.ok.fetch_add(1, Ordering::Relaxed);
                tally.bytes.fetch_add(len, Ordering::Relaxed);
            }
            Err(e) => {
                eprintln!("request: {e}");
                tally.errors.fetch_add(1, Ordering::Relaxed);
                stream = None;
            }
        }
    }
}

async fn request(s: &mut BufReader<TcpStream>) -> Result<u64, String> {
    s.get_mut()
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: flightdeck\r\n\r\n")
        .await
        .map_err(|e| e.to_string())?;
    let mut line = String::new();
    s.read_line(&mut line).await.map_err(|e| e.to_string())?;
    if !line.starts_with("HTTP/1.1 200") {
        return Err(format!("status line {line:?}"));
    }
    let mut length = None;
    loop {
        line.clear();
        s.read_line(&mut line).await.map_err(|e| e.to_string())?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse::<usize>().ok();
        }
    }
    let length = length.ok_or("no content-length")?;
    let mut body = vec![0; length];
    s.read_exact(&mut body).await.map_err(|e| e.to_string())?;
    if !body.ends_with(b"# EOF\n") {
        return Err("the exposition does not end in # EOF".into());
    }
    Ok(length as u64)
}
