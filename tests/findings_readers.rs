//! Conformance: every shared fixture in sarif/, asff/, prowler_ocsf/ and trivy/
//! is read in place with its format detected from content, and the counts per
//! severity, status and canonical framework match numbers computed once from the
//! files with an independent Python script (rules as documented in each reader).

use crate::support as common;

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use flightdeck::model::frameworks;
use flightdeck::model::{FindingStatus, Severity, Time};
use flightdeck::sources::findings::{self, Format, MAX_BYTES};

fn now() -> Time {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0)
        .single()
        .expect("valid")
}

/// (folder, file, findings, [critical, high, medium, low, info], [open, resolved,
/// suppressed], findings per canonical framework)
type Expected = (
    &'static str,
    &'static str,
    usize,
    [usize; 5],
    [usize; 3],
    &'static [(&'static str, usize)],
);

const EXPECTED: &[Expected] = &[
    (
        "sarif",
        "codeql_2.11.0_filter-sarif_test_input.sarif.json",
        1,
        [1, 0, 0, 0, 0],
        [1, 0, 0],
        &[],
    ),
    (
        "sarif",
        "semgrep_1.69.0_snapshot.sarif.json",
        1,
        [0, 1, 0, 0, 0],
        [1, 0, 0],
        &[],
    ),
    (
        "sarif",
        "trivy_alpine-310.sarif.json",
        4,
        [0, 0, 4, 0, 0],
        [4, 0, 0],
        &[],
    ),
    (
        "asff",
        "prowler_docs_asff_findings.json",
        1,
        [0, 0, 0, 1, 0],
        [0, 1, 0],
        &[
            ("AWS FSBP", 1),
            ("CIS", 1),
            ("CISA", 1),
            ("FFIEC", 1),
            ("RBI-Cyber-Security-Framework", 1),
        ],
    ),
    (
        "asff",
        "securityhub_get_findings_cli_example_pci.json",
        1,
        [0, 0, 0, 0, 1],
        [0, 1, 0],
        &[("PCI DSS", 1)],
    ),
    (
        "asff",
        "securityhub_sample_control_finding_cis_1.2.json",
        1,
        [0, 0, 1, 0, 0],
        [1, 0, 0],
        &[("CIS", 1)],
    ),
    (
        "asff",
        "securityhub_sample_control_finding_cis_1.4.json",
        1,
        [0, 0, 1, 0, 0],
        [1, 0, 0],
        &[("CIS", 1)],
    ),
    (
        "asff",
        "securityhub_sample_control_finding_consolidated.json",
        1,
        [0, 0, 1, 0, 0],
        [1, 0, 0],
        &[
            ("AWS Control Tower", 1),
            ("AWS FSBP", 1),
            ("CIS", 1),
            ("PCI DSS", 1),
        ],
    ),
    (
        "asff",
        "securityhub_sample_control_finding_control_tower.json",
        1,
        [0, 0, 1, 0, 0],
        [1, 0, 0],
        &[("AWS Control Tower", 1)],
    ),
    (
        "asff",
        "securityhub_sample_control_finding_fsbp.json",
        1,
        [0, 0, 1, 0, 0],
        [1, 0, 0],
        &[("AWS FSBP", 1)],
    ),
    (
        "asff",
        "securityhub_sample_control_finding_nist_800-53_r5.json",
        1,
        [0, 0, 1, 0, 0],
        [1, 0, 0],
        &[("NIST 800-53", 1)],
    ),
    (
        "asff",
        "securityhub_sample_control_finding_pci_dss.json",
        1,
        [0, 0, 1, 0, 0],
        [1, 0, 0],
        &[("PCI DSS", 1)],
    ),
    (
        "asff",
        "trivy_alpine-310_asff_findings.json",
        4,
        [0, 0, 4, 0, 0],
        [4, 0, 0],
        &[],
    ),
    (
        "prowler_ocsf",
        "docs_reporting_detection_finding_prowler5.3.json",
        1,
        [1, 0, 0, 0, 0],
        [1, 0, 0],
        &[
            ("AWS FSBP", 1),
            ("AWS-Well-Architected-Framework-Security-Pillar", 1),
            ("KISA-ISMS-P", 1),
            ("KISA-ISMS-P-2023-korean", 1),
            ("MITRE ATT&CK", 1),
        ],
    ),
    (
        "prowler_ocsf",
        "example_output_aws.ocsf.json",
        5,
        [0, 0, 4, 1, 0],
        [2, 0, 3],
        &[
            ("AWS FSBP", 1),
            ("AWS-Account-Security-Onboarding", 3),
            ("AWS-Well-Architected-Framework-Security-Pillar", 3),
            ("CIS", 4),
            ("ENS-RD2022", 3),
            ("KISA-ISMS-P", 5),
            ("KISA-ISMS-P-2023-korean", 5),
        ],
    ),
    (
        "prowler_ocsf",
        "example_output_azure.ocsf.json",
        5,
        [0, 1, 3, 1, 0],
        [5, 0, 0],
        &[("CIS", 4), ("ENS-RD2022", 4), ("MITRE ATT&CK", 3)],
    ),
    (
        "prowler_ocsf",
        "example_output_gcp.ocsf.json",
        5,
        [3, 0, 2, 0, 0],
        [2, 3, 0],
        &[("CIS", 4), ("ENS-RD2022", 5), ("MITRE ATT&CK", 5)],
    ),
    (
        "prowler_ocsf",
        "example_output_kubernetes.ocsf.json",
        6,
        [0, 2, 4, 0, 0],
        [5, 1, 0],
        &[("CIS", 6)],
    ),
    (
        "trivy",
        "alpine-310_vuln_report.json",
        4,
        [0, 0, 4, 0, 0],
        [4, 0, 0],
        &[],
    ),
    (
        "trivy",
        "dockerfile_misconfig_report.json",
        1,
        [0, 1, 0, 0, 0],
        [1, 0, 0],
        &[],
    ),
    (
        "trivy",
        "secrets_report.json",
        2,
        [1, 1, 0, 0, 0],
        [2, 0, 0],
        &[],
    ),
];

