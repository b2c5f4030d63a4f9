//! flightdeck: a terminal cockpit for continuous governance of software delivery.
//!
//! Layers, each knowing only the one below: `sources` -> `store` -> `metrics`
//! -> `app` -> `ui`.

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
