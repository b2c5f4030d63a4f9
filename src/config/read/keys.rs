//! `[keys]`: read for its shape here, checked against the cockpit's actions
//! when it starts (`app::keys_config`).

use toml::de::DeValue;

use super::{Cx, Value, join};
use crate::model::settings::KeyLine;

impl Cx<'_> {
    /// `[keys]`: `action = "key"` or a list of keys (`[]` unbinds). Only the
    /// shape is checked here; the action names and keys are checked against
    /// the cockpit's (`app::keys_config`) when it starts, by line.
    pub(super) fn keys(&mut self, value: &Value<'_>) -> Vec<KeyLine> {
        let DeValue::Table(table) = value.get_ref() else {
            self.problem(
                value.span().start,
                "keys",
                "expected a table: `[keys]` with lines like `quit = \"x\"`",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, v) in table.iter() {
            let name = key.get_ref().to_string();
            let keys = match v.get_ref() {
                DeValue::String(s) => Some(vec![s.to_string()]),
                DeValue::Array(items) => items
                    .iter()
                    .map(|i| match i.get_ref() {
                        DeValue::String(s) => Some(s.to_string()),
                        _ => None,
                    })
                    .collect(),
                _ => None,
            };
            match keys {
                Some(keys) => out.push(KeyLine {
                    line: self.line(key.span().start),
                    action: name,
                    keys,
                }),
                None => self.problem(
                    v.span().start,
                    join("keys", &name),
                    "expected a key (\"x\") or a list of keys ([\"x\", \"ctrl-x\"]; [] unbinds)",
                ),
            }
        }
        out
    }
}
