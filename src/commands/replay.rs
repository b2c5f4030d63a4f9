//! `flightdeck replay FILE`: the cockpit on a recorded event log. The log is read
//! before the screen switches (errors print plainly); a replay clock starts at
//! its first event (or `--from`) and the replay source feeds the store as that
//! clock reaches each event. Space pauses, `>`/`<` change the speed.

use std::process::ExitCode;

use color_eyre::eyre::Result;

use crate::commands::cli::ReplayArgs;
use crate::commands::wiring::Inputs;
use crate::commands::{logging, terminal};
use crate::model::Text;
use crate::sources::events;
use crate::sources::replay::{self, ReplayFeed};

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("{path}: no events to replay{range}")]
    Empty { path: String, range: String },
    #[error("--from {from} is after --to {to}")]
    Backwards { from: String, to: String },
}

/// Reads the log and builds the feed (shared with tests).
pub fn feed(args: &ReplayArgs) -> Result<ReplayFeed> {
    if let (Some(from), Some(to)) = (args.from, args.to)
        && from > to
    {
        return Err(ReplayError::Backwards {
            from: crate::util::format::rfc3339(from),
            to: crate::util::format::rfc3339(to),
        }
        .into());
    }
    let (events, diagnostics) = events::read_file(&args.file, false)?;
    for m in &diagnostics.malformed {
        eprintln!(
            "{}:{}: skipped malformed line: {}",
            m.origin, m.line, m.error
        );
    }
    ReplayFeed::new(
        events,
        args.from
            .or_else(|| live_part(&args.file).filter(|t| args.to.is_none_or(|to| *t <= to))),
        args.to,
    )
    .ok_or_else(|| {
        ReplayError::Empty {
            path: args.file.display().to_string(),
            range: if args.to.is_some() {
                " up to --to".into()
            } else {
                String::new()
            },
        }
        .into()
    })
}

/// Where a `--record`ing's live part begins (its first session's start):
/// the events before it were history when it was recorded, and are applied
/// at once rather than played for hours. `None` for a file without a marker.
fn live_part(path: &std::path::Path) -> Option<crate::model::Time> {
    use std::io::BufRead;
    let file = std::fs::File::open(path).ok()?;
    let lines = std::io::BufReader::new(file).lines().map_while(Result::ok);
    crate::commands::recording::started(lines)
}

pub fn run(args: &ReplayArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let feed = feed(args)?;
    // The config's organisation (teams, services, windows); its sources are not
    // polled: a replay shows the recording only.
    let config = crate::config::load(args.config.as_deref())?;
    let theme = crate::commands::event_loop::theme(args.theme, config.as_ref());
    let keymap = crate::commands::event_loop::keymap(config.as_ref())?;
    let settings = crate::commands::wiring::settings(None, config.as_ref());
    let _log = logging::init();
    tracing::info!(?args, events = feed.len(), "replay starting");
    let name = args.file.file_name().map_or_else(
        || args.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    crate::commands::wiring::run_to_end(async move {
        let clock = feed.clock(args.speed);
        // The file name, as for an events file; the Sources screen says "replay".
        let source: Text = crate::util::text::sanitize(&name);
        let feed_clock = clock.clone();
        let inputs = Inputs {
            settings,
            clock: clock.clone(),
            start: Box::new(move |updates, _, _| {
                tokio::spawn(replay::run(feed, source, feed_clock, updates));
            }),
            shard: crate::model::shard::Shard::ALL,
            skipped: Vec::new(),
        };
        // No configured sources in a replay: `p` and `r` have nothing to steer.
        let running = inputs.start(None);
        let mut tui = terminal::init()?;
        let result = crate::commands::event_loop::run(
            &mut tui,
            running.snapshots,
            &clock,
            &running.scheduler,
            started,
            // A replay's alerts are history: acknowledging them is not saved.
            &crate::commands::event_loop::Options {
                bell: true,
                acknowledgements: None,
                view: None,
                fresh: true,
                recording: false,
                theme,
                keymap,
            },
        )
        .await;
        terminal::restore();
        tracing::info!(ok = result.is_ok(), "replay stopped");
        result.map(crate::commands::event_loop::Ended::exit_code)
    })?
}
