//! The team drill-down's weekly charts (`t`), drawn into a TestBackend at 80x24
//! and 120x40 in the dark and mono themes (insta snapshots of the buffer, text
//! and styles), and what they must show: the metric and the benchmark set in
//! the title, the tier bands named in the caption, the series' blocks, the
//! records behind a selected week, and no colour at all in mono.

use flightdeck::app::theme::{Depth, Theme, ThemeName};
use flightdeck::app::{Action, App};
use flightdeck::store::Snapshot;
use flightdeck::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;

use crate::support::demo_snapshot;

fn draw(app: &App, s: &Snapshot, w: u16, h: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    terminal.draw(|f| ui::render(f, app, s)).expect("draw");
    terminal.backend().buffer().clone()
}

fn text(buf: &Buffer) -> String {
    (0..buf.area.height)
        .map(|y| {
            let row: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
            row.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first team of the Overview (the one needing help most), its charts
/// shown, then `keys`.
fn charts(theme: ThemeName, s: &Snapshot, keys: &[Action]) -> App {
    let mut app = crate::support::app();
    app.theme = Theme::new(theme, Depth::TrueColor);
    app.refresh(s);
    app.update(Action::Open, s);
    app.update(Action::ToggleTrends, s);
    for k in keys {
        app.update(*k, s);
    }
    app
}

#[test]
fn team_charts_snapshots_at_two_sizes_in_dark_and_mono() {
    let s = demo_snapshot();
    for (theme, name) in [(ThemeName::Dark, "dark"), (ThemeName::Mono, "mono")] {
        // A week selected, so the snapshot holds its marker and records too.
        let app = charts(theme, &s, &[Action::WeekEarlier]);
        for (w, h) in [(80, 24), (120, 40)] {
            let buf = draw(&app, &s, w, h);
            insta::assert_snapshot!(format!("team_charts_{w}x{h}_{name}"), format!("{buf:?}"));
        }
    }
}

#[test]
fn the_chart_names_metric_set_and_bands_and_draws_the_series() {
    let s = demo_snapshot();
    let app = charts(ThemeName::Dark, &s, &[]);
    let t = text(&draw(&app, &s, 120, 40));
    assert!(
        t.contains("deployments, per week · 12 weeks · DORA 2023 bands"),
        "{t}"
    );
    // DORA 2023 in deployments a week: elite 7, high 1, medium 7/30.
    assert!(t.contains("• elite ≥7 • high ≥1 • medium ≥0.2"), "{t}");
    assert!(t.contains('█'), "the weeks with data are blocks:\n{t}");
    assert!(t.contains("Records of the window (h picks a week)"), "{t}");
    // `m` walks the five metrics and comes back.
    let titles = [
        "lead time, hours",
        "change failure rate, %",
        "time to restore, hours",
        "rework rate, %",
        "deployments, per week",
    ];
    let mut keys = Vec::new();
    for want in titles {
        keys.push(Action::NextMetric);
        let t = text(&draw(&charts(ThemeName::Dark, &s, &keys), &s, 120, 40));
        assert!(t.contains(want), "after {} m: {t}", keys.len());
    }
    // DORA 2023 does not grade rework rate.
    let rework = charts(ThemeName::Dark, &s, &[Action::NextMetric; 4]);
    let t = text(&draw(&rework, &s, 120, 40));
    assert!(t.contains("DORA 2023 does not grade it"), "{t}");
}

#[test]
fn a_selected_week_lists_only_its_records() {
    let s = demo_snapshot();
    // The last week: 2026-02-23 09:30 .. 2026-03-02 09:30.
    let app = charts(ThemeName::Dark, &s, &[Action::WeekEarlier]);
    let t = text(&draw(&app, &s, 120, 40));
    assert!(t.contains("Records of week 12, 02-23 .. 03-01"), "{t}");
    assert!(
        t.contains("week 12: "),
        "the caption gives the week's value:\n{t}"
    );
    for line in t.lines().filter(|l| l.starts_with("│  2026-")) {
        let day = &line[5..15];
        assert!(
            ("2026-02-23"..="2026-03-02").contains(&day),
            "a record outside the week: {line}"
        );
    }
    // l past the last week shows the window's records again.
    let back = charts(
        ThemeName::Dark,
        &s,
        &[Action::WeekEarlier, Action::WeekLater],
    );
    assert!(text(&draw(&back, &s, 120, 40)).contains("Records of the window"));
    // `t` again: the numbers.
    let numbers = charts(ThemeName::Dark, &s, &[Action::ToggleTrends]);
    assert!(text(&draw(&numbers, &s, 120, 40)).contains("Deployment frequency"));
}

#[test]
fn mono_charts_draw_no_colour_and_keep_their_shapes() {
    let s = demo_snapshot();
    let app = charts(ThemeName::Mono, &s, &[Action::WeekEarlier]);
    for (w, h) in [(80, 24), (120, 40)] {
        let buf = draw(&app, &s, w, h);
        for cell in buf.content() {
            assert!(
                cell.fg == Color::Reset && cell.bg == Color::Reset,
                "{w}x{h}: a coloured cell {cell:?}"
            );
        }
        let t = text(&buf);
        assert!(t.contains('•') && t.contains('█'), "{w}x{h}:\n{t}");
    }
    // Dark colours each band by its tier.
    let dark = draw(&charts(ThemeName::Dark, &s, &[]), &s, 120, 40);
    let band_colours: std::collections::HashSet<Color> = dark
        .content()
        .iter()
        .filter(|c| c.symbol() == "•")
        .map(|c| c.fg)
        .collect();
    assert!(band_colours.len() >= 2, "{band_colours:?}");
}

/// The Incidents screen's bars at both sizes in both themes.
#[test]
fn restore_bars_snapshots_at_two_sizes_in_dark_and_mono() {
    let s = demo_snapshot();
    for (theme, name) in [(ThemeName::Dark, "dark"), (ThemeName::Mono, "mono")] {
        let mut app = crate::support::app();
        app.theme = Theme::new(theme, Depth::TrueColor);
        app.refresh(&s);
        app.update(crate::support::show("Incidents"), &s);
        for (w, h) in [(80, 24), (120, 40)] {
            let buf = draw(&app, &s, w, h);
            insta::assert_snapshot!(format!("restore_bars_{w}x{h}_{name}"), format!("{buf:?}"));
        }
    }
}

/// Every team's bar, the longest time to restore first, and the organisation
/// median over all incidents restored in the window (pooled, not a median of
/// the teams' medians).
#[test]
fn restore_bars_show_each_team_and_the_pooled_median() {
    let s = demo_snapshot();
    let w = &s.views.windows[1];
    let mut took: Vec<i64> = s
        .records
        .incidents
        .iter()
        .filter_map(|i| {
            let r = i.resolved?;
            w.scorecards
                .window
                .contains(r)
                .then(|| (r - i.opened).num_seconds())
        })
        .collect();
    took.sort_unstable();
    let n = took.len();
    assert!(n > 2);
    let median = if n % 2 == 1 {
        took[n / 2] as f64
    } else {
        (took[n / 2 - 1] + took[n / 2]) as f64 / 2.0
    };
    assert_eq!(w.restore_median_seconds, Some(median));
    let mut app = crate::support::app();
    app.refresh(&s);
    app.update(crate::support::show("Incidents"), &s);
    let t = text(&draw(&app, &s, 120, 40));
    let median_text = flightdeck::util::format::duration_secs(median);
    assert!(
        t.contains(&format!("organisation median {median_text}")),
        "{t}"
    );
    let rows: Vec<&str> = t.lines().skip(3).take(w.scorecards.teams.len()).collect();
    let mut longest_first: Vec<&flightdeck::metrics::TeamScorecard> =
        w.scorecards.teams.iter().collect();
    longest_first.sort_by(|a, b| {
        let key = |t: &flightdeck::metrics::TeamScorecard| {
            t.current.time_to_restore.median_seconds.unwrap_or(-1.0)
        };
        key(b).total_cmp(&key(a))
    });
    for (row, team) in rows.iter().zip(longest_first) {
        assert!(
            row.starts_with(&format!("│{}", team.team)),
            "{row} for {}",
            team.team
        );
    }
}

/// The Findings screen's open findings by severity, at 120x40 (the chart
/// needs the height; at 80x24 the list keeps it) in dark and mono: one line
/// shape per severity, named in the caption with the latest count.
#[test]
fn findings_chart_snapshots_and_shapes() {
    let s = demo_snapshot();
    let latest: Vec<u64> = s
        .views
        .weekly_open_findings
        .iter()
        .map(|w| *w.last().expect("12 weeks"))
        .collect();
    for (theme, name) in [(ThemeName::Dark, "dark"), (ThemeName::Mono, "mono")] {
        let mut app = crate::support::app();
        app.theme = Theme::new(theme, Depth::TrueColor);
        app.refresh(&s);
        app.update(crate::support::show("Findings"), &s);
        let buf = draw(&app, &s, 120, 40);
        insta::assert_snapshot!(format!("findings_chart_120x40_{name}"), format!("{buf:?}"));
        let t = text(&buf);
        assert!(t.contains("Open findings by severity · 12 weeks"), "{t}");
        let caption = format!(
            "█ critical {}  ▄ high {}  • medium {}  ⠤ low {}  ▀ info {}",
            latest[0], latest[1], latest[2], latest[3], latest[4]
        );
        assert!(t.contains(&caption), "{caption} not in:\n{t}");
        let small = text(&draw(&app, &s, 80, 24));
        assert!(!small.contains("Open findings by severity"));
    }
}

/// The demo graded by another set: the drill-down names it, gives throughput
/// and instability under the 2025 framing, and rework rate's tier where a set
/// grades it.
#[test]
fn the_drill_down_names_the_set_its_framing_and_a_graded_rework_rate() {
    use flightdeck::model::benchmarks::{Benchmarks, DORA_2025};
    let with = |bench: Benchmarks| {
        let base = demo_snapshot();
        let mut settings = (*base.settings).clone();
        settings.benchmark = bench;
        flightdeck::store::Snapshot::compute(
            base.records.clone(),
            std::sync::Arc::new(settings),
            base.sources.clone(),
            base.now,
            1,
        )
    };
    let s = with(DORA_2025);
    let mut app = crate::support::app();
    app.refresh(&s);
    app.update(Action::Open, &s);
    let t = text(&draw(&app, &s, 120, 40));
    assert!(t.contains("· last 30 days · DORA 2025 · t charts"), "{t}");
    assert!(t.contains("throughput "), "{t}");
    assert!(t.contains(" · instability "), "{t}");
    let graded = Benchmarks {
        name: "strict".into(),
        rework_percent_at_most: Some([5.0, 10.0, 20.0]),
        ..DORA_2025
    };
    let s = with(graded);
    let mut app = crate::support::app();
    app.refresh(&s);
    app.update(Action::Open, &s);
    let t = text(&draw(&app, &s, 120, 40));
    // billing, first by need, reworks 3 of 5 deployments: 60%, low.
    let rework = t
        .lines()
        .find(|l| l.contains("Rework rate"))
        .expect("rework line");
    assert!(rework.contains("60.0% low"), "{rework}");
    assert!(
        t.contains("(the weakest of the key metrics and rework rate)"),
        "{t}"
    );
}
