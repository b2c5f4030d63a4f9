//! [`Facts::update`]: the window-independent facts kept up to date batch by
//! batch. A batch re-derives only what its records can change, and gives exactly
//! what a derivation from scratch gives (`tests/store_incremental.rs` checks it):
//!
//! - a deployment's own facts (`T_done`, `T_ok`, failing statuses, hotfix, team)
//!   depend on its own lines;
//! - incident attribution, rework and the list of successful deployments depend
//!   on one service's deployments and incidents: a batch re-derives the services
//!   it touched, whole (a service is a few hundred deployments);
//! - an incident naming a deployment id links across services: incidents are
//!   indexed by the id they name, so a deployment read later finds them;
//! - a change is counted at the first successful deployment listing it, of any
//!   service: changes keep the deployments that list them (and ids listed before
//!   the change was read wait in `pending`).
//!
//! [`Facts::derive`] is the same update with every record touched.

use std::sync::Arc;

use crate::model::records::{Records, Touched};
use crate::model::segmented::Segmented;
use crate::model::settings::Settings;
use crate::model::{Text, Time};

use super::links::{Links, NONE, NOT_COUNTED, move_ref, open_index};
use super::team_index::CountedEntry;
use super::work::{Work, dedup, dedup_below, map_in_two, work_in_two};
use super::{Attribution, DeploymentFacts, Facts, IncidentFacts, done_and_ok};

