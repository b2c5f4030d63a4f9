//! The cockpit's clock. Injected everywhere time matters so tests can pin it and
//! the demo can run faster than real time.

use std::time::Instant;

use chrono::{TimeDelta, Utc};

use crate::model::Time;

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
        }
    }

    pub fn speed(&self) -> f64 {
        match self {
            Clock::Fixed(_) => 0.0,
            Clock::Running { speed, .. } => *speed,
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
