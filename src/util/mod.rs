//! Small helpers every layer may use: the injected clock, display formats and
//! untrusted-text cleaning. Uses nothing else of the crate.

pub mod clock;
pub mod format;
pub mod text;
