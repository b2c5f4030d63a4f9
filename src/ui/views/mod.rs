//! One module per screen.

pub mod finding;
pub mod findings;
pub mod help;
pub mod incident;
pub mod incidents;
pub mod overview;
pub mod pending;
pub mod sources;
pub mod team;
