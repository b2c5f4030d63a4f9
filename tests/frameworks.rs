//! Framework normalisation: every naming style the finding formats use maps to
//! one canonical framework, version and control id.

use flightdeck::model::Text;
use flightdeck::model::frameworks::{self, Control};

fn c(framework: &str, version: Option<&str>, control: Option<&str>) -> Control {
    Control {
        framework: Text::from(framework),
        version: version.map(Text::from),
        control: control.map(Text::from),
    }
}

/// Each raw name normalises to its controls; every mismatch is listed.
fn check(table: &[(&str, Vec<Control>)]) {
    let mut failures = Vec::new();
    for (raw, want) in table {
        let got = frameworks::normalise(raw);
        if &got != want {
            failures.push(format!("{raw:?}\n   got  {got:?}\n   want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Security Hub related requirements, standards ids and generator ids.
#[test]
fn security_hub_names_map_to_one_canonical_control() {
    check(&[
        // Security Hub RelatedRequirements
        (
            "NIST.800-53.r5 SC-28(1)",
            vec![c("NIST 800-53", Some("5"), Some("SC-28(1)"))],
        ),
        (
            "NIST.800-53.r5 AU-9",
            vec![c("NIST 800-53", Some("5"), Some("AU-9"))],
        ),
        ("PCI DSS 3.4", vec![c("PCI DSS", None, Some("3.4"))]),
        (
            "PCI DSS v3.2.1/3.4",
            vec![c("PCI DSS", Some("3.2.1"), Some("3.4"))],
        ),
        (
            "CIS AWS Foundations Benchmark v1.4.0/3.7",
            vec![c("CIS", Some("1.4"), Some("3.7"))],
        ),
        (
            "CIS AWS Foundations Benchmark v1.2.0/2.7",
            vec![c("CIS", Some("1.2"), Some("2.7"))],
        ),
        // Security Hub standards ids and generator ids
        (
            "standards/pci-dss/v/3.2.1",
            vec![c("PCI DSS", Some("3.2.1"), None)],
        ),
        (
            "standards/nist-800-53/v/5.0.0",
            vec![c("NIST 800-53", Some("5"), None)],
        ),
        (
            "ruleset/cis-aws-foundations-benchmark/v/1.2.0",
            vec![c("CIS", Some("1.2"), None)],
        ),
        (
            "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/2.7",
            vec![c("CIS", Some("1.2"), Some("2.7"))],
        ),
        (
            "standards/cis-aws-foundations-benchmark/v/1.4.0",
            vec![c("CIS", Some("1.4"), None)],
        ),
        (
            "standards/aws-foundational-security-best-practices/v/1.0.0/CloudTrail.2",
            vec![c("AWS FSBP", Some("1.0"), Some("CloudTrail.2"))],
        ),
        // The FSBP sample spells it "foundation-best-practices".
        (
            "standards/aws-foundation-best-practices/v/1.0.0",
            vec![c("AWS FSBP", Some("1.0"), None)],
        ),
        (
            "pci-dss/v/3.2.1/PCI.Lambda.2",
            vec![c("PCI DSS", Some("3.2.1"), Some("PCI.Lambda.2"))],
        ),
        (
            "standards/service-managed-aws-control-tower/v/1.0.0",
            vec![c("AWS Control Tower", Some("1.0"), None)],
        ),
    ]);
}

/// Prowler's `unmapped.compliance` pairs and ASFF `KEY control`.
#[test]
fn prowler_names_map_to_one_canonical_control() {
    check(&[
        // Prowler: unmapped.compliance pairs and ASFF "KEY control"
        ("CIS-2.0 1.20", vec![c("CIS", Some("2.0"), Some("1.20"))]),
        ("CIS-1.5 2.3.2", vec![c("CIS", Some("1.5"), Some("2.3.2"))]),
        (
            "CIS-1.10 1.2.11",
            vec![c("CIS", Some("1.10"), Some("1.2.11"))],
        ),
        (
            "HIPAA 164_308_a_4_ii_a",
            vec![c("HIPAA", None, Some("164.308(a)(4)(ii)(A)"))],
        ),
        (
            "HIPAA 164_312_e_1",
            vec![c("HIPAA", None, Some("164.312(e)(1)"))],
        ),
        ("GDPR article_32", vec![c("GDPR", None, Some("Art. 32"))]),
        ("SOC2 cc_6_1", vec![c("SOC 2", None, Some("CC6.1"))]),
        (
            "NIST-800-53-Revision-5 ac_2_1",
            vec![c("NIST 800-53", Some("5"), Some("AC-2(1)"))],
        ),
        (
            "NIST-800-53-Revision-4 sc_28",
            vec![c("NIST 800-53", Some("4"), Some("SC-28"))],
        ),
        (
            "NIST-CSF-1.1 ae_1",
            vec![c("NIST CSF", Some("1.1"), Some("ae_1"))],
        ),
        (
            "PCI-3.2.1 cloudtrail",
            vec![c("PCI DSS", Some("3.2.1"), Some("cloudtrail"))],
        ),
        (
            "ISO27001-2013 A.10.1",
            vec![c("ISO 27001", Some("2013"), Some("A.10.1"))],
        ),
        (
            "AWS-Foundational-Security-Best-Practices rds",
            vec![c("AWS FSBP", None, Some("rds"))],
        ),
        (
            "MITRE-ATTACK T1552",
            vec![c("MITRE ATT&CK", None, Some("T1552"))],
        ),
    ]);
}

/// Plain names, as the demo organisation writes them.
#[test]
fn plain_names_map_to_one_canonical_control() {
    check(&[
        // Plain names (the demo organisation's style)
        (
            "NIST 800-53 SC-28",
            vec![c("NIST 800-53", None, Some("SC-28"))],
        ),
        ("GDPR Art. 32", vec![c("GDPR", None, Some("Art. 32"))]),
        ("SOC2 CC6.1", vec![c("SOC 2", None, Some("CC6.1"))]),
        ("SOC 2 CC6.1", vec![c("SOC 2", None, Some("CC6.1"))]),
        ("CIS 5.2", vec![c("CIS", None, Some("5.2"))]),
        ("HIPAA", vec![c("HIPAA", None, None)]),
        ("fsbp", vec![c("AWS FSBP", None, None)]),
    ]);
}

/// Unknown frameworks, the OCSF reader's `KEY: control` form, and nothing.
#[test]
fn unknown_frameworks_keep_their_own_name() {
    check(&[
        // Unknown frameworks keep their own name; a version suffix is split off.
        (
            "KISA-ISMS-P-2023 2.7.1",
            vec![c("KISA-ISMS-P", Some("2023"), Some("2.7.1"))],
        ),
        (
            "ENS-RD2022 op.acc.2",
            vec![c("ENS-RD2022", None, Some("op.acc.2"))],
        ),
        (
            "FFIEC d3-cc-pm-b-1 d3-cc-pm-b-3",
            vec![
                c("FFIEC", None, Some("d3-cc-pm-b-1")),
                c("FFIEC", None, Some("d3-cc-pm-b-3")),
            ],
        ),
        // CISA is not CIS.
        (
            "CISA your-systems-2",
            vec![c("CISA", None, Some("your-systems-2"))],
        ),
        // The OCSF reader's `KEY: control` form keeps a control with spaces whole.
        (
            "AWS-Account-Security-Onboarding: Enabled security services",
            vec![c(
                "AWS-Account-Security-Onboarding",
                None,
                Some("Enabled security services"),
            )],
        ),
        ("CIS-2.0: 1.20", vec![c("CIS", Some("2.0"), Some("1.20"))]),
        (
            "HIPAA: 164_308_a_4_ii_a",
            vec![c("HIPAA", None, Some("164.308(a)(4)(ii)(A)"))],
        ),
        ("", vec![]),
    ]);
}

#[test]
fn the_pair_form_is_the_same_as_the_joined_form() {
    assert_eq!(
        frameworks::normalise_pair("CIS-2.0", "1.20"),
        frameworks::normalise("CIS-2.0 1.20")
    );
    assert_eq!(
        frameworks::normalise_pair("HIPAA", "164_308_a_4_ii_a")[0].label(),
        "HIPAA · 164.308(a)(4)(ii)(A)"
    );
}

#[test]
fn one_pci_filter_covers_every_pci_spelling() {
    let spellings = [
        "PCI DSS 3.4",
        "PCI DSS v3.2.1/3.4",
        "standards/pci-dss/v/3.2.1",
        "pci-dss/v/3.2.1/PCI.Lambda.2",
        "PCI-3.2.1 cloudtrail",
    ]
    .map(Text::from);
    assert_eq!(
        frameworks::frameworks_of(&spellings),
        vec![Text::from("PCI DSS")]
    );
}
