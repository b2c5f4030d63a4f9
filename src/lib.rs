//! flightdeck: a terminal cockpit for continuous governance of software delivery.
//!
//! Layers, each knowing only the one below: `sources` -> `store` -> `metrics`
//! -> `app` -> `ui`.

pub mod app;
pub mod check;
pub mod cli;
pub mod clock;
pub mod cockpit;
pub mod cockpit_replay;
pub mod cockpit_screen;
pub mod config;
pub mod findings_policy;
pub mod format;
pub mod frameworks;
pub mod logging;
pub mod metrics;
pub mod model;
pub mod openmetrics;
pub mod record;
pub mod records;
pub mod report;
pub mod report_csv;
pub mod report_findings;
pub mod report_markdown;
pub mod report_output;
pub mod serve;
pub mod settings;
pub mod sources;
pub mod store;
pub mod terminal;
pub mod text;
pub mod ui;
