//! Contract steps from git commit trailers (`Contract:`,
//! `Contract-Consumers:`), in a repository built here with the real `git`:
//! each step is taken by the deployment (tag) that first ships its commit,
//! and the rules of DESIGN.md read the steps that result.

use crate::git_source::{Repo, TempDir, at};
use crate::support as common;

use flightdeck::metrics::governance::Governance;
use flightdeck::model::Event;
use flightdeck::model::contracts::ContractStep;
use flightdeck::model::records::Records;
use flightdeck::model::settings::Settings;
use flightdeck::sources::git::{GitSpec, scan};

/// Contract, step, service, deployment, consumers.
type Step = (String, ContractStep, String, Option<String>, Vec<String>);

#[test]
fn trailers_give_contract_steps_taken_by_the_shipping_tag() {
    let Some(git) = common::tool("git") else {
        return;
    };
    let tmp = TempDir::new("trailers");
    let repo = Repo::init(&git, tmp.0.join("orders"));
    repo.commit(&["a.txt"], "init", at(1));
    repo.tag("v1.0.0");
    repo.commit(
        &["b.txt"],
        "Accept OrderPlaced v2\n\nBoth shapes are read.\n\n\
         Contract: orders-api/OrderPlaced expand\n\
         Contract-Consumers: checkout, billing",
        at(10),
    );
    repo.commit(&["c.txt"], "Unrelated fix", at(11));
    repo.tag("v1.1.0"); // at(11): ships the expand
    repo.commit(
        &["d.txt"],
        "Drop OrderPlaced v1\n\nContract: orders-api/OrderPlaced contract",
        at(30),
    );
    repo.tag("v1.2.0"); // at(30): ships the contract step
    let found = scan(&GitSpec::one_service(&repo.dir, "orders")).expect("scan");
    let steps: Vec<Step> = found
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Contract(c) => Some((
                c.id.to_string(),
                c.step,
                c.service.to_string(),
                c.deployment.as_deref().map(String::from),
                c.consumers.iter().map(|x| x.to_string()).collect(),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        steps,
        [
            (
                "orders-api/OrderPlaced".into(),
                ContractStep::Expand,
                "orders".into(),
                Some("orders@v1.1.0".into()),
                vec!["checkout".into(), "billing".into()]
            ),
            (
                "orders-api/OrderPlaced".into(),
                ContractStep::Contract,
                "orders".into(),
                Some("orders@v1.2.0".into()),
                vec![]
            ),
        ]
    );
    // The rules: expanded when v1.1.0 deployed (at 11 h), contracted at v1.2.0
    // (30 h) while neither consumer migrated: a violation naming both.
    let records = Records::from_events(found.events);
    let g = Governance::compute(&records, &Settings::default(), at(48));
    let [c] = g.contracts.as_slice() else {
        panic!("{g:#?}")
    };
    assert_eq!((c.started, c.contracted, c.step), (at(11), Some(at(30)), 3));
    assert_eq!(
        c.violation.as_deref(),
        Some("old path removed while billing, checkout had not migrated")
    );
}
