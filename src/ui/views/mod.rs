//! One module per screen.

pub mod finding;
pub mod findings;
pub mod help;
pub mod incident;
pub mod incidents;
pub mod lane;
pub mod lanes;
pub mod overview;
pub mod release_window;
pub mod sources;
pub mod team;
