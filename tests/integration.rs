//! The integration tests, one binary: each file beside this one is a module
//! (linking one binary instead of one per file keeps the suite's build short).

mod support;

mod app_update;
mod architecture;
mod canary_kayenta;
mod config_file;
mod config_kinds;
mod detail_scroll;
mod events_parallel;
mod findings_bad_input;
mod findings_policy;
mod findings_readers;
mod findings_view;
mod frameworks;
mod gates_rules;
mod gates_view;
mod git_source;
mod http_sources;
mod lanes_model;
mod lanes_view;
mod layout_80x24;
mod metrics_properties;
mod metrics_rules;
mod openmetrics_exposition;
mod prometheus_canary;
mod replay_keys;
mod replay_report;
mod report_audit;
mod report_bad_input;
mod report_findings_json;
mod report_formats;
mod report_gates;
mod report_json;
mod rollouts_conformance;
mod scheduler_run;
mod serve_prometheus;
mod serve_ready;
mod sources_view;
mod store_incremental;
mod store_run;
mod url_secrets;
mod views;
