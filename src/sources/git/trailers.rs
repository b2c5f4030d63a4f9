//! Contract trailers in commit messages: a commit that takes a step of a
//! contract change says so in its trailers, and the step is taken when the
//! tag that ships the commit is deployed.
//!
//! ```text
//! Contract: orders-api/OrderPlaced expand
//! Contract-Consumers: checkout, billing
//! ```
//!
//! `Contract:` names the contract and the step (`expand`, `migrate` or
//! `contract`); `Contract-Consumers:` lists the consumers (on an expand),
//! separated by commas or spaces. Trailer names are matched without regard
//! to case, as git does. Only the message's last paragraph is read (git's
//! trailer block).

use crate::model::Text;
use crate::model::contracts::ContractStep;
use crate::util::text::sanitize;

/// What a commit's trailers say of a contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractTrailer {
    pub id: Text,
    pub step: ContractStep,
    pub consumers: Vec<Text>,
}

/// The value of trailer `name` on `line`, if it is that trailer.
fn value<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let (key, value) = line.split_once(':')?;
    key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
}

/// The contract trailer of a commit message, if it has one that reads.
pub fn contract_trailer(body: &str) -> Option<ContractTrailer> {
    let block = body.trim_end().rsplit("\n\n").next().unwrap_or_default();
    let mut found: Option<ContractTrailer> = None;
    let mut consumers: Vec<Text> = Vec::new();
    for line in block.lines() {
        if let Some(v) = value(line, "Contract") {
            let mut words = v.split_whitespace();
            let (Some(id), Some(step)) = (words.next(), words.next()) else {
                continue;
            };
            if let Some(step) = ContractStep::parse(step) {
                found = Some(ContractTrailer {
                    id: sanitize(id),
                    step,
                    consumers: Vec::new(),
                });
            }
        } else if let Some(v) = value(line, "Contract-Consumers") {
            for c in v.split([',', ' ']).map(str::trim).filter(|c| !c.is_empty()) {
                let c = sanitize(c);
                if !consumers.contains(&c) {
                    consumers.push(c);
                }
            }
        }
    }
    let mut found = found?;
    found.consumers = consumers;
    Some(found)
}

/// The `contract` line of a commit's trailer, taken by the deployment of
/// `service` that first ships the commit (the tag's time; the step is
/// taken when that deployment reaches production).
pub fn contract_event(
    t: &ContractTrailer,
    service: &Text,
    deployment: &Text,
    at: i64,
) -> crate::model::Event {
    crate::model::Event::Contract(crate::model::contracts::ContractEvent {
        id: t.id.clone(),
        step: t.step,
        service: service.clone(),
        time: super::history::time(at),
        deployment: Some(deployment.clone()),
        consumers: t.consumers.clone(),
        team: None,
        title: None,
        url: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trailer_block_names_the_contract_step_and_consumers() {
        let body = "Accept OrderPlaced v2\n\nBoth shapes are read.\n\n\
                    Contract: orders-api/OrderPlaced expand\n\
                    contract-consumers: checkout, billing checkout\n";
        assert_eq!(
            contract_trailer(body),
            Some(ContractTrailer {
                id: "orders-api/OrderPlaced".into(),
                step: ContractStep::Expand,
                consumers: vec!["checkout".into(), "billing".into()],
            })
        );
        // In the body's text rather than its trailer block: not a trailer.
        assert_eq!(
            contract_trailer("Title\n\nContract: a/B expand\n\nSigned-off-by: x"),
            None
        );
        assert_eq!(contract_trailer("Title\n\nContract: a/B shrink"), None);
        assert_eq!(contract_trailer("Title"), None);
    }
}
