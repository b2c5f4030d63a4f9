//! Small helpers every layer may use: the injected clock, display formats, globs and
//! untrusted-text cleaning. Uses nothing else of the crate.

pub mod clock;
pub mod format;
pub mod glob;
pub mod rfc3339;
pub mod text;
