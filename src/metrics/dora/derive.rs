//! [`Facts::derive`]: the window-independent facts, one pass per step
//! (deployments, incident attribution, rework, counted changes).

use crate::model::records::Records;
use crate::model::settings::Settings;
use crate::model::{DeployStatus, Text, Time};

use super::{
    Attribution, CountedChange, DeploymentFacts, Facts, FailReason, IncidentFacts, ReworkReason,
};

/// Hash maps keyed by names: foldhash (fast, well mixed, fixed seed), not SipHash.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;
/// Hash sets of names: foldhash (fast, well mixed, fixed seed), not SipHash.
type HashSet<K> = std::collections::HashSet<K, foldhash::fast::FixedState>;

/// Successful deployments per service slot as (T_ok, id, deployment index).
type OkByService<'a> = Vec<Vec<(Time, &'a str, usize)>>;

/// Services get a dense number, so that per-service lists are vectors indexed
/// by it and the later passes never hash a service name again.
struct Services<'a> {
    slot: HashMap<&'a str, usize>,
    /// Each deployment's service slot.
    of_deployment: Vec<usize>,
    /// An incident's service slot; `None`: no deployment of that service was read.
    of_incident: Vec<Option<usize>>,
}

impl Facts {
    pub fn derive(records: &Records, settings: &Settings) -> Self {
        // Team names are interned: every fact holds the one shared `Text` of its team,
        // so later passes (and `evaluate`) read a few hundred strings that stay in
        // cache instead of one scattered allocation per record.
        let mut teams = Interner::default();
        for t in settings.teams.iter().chain(settings.service_teams.values()) {
            teams.intern(t.clone());
        }
        let (mut deployments, services) = deployment_facts(records, settings, &mut teams);
        for c in &records.changes {
            teams.intern(settings.team_for(c.team.as_ref(), Some(&c.service)));
        }
        for f in &records.findings {
            teams.intern(settings.team_for(f.team.as_ref(), f.service.as_ref()));
        }
        let ok_by_service = ok_by_service(records, &deployments, &services);
        let (incidents, unattributed) =
            attribute_incidents(records, settings, &ok_by_service, &services, &mut teams);
        for (inc, facts) in records.incidents.iter().zip(&incidents) {
            if let Some(a) = facts.attribution {
                deployments[a.deployment()]
                    .fail_reasons
                    .push(FailReason::Incident {
                        id: inc.id.clone(),
                        explicit: matches!(a, Attribution::Explicit(_)),
                    });
            }
        }
        mark_rework(records, &services, &mut deployments);
        let counted_changes = counted_changes(records, &deployments);
        let mut done_order: Vec<usize> = (0..deployments.len())
            .filter(|&i| deployments[i].t_done.is_some())
            .collect();
        done_order.sort_by_key(|&i| (deployments[i].t_done, i));
        let mut counted_order: Vec<usize> = (0..counted_changes.len()).collect();
        counted_order.sort_by_key(|&i| (counted_changes[i].t_ok, i));
        Facts {
            deployments,
            incidents,
            counted_changes,
            teams: teams.into_sorted(),
            unattributed_incidents: unattributed,
            done_order,
            counted_order,
        }
    }
}

/// Per deployment `T_done`, `T_ok`, failing statuses and hotfix rework, and
/// the service slots.
fn deployment_facts<'a>(
    records: &'a Records,
    settings: &Settings,
    teams: &mut Interner,
) -> (Vec<DeploymentFacts>, Services<'a>) {
    let mut slot: HashMap<&str, usize> = HashMap::default();
    let mut of_deployment: Vec<usize> = Vec::with_capacity(records.deployments.len());
    let deployments: Vec<DeploymentFacts> = records
        .deployments
        .iter()
        .map(|d| {
            let mut t_done: Option<Time> = None;
            let mut t_ok: Option<Time> = None;
            let mut fail_reasons = Vec::new();
            for e in &d.events {
                if !settings.is_production(e.environment.as_deref()) {
                    continue;
                }
                if e.status.is_terminal() {
                    t_done = Some(t_done.map_or(e.time, |t| t.min(e.time)));
                }
                if e.status == DeployStatus::Success {
                    t_ok = Some(t_ok.map_or(e.time, |t| t.min(e.time)));
                }
                if e.status.is_failed() {
                    fail_reasons.push(FailReason::Status {
                        status: e.status,
                        region: e.region.clone(),
                    });
                }
            }
            let next = slot.len();
            of_deployment.push(*slot.entry(&d.service).or_insert(next));
            DeploymentFacts {
                team: teams.intern(settings.team_for(d.team.as_ref(), Some(&d.service))),
                t_done,
                t_ok,
                fail_reasons,
                rework: d.hotfix.then_some(ReworkReason::Hotfix),
            }
        })
        .collect();
    let of_incident = records
        .incidents
        .iter()
        .map(|inc| slot.get(&*inc.service).copied())
        .collect();
    let services = Services {
        slot,
        of_deployment,
        of_incident,
    };
    (deployments, services)
}

/// Successful deployments per service, ordered by (T_ok, id): the last one at
/// or before an incident is the implicit candidate, ties going to the larger id.
fn ok_by_service<'a>(
    records: &'a Records,
    deployments: &[DeploymentFacts],
    services: &Services<'_>,
) -> OkByService<'a> {
    let mut ok_by_service: OkByService<'a> = vec![Vec::new(); services.slot.len()];
    for (i, (d, f)) in records.deployments.iter().zip(deployments).enumerate() {
        if let Some(t) = f.t_ok {
            ok_by_service[services.of_deployment[i]].push((t, &d.id, i));
        }
    }
    for list in &mut ok_by_service {
        list.sort_unstable();
    }
    ok_by_service
}

