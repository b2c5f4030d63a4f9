//! `report --format html`: one self-contained page (no script, nothing fetched
//! from the network, text from the records escaped), then opened in a real
//! browser: headless Chromium (Debian's `chromium`, installed by `.ci/run`)
//! must find every team and one `<svg>` per chart in the DOM it built, and its
//! screenshot must not be blank. Without chromium the browser part skips with a
//! notice, and fails under FLIGHTDECK_REQUIRE_TOOLS.

use std::path::{Path, PathBuf};
use std::process::Command;

const NOW: &str = "2026-03-02T09:30:00Z";
/// Charts per team: deployments, lead time, failure rate, restore, rework.
const CHARTS_PER_TEAM: usize = 5;

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("flightdeck-html-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn report(args: &[&str], out: &Path) -> String {
    let run = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(["report", "--format", "html", "--now", NOW, "-o"])
        .arg(out)
        .args(args)
        .output()
        .expect("run flightdeck");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    std::fs::read_to_string(out).expect("the report was written")
}

/// The demo's teams, from its JSON report.
fn demo_teams() -> Vec<String> {
    let run = Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(["report", "--format", "json", "--demo", "--now", NOW])
        .output()
        .expect("run flightdeck");
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).expect("json");
    json["teams"]
        .as_array()
        .expect("teams")
        .iter()
        .map(|t| t["team"].as_str().expect("name").to_string())
        .collect()
}

#[test]
fn the_page_is_self_contained_and_has_one_svg_per_chart() {
    let dir = temp_dir("self");
    let page = report(&["--demo"], &dir.join("demo.html"));
    let teams = demo_teams();
    assert_eq!(teams.len(), 8);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.trim_end().ends_with("</html>"));
    for banned in [
        "<script", "src=", "href=", "url(", "@import", "<link", "<img",
    ] {
        assert!(!page.contains(banned), "the page holds {banned}");
    }
    // The only URL is the SVG namespace, which names and fetches nothing.
    let urls = page.matches("http").count();
    assert_eq!(
        urls,
        page.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
    );
    assert_eq!(page.matches("<svg").count(), teams.len() * CHARTS_PER_TEAM);
    for team in &teams {
        assert!(
            page.contains(&format!("<h3>{team}</h3>")),
            "{team} has no charts"
        );
    }
    for section in [
        "Scorecards",
        "Teams that need help",
        "Trends",
        "Audit posture",
    ] {
        assert!(page.contains(&format!("<h2>{section}</h2>")), "{section}");
    }
    assert!(page.contains("DORA 2023</b> benchmark set"));
    assert!(page.contains("Data coverage: the history read covers the whole window (30 days)."));
    // Previous values and which way is better: a rising failure rate is worse.
    assert!(page.contains("worse</span>, was"), "no previous value said");
    assert!(page.contains("@media print"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn text_from_the_records_is_escaped() {
    let dir = temp_dir("escape");
    let events = dir.join("events.ndjson");
    std::fs::write(
        &events,
        concat!(
            r#"{"type":"deployment","id":"d1","service":"api","team":"<script>alert(1)</script>","time":"2026-03-01T00:00:00Z","status":"success"}"#,
            "\n",
            r#"{"type":"deployment","id":"d2","service":"web","team":"a&b \"q\"\u001b[31m","time":"2026-03-01T00:00:00Z","status":"success"}"#,
            "\n"
        ),
    )
    .expect("write events");
    let page = report(
        &["--events", events.to_str().expect("utf-8")],
        &dir.join("e.html"),
    );
    assert!(!page.contains("<script"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("a&amp;b &quot;q&quot;"));
    assert!(!page.contains('\u{1b}'));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Distinct colours and the share of pixels that are not the page's white.
fn variety(png_path: &Path) -> (usize, f64, (u32, u32)) {
    let file = std::fs::File::open(png_path).expect("screenshot written");
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let samples = info.color_type.samples();
    let pixels = &buf[..info.line_size * info.height as usize];
    let mut colours = std::collections::HashSet::new();
    let mut inked = 0usize;
    let mut total = 0usize;
    for row in pixels.chunks(info.line_size) {
        for px in row[..info.width as usize * samples].chunks(samples) {
            let rgb = if samples >= 3 {
                (px[0], px[1], px[2])
            } else {
                (px[0], px[0], px[0])
            };
            colours.insert(rgb);
            total += 1;
            if rgb != (255, 255, 255) {
                inked += 1;
            }
        }
    }
    (
        colours.len(),
        inked as f64 / total as f64,
        (info.width, info.height),
    )
}

#[test]
fn headless_chromium_renders_every_team_and_chart() {
    let Some(chromium) = crate::support::tool("chromium") else {
        return;
    };
    let dir = temp_dir("browser");
    let file = dir.join("demo.html");
    report(&["--demo"], &file);
    let url = format!("file://{}", file.display());
    let browser = |args: &[&str]| {
        Command::new(&chromium)
            .args(["--headless", "--no-sandbox", "--disable-gpu"])
            .arg(format!("--user-data-dir={}", dir.join("profile").display()))
            .args(args)
            .arg(&url)
            .output()
            .expect("run chromium")
    };
    let dom = browser(&["--dump-dom"]);
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    let teams = demo_teams();
    for team in &teams {
        assert!(
            dom.contains(&format!("<h3>{team}</h3>")),
            "{team} is not in the DOM"
        );
    }
    assert_eq!(dom.matches("<svg").count(), teams.len() * CHARTS_PER_TEAM);
    let png = dir.join("shot.png");
    let shot = browser(&[
        &format!("--screenshot={}", png.display()),
        "--window-size=1200,1600",
    ]);
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    // Printed to PDF (the print stylesheet): a PDF of several pages (the demo's
    // gives 11 here).
    let pdf = dir.join("report.pdf");
    let print = browser(&[
        &format!("--print-to-pdf={}", pdf.display()),
        "--no-pdf-header-footer",
    ]);
    assert!(
        print.status.success(),
        "{}",
        String::from_utf8_lossy(&print.stderr)
    );
    let bytes = std::fs::read(&pdf).expect("the PDF was written");
    assert!(bytes.starts_with(b"%PDF-"));
    // Page objects: `/Type /Page` not followed by `s` (that is the page tree).
    let pages = bytes
        .windows(12)
        .filter(|w| w.starts_with(b"/Type /Page") && w[11] != b's')
        .count();
    assert!(pages > 1, "{pages} pages");
    let (colours, inked, size) = variety(&png);
    assert_eq!(size, (1200, 1600));
    assert!(colours >= 16, "only {colours} colours: a blank page?");
    assert!(
        inked > 0.02,
        "only {:.1}% of the page is not white",
        inked * 100.0
    );
    let _ = std::fs::remove_dir_all(&dir);
}
