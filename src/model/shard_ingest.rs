//! What a `serve --shard I/N` keeps of what its sources read: the records of
//! its own teams, and those that refer across teams, so that the numbers of
//! its teams are those one unsharded exporter computes while its memory holds
//! about 1/N of the organisation.
//!
//! - changes and findings: kept when the team they count for (the change's
//!   team or its service's; the finding's owner by `[findings]` rules or the
//!   service map) is the shard's; a change that reverts another is always
//!   kept (it may fail another team's deployment);
//! - deployments: kept when their team is the shard's, or when a contract
//!   step or an incident already kept names them (a consumer's migrate step,
//!   an incident attributed across teams), or when they ship a reverting
//!   change already kept; shard 1 keeps every deployment,
//!   as its organisation-wide series (`flightdeck_unattributed_incidents`)
//!   attributes every incident;
//! - incidents, canary results, contract steps, standards, baselines and
//!   scorecards read back: always kept (few, and they refer across teams).
//!
//! A line of a record already kept (a later stage of a deployment, an update
//! of a finding) is kept whatever team it names, so a record is never split.

use std::collections::HashSet;

use crate::model::prepared::Prepared;
use crate::model::records::Records;
use crate::model::settings::Settings;
use crate::model::shard::Shard;
use crate::model::{Event, Id, Text};

/// The ingest filter of one shard (none for `1/1`: everything is kept).
#[derive(Debug, Clone)]
pub struct ShardIngest {
    shard: Shard,
    /// Deployment ids that kept contract steps and incidents name.
    wanted: HashSet<Text>,
    /// Reverting changes kept: the deployments that ship them are kept too.
    reverting: HashSet<Text>,
}

impl ShardIngest {
    /// The filter of `shard`; `None` when it serves every team.
    pub fn new(shard: Shard) -> Option<Self> {
        (shard != Shard::ALL).then(|| Self {
            shard,
            wanted: HashSet::new(),
            reverting: HashSet::new(),
        })
    }

    pub fn shard(&self) -> Shard {
        self.shard
    }

    /// Whether the shard keeps `event`, given what it kept so far (changes
    /// and deployment lines come made ready: see [`Self::keeps_prepared`]).
    fn keeps(&mut self, event: &Event, settings: &Settings, records: &Records) -> bool {
        let shard = self.shard;
        let owns = move |team: Text| shard.owns(&team);
        match event {
            Event::Change(c) => {
                let names = (c.team.as_ref(), &c.service);
                self.keeps_change(&c.id, c.reverts.is_some(), names, (settings, records))
            }
            Event::Deployment(d) => {
                let names = (d.team.as_ref(), &d.service);
                self.keeps_deployment(&d.id, &d.changes, names, (settings, records))
            }
            Event::Finding(f) => {
                records.finding(&f.id).is_some()
                    || owns(settings.findings.owner(f, &settings.service_teams))
                    || owns(settings.team_for(f.team.as_ref(), f.service.as_ref()))
            }
            Event::Incident(i) => {
                self.want(i.deployment.as_ref());
                true
            }
            Event::Contract(c) => {
                self.want(c.deployment.as_ref());
                true
            }
            Event::Canary(_) | Event::Standard(_) | Event::Baseline(_) | Event::Scorecards(_) => {
                true
            }
        }
    }

    /// Whether the shard keeps `event`, given what it kept so far.
    pub fn keeps_prepared(
        &mut self,
        event: &Prepared,
        settings: &Settings,
        records: &Records,
    ) -> bool {
        match event {
            Prepared::Change(c) => {
                let names = (c.team.as_ref(), &c.service);
                self.keeps_change(&c.id, c.reverts.is_some(), names, (settings, records))
            }
            Prepared::Deployment(d) => {
                let names = (d.names.team.as_ref(), &d.names.service);
                self.keeps_deployment(&d.id, &d.changes, names, (settings, records))
            }
            Prepared::Other(e) => self.keeps(e, settings, records),
        }
    }

    /// A change, by its id, whether it reverts another, its team and service.
    fn keeps_change(
        &mut self,
        id: &Id,
        reverts: bool,
        (team, service): (Option<&Text>, &Text),
        (settings, records): (&Settings, &Records),
    ) -> bool {
        if reverts {
            self.reverting.insert(Text::from(id.as_str()));
            return true;
        }
        records.change(id).is_some() || self.shard.owns(&settings.team_for(team, Some(service)))
    }

    /// A deployment line, by its id, the changes it lists, its team and service.
    fn keeps_deployment(
        &self,
        id: &Id,
        changes: &[Id],
        (team, service): (Option<&Text>, &Text),
        (settings, records): (&Settings, &Records),
    ) -> bool {
        self.shard.is_first()
            || records.deployment(id).is_some()
            || self.wanted.contains(id.as_str())
            || changes.iter().any(|c| self.reverting.contains(c.as_str()))
            || self.shard.owns(&settings.team_for(team, Some(service)))
    }

    fn want(&mut self, deployment: Option<&Text>) {
        if let Some(d) = deployment.filter(|d| !d.is_empty())
            && !self.shard.is_first()
        {
            self.wanted.insert(d.clone());
        }
    }
}