fn format_of(folder: &str) -> Format {
    match folder {
        "sarif" => Format::Sarif,
        "asff" => Format::Asff,
        "prowler_ocsf" => Format::Ocsf,
        _ => Format::Trivy,
    }
}

#[test]
fn every_fixture_is_read_with_the_expected_counts() {
    let mut checked = 0;
    for folder in ["sarif", "asff", "prowler_ocsf", "trivy"] {
        let Some(dir) = common::shared_fixtures(folder) else {
            return;
        };
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .expect("fixture folder lists")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        files.sort();
        let mut listed: Vec<&str> = EXPECTED
            .iter()
            .filter(|e| e.0 == folder)
            .map(|e| e.1)
            .collect();
        listed.sort();
        assert_eq!(files, listed, "every file in {folder} has expectations");

        for &(_, file, total, sev, status, fws) in EXPECTED.iter().filter(|e| e.0 == folder) {
            let path = dir.join(file);
            let found = findings::read_file(&path, None, MAX_BYTES, now())
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(found.len(), total, "{file}: findings");
            let count_sev = |s: Severity| found.iter().filter(|f| f.severity == s).count();
            assert_eq!(
                [
                    count_sev(Severity::Critical),
                    count_sev(Severity::High),
                    count_sev(Severity::Medium),
                    count_sev(Severity::Low),
                    count_sev(Severity::Info),
                ],
                sev,
                "{file}: per severity"
            );
            let count_st = |s: FindingStatus| found.iter().filter(|f| f.status == s).count();
            assert_eq!(
                [
                    count_st(FindingStatus::Open),
                    count_st(FindingStatus::Resolved),
                    count_st(FindingStatus::Suppressed),
                ],
                status,
                "{file}: per status"
            );
            let mut per: BTreeMap<String, usize> = BTreeMap::new();
            for f in &found {
                for fw in frameworks::frameworks_of(&f.frameworks) {
                    *per.entry(fw.to_string()).or_default() += 1;
                }
            }
            let want: BTreeMap<String, usize> =
                fws.iter().map(|(k, v)| (k.to_string(), *v)).collect();
            assert_eq!(per, want, "{file}: per framework");
            // Detected as the format of its folder, and forcing it gives the same.
            for f in &found {
                let d = f.detail.as_ref().expect("readers fill the detail");
                assert_eq!(
                    d.format.as_deref(),
                    Some(format_of(folder).label()),
                    "{file}"
                );
            }
            let forced = findings::read_file(&path, Some(format_of(folder)), MAX_BYTES, now())
                .expect("forced format reads");
            assert_eq!(forced, found, "{file}: forced = detected");
            // SARIF is read one result at a time from bytes; the whole-tree path agrees.
            let doc: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&path).expect("reads")).expect("JSON");
            let whole = findings::read_value(&doc, None, &path.display().to_string(), now())
                .expect("reads as a tree");
            assert_eq!(whole, found, "{file}: streaming = whole tree");
            checked += 1;
        }
    }
    assert_eq!(checked, EXPECTED.len());
}

