//! flightdeck: a terminal cockpit for continuous governance of software delivery.
//!
//! Data flows one way:
//!
//! ```text
//! sources --SourceUpdate--> store --Arc<Snapshot>--> app --> ui
//!                             |
//!                          metrics (pure: records + window + now -> scorecards)
//! ```
//!
//! Each folder is a layer and may use only the layers listed after it
//! (`tests/architecture.rs` reads every `crate::` path and fails on any other):
//!
//! | layer | what lives there | may use |
//! |---|---|---|
//! | `util` | the injected clock, display formats, untrusted-text cleaning, globs | nothing |
//! | `model` | domain records and the messages between layers (`SourceUpdate`, `PollCommand`, canary and stage vocabulary) | `util` |
//! | `metrics` | pure metric engine: DORA, tiers, trends, lanes, canary judging, audit posture, alerts | `model` |
//! | `sources` | one adapter per system, the poll scheduler | `model`, `util` |
//! | `store` | the single owner of records; publishes snapshots (and the canary targets) | `model`, `metrics`, `util` |
//! | `config` | the config file: settings and the source kinds' keys | `model`, `util`, `sources` |
//! | `report` | the typed report and its formats (table, JSON, CSV, Markdown, OpenMetrics) | `model`, `metrics`, `store`, `util` |
//! | `app` | cockpit state and keys: `update(action, snapshot) -> effect`, the `Screen` contract (a screen owns its row model, filter and keys; the app keeps its cursor); no I/O | `model`, `metrics`, `store`, `util` |
//! | `ui` | the screens (`ui::screens`, one file each, registered in `tabs()`) and the chrome around them; draws, no I/O, no recomputation | `app`, `model`, `metrics`, `store`, `util` |
//! | `commands` | the composition root (`wiring`), the commands, terminal, logging | everything |
//!
//! The canary loop is the one feedback path, and it goes through the root: the
//! store publishes the canaries under analysis, `commands::registry` hands the
//! `prometheus` source a reader of them and `metrics::canary::judge`, and the
//! judged results come back to the store as events.

pub mod app;
pub mod commands;
pub mod config;
pub mod metrics;
pub mod model;
pub mod report;
pub mod sources;
pub mod store;
pub mod ui;
pub mod util;
