//! flightdeck: a terminal cockpit for continuous governance of software delivery.
//!
//! Layers, each knowing only the one below: `sources` -> `store` -> `metrics`
//! -> `app` -> `ui`.

pub mod app;
pub mod check;
pub mod cli;
pub mod clock;
pub mod cockpit;
pub mod config;
pub mod format;
pub mod logging;
pub mod metrics;
pub mod model;
pub mod records;
pub mod report;
pub mod settings;
pub mod sources;
pub mod store;
pub mod terminal;
pub mod text;
pub mod ui;
