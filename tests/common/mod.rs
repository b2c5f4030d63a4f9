// Shared by the view and app tests: a snapshot of the demo organisation at a fixed time.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use flightdeck::model::{Text, Time};
use flightdeck::records::Records;
use flightdeck::settings::Settings;
use flightdeck::sources::demo::DemoOrg;
use flightdeck::store::{Snapshot, SourceStatus};

pub fn now() -> Time {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0)
        .single()
        .expect("valid time")
}

pub fn demo_snapshot() -> Snapshot {
    let org = DemoOrg::new(7);
    let mut settings = Settings::default();
    org.declare(&mut settings);
    let records = Records::from_events(org.history(now()));
    let mut demo = SourceStatus::new(Text::from("demo"), "demo");
    demo.last_ok = Some(now() - chrono::TimeDelta::seconds(3));
    demo.items = records.event_count() as u64;
    Snapshot::compute(Arc::new(records), Arc::new(settings), vec![demo], now(), 1)
}
