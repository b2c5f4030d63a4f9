//! Scans a git repository with the `git` source and prints counts and timing.
//!
//! cargo run --release --example git_scan -- PATH [TAG_GLOB[,GLOB...]] [SERVICE | PREFIX=SERVICE...]
//!
//! With `PREFIX=SERVICE` pairs the repository is read as a monorepo. With
//! `GIT_SCAN_REPOLL` set, every line on stdin polls again (to time incremental polls).

use std::collections::BTreeMap;
use std::time::Instant;

use flightdeck::sources::git::{GitScanner, GitSpec, ServiceMap, TagPattern};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or("usage: git_scan PATH [TAG_GLOB] [SERVICE | PREFIX=SERVICE...]")?;
    let service = args.get(2).map_or("app", String::as_str);
    let mut spec = GitSpec::one_service(path, service);
    let pairs: BTreeMap<String, String> = args
        .iter()
        .skip(2)
        .filter_map(|a| a.split_once('='))
        .map(|(p, s)| (p.to_string(), s.to_string()))
        .collect();
    if !pairs.is_empty() {
        spec.services = ServiceMap::paths(pairs)?;
    }
    if let Some(glob) = args.get(1) {
        spec.deploy_tags = glob
            .split(',')
            .map(TagPattern::new)
            .collect::<Result<_, _>>()?;
    }
    let mut scanner = GitScanner::new(spec);
    let start = Instant::now();
    let scan = scanner.poll()?;
    let first = start.elapsed();
    let again = Instant::now();
    let rescan = scanner.poll()?;
    let second = again.elapsed();
    let s = &scan.stats;
    println!(
        "tags {} (deploy {}, aliases {}), commits {}, deployments {}, changes {}, reverts {}, events {}",
        s.tags,
        s.deploy_tags,
        s.aliases,
        s.commits,
        s.deployments,
        s.changes,
        s.reverts,
        scan.events.len()
    );
    println!(
        "scan {:.3} s ({:.0} commits/s); unchanged re-poll {:.3} s (unchanged: {})",
        first.as_secs_f64(),
        s.commits as f64 / first.as_secs_f64(),
        second.as_secs_f64(),
        rescan.unchanged
    );
    // This process's own peak memory (git's is reported by `/usr/bin/time`).
    if let Ok(status) = std::fs::read_to_string("/proc/self/status")
        && let Some(line) = status.lines().find(|l| l.starts_with("VmHWM"))
    {
        println!("own peak RSS: {}", line.trim_start_matches("VmHWM:").trim());
    }
    for w in &scan.warnings {
        println!("warning: {w}");
    }
    // Each line read from stdin triggers one more poll,
    // e.g. after adding a commit, to time an incremental poll.
    if std::env::var_os("GIT_SCAN_REPOLL").is_some() {
        let mut line = String::new();
        while std::io::stdin().read_line(&mut line)? > 0 {
            let t = Instant::now();
            let scan = scanner.poll()?;
            println!(
                "re-poll {:.3} s: unchanged {}, commits read {}, events {}, reverts {}",
                t.elapsed().as_secs_f64(),
                scan.unchanged,
                scan.stats.commits,
                scan.events.len(),
                scan.stats.reverts
            );
            line.clear();
        }
    }
    Ok(())
}
