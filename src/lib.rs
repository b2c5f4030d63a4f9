//! flightdeck: a terminal cockpit for continuous governance of software delivery.
//!
//! Layers, each knowing only the one below: `sources` -> `store` -> `metrics`
//! -> `app` -> `ui`.

pub mod cli;
pub mod cockpit;
pub mod format;
pub mod metrics;
pub mod model;
pub mod records;
pub mod report;
pub mod settings;
pub mod sources;
pub mod text;
