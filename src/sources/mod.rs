//! Sources: adapters that turn other systems' data into domain events, and the
//! scheduler that polls them. May use `model` and `util` only.

pub mod api_json;
pub mod control_tower;
pub mod demo;
pub mod event_lines;
mod event_prepare;
mod event_scan;
mod event_schema;
pub mod events;
pub mod events_follow;
pub mod events_parallel;
pub mod file_watch;
pub mod findings;
pub mod git;
pub mod github;
pub mod github_statuses;
pub mod gitlab;
pub mod http;
mod http_headers;
pub mod names;
pub mod pagerduty;
pub mod prometheus;
pub mod prometheus_poller;
pub mod replay;
pub mod rollouts;
pub mod rollouts_poller;
pub mod scheduler;
pub mod secret;
pub mod terraform_pins;
