//! Sources: adapters that turn other systems' data into domain events.

pub mod demo;
pub mod events;
pub mod git;
pub mod findings;
pub mod prometheus;
pub mod rollouts;
