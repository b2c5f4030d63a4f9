//! The cockpit's clock. Injected everywhere time matters so tests can pin it and
//! the demo can run faster than real time.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{TimeDelta, Utc};

/// A point in time, always UTC (the same type as `model::Time`).
type Time = chrono::DateTime<Utc>;

#[derive(Debug, Clone)]
pub enum Clock {
    /// Always the same instant (tests, reports).
    Fixed(Time),
    /// Starts at `start` and runs `speed` times faster than real time.
    Running {
        start: Time,
        started: Instant,
        speed: f64,
    },
    /// A recorded event log played back: pausable, speed-changeable, stopping
    /// at its end. Shared: the cockpit steers it, the replay source reads it.
    Replay(Arc<Replay>),
}

impl Clock {
    pub fn real() -> Self {
        Self::running(Utc::now(), 1.0)
    }

    pub fn running(start: Time, speed: f64) -> Self {
        Self::Running {
            start,
            started: Instant::now(),
            speed,
        }
    }

    pub fn now(&self) -> Time {
        match self {
            Clock::Fixed(t) => *t,
            Clock::Running {
                start,
                started,
                speed,
            } => {
                let real = started.elapsed().as_secs_f64() * speed;
                *start + TimeDelta::milliseconds((real * 1000.0) as i64)
            }
            Clock::Replay(r) => r.now(),
        }
    }

    /// The replay being played, if this clock is one.
    pub fn replay(&self) -> Option<&Arc<Replay>> {
        match self {
            Clock::Replay(r) => Some(r),
            _ => None,
        }
    }

    pub fn speed(&self) -> f64 {
        match self {
            Clock::Fixed(_) => 0.0,
            Clock::Running { speed, .. } => *speed,
            Clock::Replay(r) => r.status().effective_speed(),
        }
    }

    /// Real time until the clock shows `at` (zero if it already does).
    pub fn real_until(&self, at: Time) -> std::time::Duration {
        let ahead = (at - self.now()).num_milliseconds().max(0) as f64;
        let speed = self.speed();
        if speed <= 0.0 {
            return std::time::Duration::MAX;
        }
        std::time::Duration::from_secs_f64(ahead / 1000.0 / speed)
    }
}

/// Replay speeds `>` and `<` step through (times real time).
pub const REPLAY_SPEEDS: [f64; 15] = [
    1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 7200.0, 21_600.0,
    86_400.0, 604_800.0,
];

/// What the status bar shows about a replay.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplayStatus {
    pub speed: f64,
    pub paused: bool,
    /// The clock reached the end of the log (or `--to`) and stays there.
    pub ended: bool,
}

impl ReplayStatus {
    /// Clock seconds per real second right now: zero when paused or ended.
    pub fn effective_speed(&self) -> f64 {
        if self.paused || self.ended {
            0.0
        } else {
            self.speed
        }
    }
}

#[derive(Debug)]
struct ReplayState {
    /// Clock time at `since` (re-anchored on every pause and speed change).
    at: Time,
    since: Instant,
    speed: f64,
    paused: bool,
}

/// The replay clock: starts at the first event, runs `speed` times faster than
/// real time, and stops at `end`.
#[derive(Debug)]
pub struct Replay {
    state: Mutex<ReplayState>,
    end: Time,
}

impl Replay {
    pub fn new(start: Time, end: Time, speed: f64) -> Self {
        Self {
            state: Mutex::new(ReplayState {
                at: start,
                since: Instant::now(),
                speed,
                paused: false,
            }),
            end: end.max(start),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, ReplayState> {
        // The state is a few plain numbers, valid even after a panic elsewhere.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn now_of(&self, s: &ReplayState) -> Time {
        if s.paused {
            return s.at.min(self.end);
        }
        let ms = s.since.elapsed().as_secs_f64() * s.speed * 1000.0;
        let ahead = TimeDelta::try_milliseconds(ms.min(1e15) as i64).unwrap_or(TimeDelta::MAX);
        s.at.checked_add_signed(ahead)
            .unwrap_or(self.end)
            .min(self.end)
    }

    pub fn now(&self) -> Time {
        let s = self.state();
        self.now_of(&s)
    }

    pub fn end(&self) -> Time {
        self.end
    }

    pub fn status(&self) -> ReplayStatus {
        let s = self.state();
        ReplayStatus {
            speed: s.speed,
            paused: s.paused,
            ended: self.now_of(&s) >= self.end,
        }
    }

    /// Re-anchors at the current time so that a change applies from now on.
    fn change(&self, f: impl FnOnce(&mut ReplayState)) -> ReplayStatus {
        {
            let mut s = self.state();
            s.at = self.now_of(&s);
            s.since = Instant::now();
            f(&mut s);
        }
        self.status()
    }

    pub fn toggle_pause(&self) -> ReplayStatus {
        self.change(|s| s.paused = !s.paused)
    }

    pub fn set_speed(&self, speed: f64) -> ReplayStatus {
        self.change(|s| s.speed = speed)
    }

    /// The next speed up (`>`), or down (`<`), in [`REPLAY_SPEEDS`].
    pub fn step_speed(&self, faster: bool) -> ReplayStatus {
        let current = self.state().speed;
        let next = if faster {
            REPLAY_SPEEDS
                .iter()
                .copied()
                .find(|&v| v > current * 1.0001)
        } else {
            REPLAY_SPEEDS
                .iter()
                .rev()
                .copied()
                .find(|&v| v < current * 0.9999)
        };
        match next {
            Some(speed) => self.set_speed(speed),
            None => self.status(),
        }
    }

    /// Moves the clock to `t` (bounded by the end): tests drive a replay this way.
    pub fn jump_to(&self, t: Time) -> ReplayStatus {
        self.change(|s| s.at = t.min(self.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32) -> Time {
        Utc.with_ymd_and_hms(2024, 3, 1, h, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn a_paused_replay_holds_still_and_stops_at_its_end() {
        let r = Replay::new(t(0), t(10), 1.0);
        let status = r.toggle_pause();
        assert!(status.paused && !status.ended);
        let before = r.now();
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(r.now(), before);
        assert_eq!(
            Clock::Replay(Arc::new(Replay::new(t(0), t(1), 1.0))).speed(),
            1.0
        );
        r.jump_to(t(12));
        assert_eq!(r.now(), t(10));
        assert!(r.status().ended);
    }

    #[test]
    fn speed_steps_up_and_down_and_stays_in_range() {
        let r = Replay::new(t(0), t(10), 60.0);
        assert_eq!(r.step_speed(true).speed, 120.0);
        assert_eq!(r.step_speed(false).speed, 60.0);
        assert_eq!(r.step_speed(false).speed, 30.0);
        for _ in 0..20 {
            r.step_speed(false);
        }
        assert_eq!(r.status().speed, 1.0);
        for _ in 0..20 {
            r.step_speed(true);
        }
        assert_eq!(r.status().speed, 604_800.0);
        // A speed change keeps the clock where it was.
        r.toggle_pause();
        let at = r.now();
        r.step_speed(false);
        assert_eq!(r.now(), at);
    }

    #[test]
    fn a_running_replay_moves_at_its_speed() {
        let r = Replay::new(t(0), t(10), 3600.0);
        std::thread::sleep(std::time::Duration::from_millis(50));
        let moved = r.now() - t(0);
        // 50 ms at 3600x is 3 minutes of clock; allow scheduling slack.
        assert!(moved >= TimeDelta::seconds(170), "{moved}");
        assert!(moved < TimeDelta::hours(10), "{moved}");
    }
}
