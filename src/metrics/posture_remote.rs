//! Open findings of the teams read back by the `scorecards` source: counts by
//! severity as the exporters serve them (`flightdeck_team_open_findings`),
//! without the findings behind them (those stay with the shard that serves
//! the team), so no ages, SLAs, frameworks or trend.

use std::sync::Arc;

use crate::model::Text;
use crate::model::remote::RemoteScorecards;

/// One team's open findings as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteFindings {
    pub team: Text,
    /// Open now: critical, high, medium, low, info.
    pub open: [u64; 5],
    pub open_total: u64,
    /// Where they were read (the `scorecards` source's URL).
    pub origin: Text,
    /// The shard that serves the team (0: unknown) and its scrape target.
    pub shard: u32,
    pub instance: Text,
}

/// Every team read back, each once (the first read that has it), needing
/// action first: most criticals, then most open, then by name.
pub fn compute(remote: &[Arc<RemoteScorecards>]) -> Vec<RemoteFindings> {
    let mut rows: Vec<RemoteFindings> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for read in remote {
        for t in &read.teams {
            if !seen.insert(t.team.clone()) {
                continue;
            }
            rows.push(RemoteFindings {
                team: t.team.clone(),
                open: t.open_findings,
                open_total: t.open_findings.iter().sum(),
                origin: read.origin.clone(),
                shard: t.shard,
                instance: t.instance.clone(),
            });
        }
    }
    rows.sort_by(|a, b| {
        (b.open[0], b.open_total)
            .cmp(&(a.open[0], a.open_total))
            .then_with(|| a.team.cmp(&b.team))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::remote::RemoteTeam;

    fn team(name: &str, open: [u64; 5], shard: u32) -> RemoteTeam {
        RemoteTeam {
            team: name.into(),
            instance: format!("127.0.0.1:{}", 9000 + shard).into(),
            shard,
            windows: Vec::new(),
            open_incidents: 0,
            open_findings: open,
        }
    }

    #[test]
    fn criticals_first_then_most_open_each_team_once() {
        let read = |origin: &str, teams: Vec<RemoteTeam>| {
            Arc::new(RemoteScorecards {
                origin: origin.into(),
                read_at: chrono::DateTime::UNIX_EPOCH,
                shards: 3,
                unattributed_incidents: None,
                teams,
            })
        };
        let rows = compute(&[
            read(
                "http://a",
                vec![
                    team("calm", [0, 0, 0, 0, 0], 1),
                    team("busy", [0, 3, 4, 0, 1], 2),
                    team("urgent", [1, 0, 0, 0, 0], 3),
                ],
            ),
            read("http://b", vec![team("busy", [9, 9, 9, 9, 9], 1)]),
        ]);
        let order: Vec<(&str, u64, &str, u32)> = rows
            .iter()
            .map(|r| (&*r.team, r.open_total, &*r.origin, r.shard))
            .collect();
        assert_eq!(
            order,
            [
                ("urgent", 1, "http://a", 3),
                ("busy", 8, "http://a", 2),
                ("calm", 0, "http://a", 1)
            ]
        );
        assert_eq!(rows[1].open, [0, 3, 4, 0, 1]);
    }
}