fn read_one(folder: &str, file: &str) -> Vec<flightdeck::model::Finding> {
    let Some(dir) = common::shared_fixtures(folder) else {
        return Vec::new();
    };
    findings::read_file(&dir.join(file), None, MAX_BYTES, now()).expect("reads")
}

#[test]
fn sarif_fields_map_to_the_record() {
    let found = read_one("sarif", "codeql_2.11.0_filter-sarif_test_input.sarif.json");
    let Some(f) = found.first() else { return };
    assert_eq!(f.rule.as_deref(), Some("py/code-injection"));
    assert_eq!(f.tool.as_deref(), Some("CodeQL"));
    assert_eq!(
        f.severity,
        Severity::Critical,
        "security-severity 9.8 of the rule"
    );
    let d = f.detail.as_ref().expect("detail");
    assert_eq!(d.location.as_deref(), Some("main.py:21"));
    assert!(d.tags.iter().any(|t| &**t == "CWE-94"), "{:?}", d.tags);
    assert_eq!(
        d.fingerprint.as_deref(),
        Some("primaryLocationLineHash=ae0d9da8f8ed83f:1")
    );
}

#[test]
fn asff_fields_map_to_the_record() {
    let found = read_one(
        "asff",
        "securityhub_sample_control_finding_nist_800-53_r5.json",
    );
    let Some(f) = found.first() else { return };
    assert_eq!(f.account.as_deref(), Some("123456789012"));
    assert_eq!(f.rule.as_deref(), Some("CloudTrail.2"));
    assert_eq!(f.opened.to_rfc3339(), "2023-02-17T14:22:46.726+00:00");
    let d = f.detail.as_ref().expect("detail");
    assert_eq!(d.resource_type.as_deref(), Some("AwsCloudTrailTrail"));
    assert_eq!(
        d.remediation_url.as_deref(),
        Some("https://docs.aws.amazon.com/console/securityhub/CloudTrail.2/remediation")
    );
    let controls: Vec<String> = f
        .frameworks
        .iter()
        .flat_map(|s| frameworks::normalise(s))
        .map(|c| c.label())
        .collect();
    assert!(
        controls.contains(&"NIST 800-53 5 · SC-28(1)".to_string()),
        "{controls:?}"
    );
    // The envelope with NextToken, archived: resolved.
    let env = read_one("asff", "securityhub_get_findings_cli_example_pci.json");
    assert_eq!(env.len(), 1);
    assert_eq!(env[0].status, FindingStatus::Resolved);
    assert!(env[0].resolved.is_some());
}

#[test]
fn ocsf_fields_map_to_the_record() {
    let found = read_one(
        "prowler_ocsf",
        "docs_reporting_detection_finding_prowler5.3.json",
    );
    let Some(f) = found.first() else { return };
    assert_eq!(f.account.as_deref(), Some("123456789012"));
    assert_eq!(
        f.rule.as_deref(),
        Some("ecs_task_definitions_no_environment_secrets")
    );
    assert_eq!(f.tool.as_deref(), Some("Prowler"));
    let d = f.detail.as_ref().expect("detail");
    assert_eq!(d.region.as_deref(), Some("eu-central-1"));
    assert_eq!(d.resource_type.as_deref(), Some("AwsEcsTaskDefinition"));
    // Five placeholder uids (`<finding_uid>`) still give five distinct ids.
    let aws = read_one("prowler_ocsf", "example_output_aws.ocsf.json");
    let mut ids: Vec<_> = aws.iter().map(|f| f.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), aws.len());
}

#[test]
fn trivy_fields_map_to_the_record() {
    let found = read_one("trivy", "alpine-310_vuln_report.json");
    let Some(f) = found.first() else { return };
    assert_eq!(f.rule.as_deref(), Some("CVE-2019-1549"));
    let d = f.detail.as_ref().expect("detail");
    assert_eq!(d.resource.as_deref(), Some("libcrypto1.1@1.1.1c-r0"));
    assert_eq!(
        d.remediation.as_deref(),
        Some("Upgrade libcrypto1.1 from 1.1.1c-r0 to 1.1.1d-r0")
    );
    let secrets = read_one("trivy", "secrets_report.json");
    for s in &secrets {
        let d = s.detail.as_ref().expect("detail");
        assert!(
            d.description
                .as_deref()
                .is_some_and(|t| !t.contains("****"))
        );
    }
}
