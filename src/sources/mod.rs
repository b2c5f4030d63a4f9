//! Sources: adapters that turn other systems' data into domain events.

pub mod demo;
pub mod events;
pub mod replay;