/// Each incident's team and deployment (named, or the service's latest
/// success within the link window), and how many got none.
fn attribute_incidents(
    records: &Records,
    settings: &Settings,
    ok_by_service: &OkByService<'_>,
    services: &Services<'_>,
    teams: &mut Interner,
) -> (Vec<IncidentFacts>, u64) {
    let mut unattributed = 0;
    let incidents: Vec<IncidentFacts> = records
        .incidents
        .iter()
        .zip(&services.of_incident)
        .map(|(inc, &service)| {
            let explicit = inc
                .deployment
                .as_deref()
                .and_then(|id| records.deployment(id))
                .map(Attribution::Explicit);
            let attribution = explicit.or_else(|| {
                let list = &ok_by_service[service?];
                let after = list.partition_point(|(t, _, _)| *t <= inc.opened);
                let &(t_ok, _, d) = list.get(after.checked_sub(1)?)?;
                (inc.opened - t_ok <= settings.incident_link_window)
                    .then_some(Attribution::Implicit(d))
            });
            if attribution.is_none() {
                unattributed += 1;
            }
            IncidentFacts {
                team: teams.intern(settings.team_for(inc.team.as_ref(), Some(&inc.service))),
                attribution,
            }
        })
        .collect();
    (incidents, unattributed)
}

/// Rework: finished while an incident of the same service was open. Per service,
/// incidents sorted by `opened` with a running maximum of their resolve times
/// answer "is any incident opened by T still unresolved at T" in O(log n).
/// Incidents of a service with no deployment cannot make anything rework.
fn mark_rework(records: &Records, services: &Services<'_>, deployments: &mut [DeploymentFacts]) {
    let open_index = open_index(records, services);
    for (f, &service) in deployments.iter_mut().zip(&services.of_deployment) {
        let (Some(done), None) = (f.t_done, &f.rework) else {
            continue;
        };
        let (opened, longest) = &open_index[service];
        let n = opened.partition_point(|&o| o <= done);
        if n > 0 {
            let (resolved, i) = longest[n - 1];
            if resolved.is_none_or(|r| r > done) {
                f.rework = Some(ReworkReason::DuringIncident(
                    records.incidents[i].id.clone(),
                ));
            }
        }
    }
}

fn open_index(records: &Records, services: &Services<'_>) -> Vec<OpenIndex> {
    let mut open_by_service: Vec<Vec<IncidentSpan>> = vec![Vec::new(); services.slot.len()];
    for (i, (inc, service)) in records
        .incidents
        .iter()
        .zip(&services.of_incident)
        .enumerate()
    {
        if let Some(s) = *service {
            open_by_service[s].push((inc.opened, inc.resolved, i));
        }
    }
    open_by_service
        .into_iter()
        .map(|mut list| {
            list.sort_unstable_by_key(|&(o, _, i)| (o, i));
            let opened: Vec<Time> = list.iter().map(|x| x.0).collect();
            // `None` = never resolved, which outlasts everything.
            let mut best: Option<(Option<Time>, usize)> = None;
            let mut longest = Vec::with_capacity(list.len());
            for &(_, resolved, i) in &list {
                let outlasts = match best {
                    None => true,
                    Some((b, _)) => match (resolved, b) {
                        (None, Some(_)) => true,
                        (Some(r), Some(b)) => r > b,
                        _ => false,
                    },
                };
                if outlasts {
                    best = Some((resolved, i));
                }
                longest.extend(best);
            }
            (opened, longest)
        })
        .collect()
}

/// Each change once, at the deployment with the earliest T_ok listing it;
/// ties go to the larger deployment id, as in incident attribution. Indexed by
/// change, so the result comes out in change order.
fn counted_changes(records: &Records, deployments: &[DeploymentFacts]) -> Vec<CountedChange> {
    let mut first: Vec<Option<(Time, &str, usize)>> = vec![None; records.changes.len()];
    for (i, (d, f)) in records.deployments.iter().zip(deployments).enumerate() {
        let Some(t_ok) = f.t_ok else { continue };
        for id in &d.changes {
            let Some(c) = records.change(id) else {
                continue;
            };
            let candidate = (t_ok, &*d.id, i);
            match &mut first[c] {
                Some(cur) => {
                    if (candidate.0, std::cmp::Reverse(candidate.1))
                        < (cur.0, std::cmp::Reverse(cur.1))
                    {
                        *cur = candidate;
                    }
                }
                slot @ None => *slot = Some(candidate),
            }
        }
    }
    first
        .into_iter()
        .enumerate()
        .filter_map(|(change, best)| {
            best.map(|(t_ok, _, deployment)| CountedChange {
                change,
                deployment,
                t_ok,
            })
        })
        .collect()
}

/// One shared `Text` per distinct name.
#[derive(Default)]
struct Interner {
    names: HashSet<Text>,
}

impl Interner {
    /// The shared copy of `name` (`name` itself the first time it is seen).
    fn intern(&mut self, name: Text) -> Text {
        if let Some(shared) = self.names.get(&*name) {
            return shared.clone();
        }
        self.names.insert(name.clone());
        name
    }

    fn into_sorted(self) -> Vec<Text> {
        let mut names: Vec<Text> = self.names.into_iter().collect();
        names.sort_unstable();
        names
    }
}

/// (opened, resolved, incident index).
type IncidentSpan = (Time, Option<Time>, usize);
/// Per service: incidents' open times in order, and for each prefix the
/// longest-lasting incident so far as (resolved, incident index).
type OpenIndex = (Vec<Time>, Vec<(Option<Time>, usize)>);