/// Numbers each `Facts::new`, so that memos keyed by versions of one history
/// never mistake another's.
static HISTORIES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl Facts {
    /// No records yet: only the teams the settings name.
    pub fn new(settings: &Settings) -> Self {
        let mut links = Links::default();
        for t in settings.teams.iter().chain(settings.service_teams.values()) {
            let slot = links.team(t.clone());
            links.team_refs[slot as usize] += 1;
        }
        links.config_refs = links.team_refs.clone();
        let mut facts = Facts {
            deployments: Segmented::default(),
            incidents: Segmented::default(),
            teams: Vec::new(),
            unattributed_incidents: 0,
            in_flight: 0,
            gates: Segmented::default(),
            sorted_slots: Vec::new(),
            history: HISTORIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            links,
        };
        facts.sort_teams();
        facts
    }

    /// Every fact about `records`, from scratch.
    pub fn derive(records: &Records, settings: &Settings) -> Self {
        let mut facts = Self::new(settings);
        // Every position once and in order already: no copy to sort.
        facts.update_with(records, settings, Touched::all(records));
        facts
    }

    /// Brings the facts up to date with `records`, of which `touched` are the
    /// records applied since the last update (new or merged).
    pub fn update(&mut self, records: &Records, settings: &Settings, touched: &Touched) {
        self.update_with(records, settings, touched.clone());
    }

    fn update_with(&mut self, records: &Records, settings: &Settings, mut touched: Touched) {
        touched.dedup();
        let mut work = Work::default();
        self.grow(records);
        self.note_incidents(records, &touched, &mut work);
        self.note_deployments(records, settings, &touched, &mut work);
        self.note_changes(records, settings, &touched, &mut work);
        self.note_findings(records, settings, &touched);
        self.note_governance(records, settings);
        dedup(&mut work.services);
        dedup(&mut work.incident_services);
        for &s in &work.services {
            self.rebuild_service(records, s);
            work.reattribute
                .extend(self.links.incs_of_service[s as usize].iter().copied());
            // Rework reads the service's incidents: only when they changed can
            // a deployment the batch did not touch turn rework (a change of
            // attribution is handled in `reattribute`).
            if work.incident_services.binary_search(&s).is_ok() {
                work.refresh
                    .extend(self.links.deps_of_service[s as usize].iter().copied());
            }
        }
        self.reattribute(records, settings, &mut work);
        self.refresh_deployments(records, settings, &mut work);
        self.recount(records, &mut work);
        // Reverts read where changes are counted, which the recount just set:
        // the deployments on both sides of a moved revert are refreshed again.
        let targets = std::mem::take(&mut work.revert_targets);
        self.links
            .first_deployers(records, &targets, &mut work.refresh);
        self.refresh_deployments(records, settings, &mut work);
        self.refresh_gates(records, settings, &touched, &mut work.touched_teams);
        // Freed before the teams' arrays are built, when a derivation from
        // scratch holds the most (`touched` lists every record then).
        drop(touched);
        let Work {
            mut edits,
            touched_teams,
            ..
        } = work;
        self.links.edits += 1;
        debug_assert!(
            (touched_teams.iter()).all(|&t| (t as usize) < self.links.team_index.len()),
            "every touched team has its arrays"
        );
        let jobs = (self.links.team_index.iter_mut().enumerate())
            .filter(|(slot, _)| touched_teams.contains(&(*slot as u32)))
            .map(|(slot, index)| {
                let e = edits.remove(&(slot as u32)).unwrap_or_default();
                (Arc::make_mut(index), e)
            })
            .collect();
        let inputs = (&self.deployments, &self.gates);
        super::team_index::apply_all(jobs, inputs, self.links.edits);
        self.sort_teams();
    }

    /// Placeholder facts for records read since the last update.
    fn grow(&mut self, records: &Records) {
        let l = &mut self.links;
        // One empty name shared by every placeholder, not one each.
        let none = Text::from("");
        let deployments = records.deployments.len();
        // No `T_done` until it is derived: in flight until then.
        self.in_flight += deployments.saturating_sub(self.deployments.len());
        let placeholder = DeploymentFacts::new(none.clone(), (None, None), Vec::new(), None);
        self.deployments.grow_to(deployments, &placeholder);
        l.dep_service.grow_to(deployments, &NONE);
        l.dep_team.grow_to(deployments, &NONE);
        let incidents = records.incidents.len();
        // Counted as attributed until derived (see `reattribute`).
        let placeholder = IncidentFacts {
            team: none,
            attribution: None,
        };
        self.incidents.grow_to(incidents, &placeholder);
        l.inc_service.grow_to(incidents, &NONE);
        l.inc_team.grow_to(incidents, &NONE);
        let changes = records.changes.len();
        l.listers.grow_to(changes, &[NONE; 2]);
        l.counted.grow_to(changes, &NOT_COUNTED);
        l.change_team.grow_to(changes, &NONE);
        l.finding_team.grow_to(records.findings.len(), &NONE);
    }

    /// Incidents that moved service or name a deployment.
    fn note_incidents(&mut self, records: &Records, touched: &Touched, work: &mut Work) {
        let l = &mut self.links;
        for &i in &touched.incidents {
            let Some(inc) = records.incidents.get(i) else {
                continue;
            };
            let i32 = i as u32;
            let s = l.service(&inc.service);
            let old = l.inc_service.get(i).copied().unwrap_or(NONE);
            if old != s {
                if old != NONE {
                    Arc::make_mut(&mut l.incs_of_service[old as usize]).retain(|&x| x != i32);
                    work.services.push(old);
                    work.incident_services.push(old);
                }
                Arc::make_mut(&mut l.incs_of_service[s as usize]).push(i32);
                if let Some(slot) = l.inc_service.get_mut(i) {
                    *slot = s;
                }
            }
            work.services.push(s);
            work.incident_services.push(s);
            work.reattribute.push(i32);
            if let Some(name) = &inc.deployment {
                let naming = l.naming.get(name);
                if naming.is_none_or(|v| !v.contains(&i32)) {
                    Arc::make_mut(&mut l.naming)
                        .entry(name.clone())
                        .or_default()
                        .push(i32);
                }
            }
        }
    }

    /// New deployments join their service, pick up the incidents that named
    /// them and list their changes; touched ones get their own facts anew.
    fn note_deployments(
        &mut self,
        records: &Records,
        settings: &Settings,
        touched: &Touched,
        work: &mut Work,
    ) {
        // `T_ok` reads only the deployment's lines: worked out on both cores.
        let t_oks = map_in_two(&touched.deployments, |d| {
            (records.deployments.get(d)).map(|dep| done_and_ok(dep, settings).1)
        });
        for (&d, t_ok) in touched.deployments.iter().zip(t_oks) {
            let (Some(dep), Some(t_ok)) = (records.deployments.get(d), t_ok) else {
                continue;
            };
            let d32 = d as u32;
            let l = &mut self.links;
            let s = match l.dep_service.get(d).copied() {
                Some(s) if s != NONE => s,
                _ => {
                    let s = l.service(&dep.service);
                    Arc::make_mut(&mut l.deps_of_service[s as usize]).push(d32);
                    if let Some(slot) = l.dep_service.get_mut(d) {
                        *slot = s;
                    }
                    if let Some(named) = l.naming.get(dep.id.as_str()) {
                        work.reattribute.extend(named.iter().copied());
                    }
                    s
                }
            };
            work.services.push(s);
            for listed in records.listed_changes(dep) {
                match listed {
                    Ok(c) => {
                        l.add_lister(c, d32);
                        work.recount.push(c as u32);
                    }
                    Err(id) => l.pending.wait(id, d32),
                }
            }
            work.refresh.push(d32);
            // The service's ok list is rebuilt from `T_ok`, so it is set now;
            // `refresh_deployments` sets the rest. (`T_ok` and the team come from
            // the deployment's own lines, so only a touched deployment moves its
            // changes, and they were all listed for recounting above.)
            let old = self.deployments.get(d).map(|f| f.t_ok);
            if old.is_some_and(|old| old != t_ok)
                && let Some(f) = self.deployments.get_mut(d)
            {
                f.t_ok = t_ok;
            }
        }
    }

    /// Changes read for the first time pick up the deployments that listed
    /// them; every touched change is recounted and its team noted.
    fn note_changes(
        &mut self,
        records: &Records,
        settings: &Settings,
        touched: &Touched,
        work: &mut Work,
    ) {
        let l = &mut self.links;
        for &c in &touched.changes {
            let Some(change) = records.changes.get(c) else {
                continue;
            };
            for d in l.pending.take(&change.id) {
                l.add_lister(c, d);
            }
            work.recount.push(c as u32);
            l.note_revert(c as u32, change, &mut work.revert_targets);
            let team = l.team(settings.team_for(change.team.as_ref(), Some(&change.service)));
            if let Some(slot) = l.change_team.get_mut(c) {
                let old = std::mem::replace(slot, team);
                move_ref(&mut l.team_refs, old, team);
            }
        }
    }

    /// A finding only names a team (which then is reported).
    fn note_findings(&mut self, records: &Records, settings: &Settings, touched: &Touched) {
        let l = &mut self.links;
        for &f in &touched.findings {
            let Some(finding) = records.findings.get(f) else {
                continue;
            };
            let team = l.team(settings.team_for(finding.team.as_ref(), finding.service.as_ref()));
            if let Some(slot) = l.finding_team.get_mut(f) {
                let old = std::mem::replace(slot, team);
                move_ref(&mut l.team_refs, old, team);
            }
        }
    }

    /// A service's successful deployments and its incidents' open spans.
    fn rebuild_service(&mut self, records: &Records, s: u32) {
        let l = &mut self.links;
        let mut ok: Vec<(Time, u32)> = l.deps_of_service[s as usize]
            .iter()
            .filter_map(|&d| Some((self.deployments.get(d as usize)?.t_ok?, d)))
            .collect();
        // Ties on T_ok go by id: the last one at or before an incident is the
        // implicit candidate, so the larger id wins.
        ok.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| {
                let id = |d: u32| records.deployments.get(d as usize).map(|x| &*x.id);
                id(a.1).cmp(&id(b.1))
            })
        });
        l.ok[s as usize] = Arc::new(ok);
        l.open[s as usize] = Arc::new(open_index(records, &l.incs_of_service[s as usize]));
    }

    /// Attribution and team of each incident in the work list.
    fn reattribute(&mut self, records: &Records, settings: &Settings, work: &mut Work) {
        dedup(&mut work.reattribute);
        let reattribute = std::mem::take(&mut work.reattribute);
        for &i in &reattribute {
            let Some(inc) = records.incidents.get(i as usize) else {
                continue;
            };
            let l = &mut self.links;
            let explicit = inc
                .deployment
                .as_deref()
                .and_then(|id| records.deployment(id))
                .map(Attribution::Explicit);
            let service = l.inc_service.get(i as usize).copied().unwrap_or(NONE);
            let attribution = explicit.or_else(|| {
                let list = l.ok.get(service as usize)?;
                let after = list.partition_point(|(t, _)| *t <= inc.opened);
                let &(t_ok, d) = list.get(after.checked_sub(1)?)?;
                (inc.opened - t_ok <= settings.incident_link_window)
                    .then_some(Attribution::Implicit(d as usize))
            });
            let team_name = settings.team_for(inc.team.as_ref(), Some(&inc.service));
            let team = l.team(team_name);
            // Written only when something changed: a write copies the shared chunk.
            let Some(f) = self.incidents.get(i as usize) else {
                continue;
            };
            // The team slot, not the team's name, says whether it was derived
            // before: a team may be named "" (the config allows it).
            let old_team = l.inc_team.get(i as usize).copied().filter(|&t| t != NONE);
            let was_new = old_team.is_none();
            if old_team == Some(team) && f.attribution == attribution {
                continue;
            }
            let Some(f) = self.incidents.get_mut(i as usize) else {
                continue;
            };
            if old_team != Some(team) {
                if let Some(old) = old_team {
                    work.edits(old).incidents_out.push(i);
                }
                work.edits(team).incidents_in.push(i);
                move_ref(&mut l.team_refs, old_team.unwrap_or(NONE), team);
                f.team = l.team_names[team as usize].clone();
                if let Some(slot) = l.inc_team.get_mut(i as usize) {
                    *slot = team;
                }
            }
            if was_new || f.attribution != attribution {
                // A new incident was not counted as unattributed yet.
                if !was_new && f.attribution.is_none() {
                    self.unattributed_incidents -= 1;
                }
                if attribution.is_none() {
                    self.unattributed_incidents += 1;
                }
                let map = Arc::make_mut(&mut l.attributed);
                if let Some(old) = f.attribution.filter(|_| !was_new) {
                    let d = old.deployment() as u32;
                    if let Some(v) = map.get_mut(&d) {
                        v.retain(|&x| x != i);
                        if v.is_empty() {
                            map.remove(&d);
                        }
                    }
                    work.refresh.push(d);
                }
                if let Some(new) = attribution {
                    let d = new.deployment() as u32;
                    let v = map.entry(d).or_default();
                    if let Err(at) = v.binary_search(&i) {
                        v.insert(at, i);
                    }
                    work.refresh.push(d);
                }
                f.attribution = attribution;
            }
        }
    }

    /// Every fact of each deployment in the work list, and its place in its
    /// team's arrays.
    fn refresh_deployments(&mut self, records: &Records, settings: &Settings, work: &mut Work) {
        dedup_below(&mut work.refresh, records.deployments.len());
        let refresh = std::mem::take(&mut work.refresh);
        // Each deployment's facts read the facts and records only: worked out
        // on both cores first (a first read refreshes every deployment), then
        // written here in order.
        work_in_two(
            self,
            &refresh,
            |facts, d| {
                (records.deployments.get(d as usize))
                    .map(|dep| facts.deployment_facts(records, settings, dep, d))
            },
            |facts, d, new| {
                if let Some(new) = new {
                    facts.write_facts(d, new, work);
                }
            },
        );
    }

    /// Deployment `d`'s facts worked out anew (`new`): written where they
    /// changed, with the team's edits they make.
    fn write_facts(&mut self, d: u32, mut new: DeploymentFacts, work: &mut Work) {
        let team = self.links.team(new.team.clone());
        new.team = self.links.team_names[team as usize].clone();
        // Read first and write only what changed: the chunks are shared
        // with the published snapshot, and a write copies a whole chunk.
        let Some(f) = self.deployments.get(d as usize) else {
            return;
        };
        let l = &mut self.links;
        let old_team = l.dep_team.get(d as usize).copied().filter(|&t| t != NONE);
        let old_done = f.t_done;
        let old_failed = !f.fail_reasons.is_empty();
        let new_failed = !new.fail_reasons.is_empty();
        let old_rework = f.rework.is_some();
        if old_team != Some(team) {
            move_ref(&mut l.team_refs, old_team.unwrap_or(NONE), team);
            if let Some(slot) = l.dep_team.get_mut(d as usize) {
                *slot = team;
            }
        }
        if old_team != Some(team) || old_done != new.t_done {
            if let (Some(t), Some(old)) = (old_done, old_team) {
                work.edits(old).done_out.push((t, d));
            }
            if let Some(t) = new.t_done {
                work.edits(team).done_in.push((t, d));
            }
        } else if old_failed != new_failed || old_rework != new.rework.is_some() {
            work.touched_teams.insert(team);
        }
        // A deployment's `T_ok` and team come from its own lines: only a touched
        // one can move its changes, and `note_deployments` listed those.
        match (old_done.is_some(), new.t_done.is_some()) {
            (false, true) => self.in_flight -= 1,
            (true, false) => self.in_flight += 1,
            _ => {}
        }
        if *f != new
            && let Some(f) = self.deployments.get_mut(d as usize)
        {
            *f = new;
        }
    }

    /// Where each change in the work list is counted: at the deployment with
    /// the earliest `T_ok` listing it, ties going to the larger id.
    fn recount(&mut self, records: &Records, work: &mut Work) {
        dedup_below(&mut work.recount, records.changes.len());
        let recount = std::mem::take(&mut work.recount);
        // Where each is counted reads the facts only: worked out on both cores.
        let first = |facts: &Self, c| facts.first_deployment(records, c);
        work_in_two(self, &recount, first, |facts, c, new| {
            let Some(change) = records.changes.get(c as usize) else {
                return;
            };
            let l = &mut facts.links;
            let Some(slot) = l.counted.get_mut(c as usize) else {
                return;
            };
            let old = std::mem::replace(slot, new.map_or(NOT_COUNTED, |(t, _, d)| (t, d)));
            let old = (old != NOT_COUNTED).then_some(old);
            l.revert_recounted(
                c,
                change,
                [old.map(|x| x.1), new.map(|x| x.2)],
                &mut work.refresh,
                &mut work.revert_targets,
            );
            // Out and in again even where nothing moved: the lead and review
            // times are read from the change, which may have changed, and the
            // new version of the team's arrays tells the memos so.
            if let Some((team, _)) = old {
                work.edits(team).counted_out.push(c);
            }
            if let Some((team, t_ok, deployment)) = new {
                work.edits(team).counted_in.push(CountedEntry {
                    t_ok,
                    change: c,
                    deployment,
                });
            }
        });
    }

    /// Where change `c` is counted: the team, `T_ok` and position of the
    /// deployment with the earliest `T_ok` listing it (ties to the larger id).
    fn first_deployment(&self, records: &Records, c: u32) -> Option<(u32, Time, u32)> {
        let mut best: Option<(Time, u32)> = None;
        // Ids are read only to break a tie (most changes have one lister).
        let id = |d: u32| records.deployments.get(d as usize).map(|x| &*x.id);
        for d in self.links.listers(c as usize) {
            let Some(t_ok) = self.deployments.get(d as usize).and_then(|f| f.t_ok) else {
                continue;
            };
            if d as usize >= records.deployments.len() {
                continue;
            }
            let better = best.is_none_or(|(t, b)| {
                t_ok < t || (t_ok == t && std::cmp::Reverse(id(d)) < std::cmp::Reverse(id(b)))
            });
            if better {
                best = Some((t_ok, d));
            }
        }
        best.and_then(|(t_ok, d)| {
            let team = self.links.dep_team.get(d as usize).copied()?;
            (team != NONE).then_some((team, t_ok, d))
        })
    }

    /// The live teams in name order, and their slots.
    fn sort_teams(&mut self) {
        let l = &self.links;
        let mut slots: Vec<u32> = (0..l.team_names.len() as u32)
            .filter(|&t| l.team_refs[t as usize] > 0)
            .collect();
        slots.sort_unstable_by(|&a, &b| l.team_names[a as usize].cmp(&l.team_names[b as usize]));
        self.teams = slots
            .iter()
            .map(|&t| l.team_names[t as usize].clone())
            .collect();
        self.sorted_slots = slots;
    }
}
