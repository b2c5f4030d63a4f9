//! Small helpers: the injected clock, display formats, globs and untrusted-text
//! cleaning, which every layer may use, and opening files named from outside
//! (`files`), which only the sources and the config do. Uses nothing else of the crate.

pub mod clock;
pub mod files;
pub mod format;
pub mod glob;
pub mod rfc3339;
pub mod text;
