//! What reading an input produced besides its events: lines read, lines of an
//! unknown type, malformed lines (shown to the user and in the JSON report).

use serde::Serialize;

/// What reading produced besides the events.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Diagnostics {
    /// Lines read, blank ones included.
    pub lines: u64,
    /// Lines whose `type` this version does not know.
    pub skipped_types: u64,
    pub malformed: Vec<Malformed>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Malformed {
    /// Where the line came from (a file path); not part of the JSON report shape.
    #[serde(skip)]
    pub origin: String,
    pub line: u64,
    pub error: String,
}

impl Diagnostics {
    pub fn absorb(&mut self, other: Diagnostics) {
        self.lines += other.lines;
        self.skipped_types += other.skipped_types;
        self.malformed.extend(other.malformed);
    }
}
