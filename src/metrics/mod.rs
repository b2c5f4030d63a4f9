//! The metric engine: pure, deterministic functions of records, a window and
//! settings. No I/O, no async, no terminal. May use `model` only.

pub mod alert_log;
pub mod alerts;
pub mod canary;
pub mod dora;
pub mod gates;
pub mod governance;
pub mod lanes;
pub mod posture;
pub mod posture_remote;
pub mod ranking;
pub mod stats;
pub mod tiers;
pub mod trend;
pub mod weekly;

pub use dora::{Facts, Scorecards, TeamMetrics, TeamScorecard, Window, scorecards};
pub use ranking::needs_help_first;
pub use tiers::{Benchmarks, DORA_2021, DORA_2023, DORA_2024, DORA_2025, Tier};
