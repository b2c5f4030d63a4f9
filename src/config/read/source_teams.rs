//! A source's `teams = ["payments", "search"]`: the teams whose records it
//! carries. `serve --shard I/N` does not start a source none of whose teams
//! it serves (see `config::SourceConfig::skipped_by`); left out, the source
//! may feed any team and every shard reads it.

use toml::de::DeTable;

use super::{Cx, join};

impl Cx<'_> {
    /// Takes `teams` out of a source's table: `None` when absent (or wrong,
    /// with the problem recorded).
    pub(super) fn take_teams(
        &mut self,
        table: &mut DeTable<'_>,
        prefix: &str,
    ) -> Option<Vec<String>> {
        let (k, v) = table.remove_entry("teams")?;
        let at = k.span().start;
        let key = join(prefix, "teams");
        let Some(items) = v.get_ref().as_array() else {
            self.problem(
                at,
                key,
                format!(
                    "expected a list of team names such as [\"payments\"], found {}",
                    v.get_ref().type_str()
                ),
            );
            return None;
        };
        if items.is_empty() {
            self.problem(
                at,
                key,
                "names no team; leave `teams` out for a source that may feed any team",
            );
            return None;
        }
        let mut teams: Vec<String> = Vec::with_capacity(items.len());
        for item in items {
            match item.get_ref().as_str() {
                Some(t) if !t.trim().is_empty() => {
                    if !teams.iter().any(|have| have == t) {
                        teams.push(t.to_string());
                    }
                }
                Some(_) => {
                    self.problem(
                        item.span().start,
                        key.clone(),
                        "a team name must not be empty",
                    );
                    return None;
                }
                None => {
                    self.problem(
                        item.span().start,
                        key.clone(),
                        format!(
                            "expected a team name (a string), found {}",
                            item.get_ref().type_str()
                        ),
                    );
                    return None;
                }
            }
        }
        Some(teams)
    }
}
