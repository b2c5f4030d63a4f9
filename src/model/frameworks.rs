//! Compliance framework names: every way the finding formats name a control
//! maps to one canonical framework, version and control id, so that "all open
//! PCI DSS findings" is one filter. Pure string work, no I/O.
//!
//! Styles understood (case-insensitive):
//! - Security Hub requirements: `NIST.800-53.r5 SC-28(1)`, `PCI DSS 3.4`,
//!   `PCI DSS v3.2.1/3.4`, `CIS AWS Foundations Benchmark v1.4.0/3.7`
//! - Security Hub standards and generator ids: `standards/pci-dss/v/3.2.1`,
//!   `ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/2.7`,
//!   `aws-foundational-security-best-practices/v/1.0.0/CloudTrail.2`, and the
//!   same behind `arn:aws:securityhub:::`
//! - Prowler (`unmapped.compliance` key + control, or ASFF `KEY control ...`):
//!   `CIS-2.0 1.20`, `HIPAA 164_308_a_4_ii_a`, `GDPR article_32`, `SOC2 cc_6_1`,
//!   `NIST-800-53-Revision-5 ac_2_1`, `PCI-3.2.1 ...`, `ISO27001-2013 A.10.1`,
//!   `AWS-Foundational-Security-Best-Practices rds`, `MITRE-ATTACK T1552`
//! - Plain names: `NIST 800-53 SC-28`, `GDPR Art. 32`, `SOC2 CC6.1`, `HIPAA`
//!
//! Anything else keeps its own name: `KEY[-VERSION] [CONTROL ...]`.

use crate::model::Text;

pub const NIST_800_53: &str = "NIST 800-53";
pub const NIST_CSF: &str = "NIST CSF";
pub const PCI_DSS: &str = "PCI DSS";
pub const CIS: &str = "CIS";
pub const HIPAA: &str = "HIPAA";
pub const GDPR: &str = "GDPR";
pub const SOC2: &str = "SOC 2";
pub const FSBP: &str = "AWS FSBP";
pub const CONTROL_TOWER: &str = "AWS Control Tower";
pub const ISO_27001: &str = "ISO 27001";
pub const MITRE_ATTACK: &str = "MITRE ATT&CK";

/// One control of one framework.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Control {
    /// Canonical name (one of the constants above), or the source's own name.
    pub framework: Text,
    pub version: Option<Text>,
    pub control: Option<Text>,
}

impl Control {
    fn new(framework: &str, version: Option<String>, control: Option<String>) -> Self {
        Self {
            framework: Text::from(framework),
            version: version.filter(|v| !v.is_empty()).map(Text::from),
            control: control.filter(|c| !c.is_empty()).map(Text::from),
        }
    }

    /// `PCI DSS 3.2.1 · 3.4`, `HIPAA · 164.308(a)(4)(ii)(A)`, `CIS 1.4`.
    pub fn label(&self) -> String {
        let mut s = self.framework.to_string();
        if let Some(v) = &self.version {
            s.push(' ');
            s.push_str(v);
        }
        if let Some(c) = &self.control {
            s.push_str(" · ");
            s.push_str(c);
        }
        s
    }
}

/// Name patterns, lowercase, longest first where one is a prefix of another.
const NAMES: &[(&str, &str)] = &[
    ("nist sp 800-53", NIST_800_53),
    ("nist.800-53", NIST_800_53),
    ("nist-800-53", NIST_800_53),
    ("nist 800-53", NIST_800_53),
    ("nist800-53", NIST_800_53),
    ("nist-csf", NIST_CSF),
    ("nist csf", NIST_CSF),
    ("pci dss", PCI_DSS),
    ("pci-dss", PCI_DSS),
    ("pcidss", PCI_DSS),
    ("pci", PCI_DSS),
    ("cis aws foundations benchmark", CIS),
    ("cis-aws-foundations-benchmark", CIS),
    ("cis", CIS),
    ("hipaa", HIPAA),
    ("gdpr", GDPR),
    ("soc2", SOC2),
    ("soc 2", SOC2),
    ("soc-2", SOC2),
    ("aws-foundational-security-best-practices", FSBP),
    ("aws foundational security best practices", FSBP),
    ("aws-foundation-best-practices", FSBP),
    ("fsbp", FSBP),
    ("service-managed-aws-control-tower", CONTROL_TOWER),
    ("aws-control-tower", CONTROL_TOWER),
    ("iso27001", ISO_27001),
    ("iso 27001", ISO_27001),
    ("iso-27001", ISO_27001),
    ("mitre-attack", MITRE_ATTACK),
    ("mitre att&ck", MITRE_ATTACK),
];

/// The canonical framework a name starts with, and how many bytes the name took.
fn identify(lower: &str) -> Option<(&'static str, usize)> {
    NAMES.iter().find_map(|(pat, canon)| {
        let rest = lower.strip_prefix(pat)?;
        // `cis` must not match `cisa`, nor `pci` `pcix`.
        if rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return None;
        }
        Some((*canon, pat.len()))
    })
}

/// Every control `raw` names (usually one; `FFIEC a b` names two). Empty for blank input.
pub fn normalise(raw: &str) -> Vec<Control> {
    let s = raw.trim();
    if s.is_empty() {
        return Vec::new();
    }
    let s = s.strip_prefix("arn:aws:securityhub:::").unwrap_or(s);
    if let Some(c) = path_style(s) {
        return vec![c];
    }
    // `KEY: control text`, the form the OCSF reader writes for a
    // `unmapped.compliance` entry: the control is kept whole.
    if let Some((key, control)) = s.split_once(": ")
        && !key.contains(char::is_whitespace)
    {
        return normalise_pair(key, control);
    }
    let lower = s.to_ascii_lowercase();
    match identify(&lower) {
        Some((canon, len)) => named(canon, &s[len..]),
        None => other(s),
    }
}

/// A Prowler `unmapped.compliance` entry: `"CIS-2.0": ["1.20"]`.
/// The control is kept whole (Prowler's controls may contain spaces).
pub fn normalise_pair(key: &str, control: &str) -> Vec<Control> {
    let key = key.trim();
    let control = control.trim();
    let lower = key.to_ascii_lowercase();
    let mut c = match identify(&lower) {
        Some((canon, len)) => named(canon, &key[len..]),
        None => other(key),
    };
    c.truncate(1);
    if let Some(first) = c.first_mut()
        && !control.is_empty()
    {
        first.control = Some(Text::from(control_of(&first.framework, control)));
    }
    c
}

/// The canonical frameworks of a finding's framework strings, deduplicated, in order.
pub fn frameworks_of(raw: &[Text]) -> Vec<Text> {
    let mut out: Vec<Text> = Vec::new();
    for r in raw {
        for c in normalise(r) {
            if !out.contains(&c.framework) {
                out.push(c.framework);
            }
        }
    }
    out
}

/// `[standards/|ruleset/]name/v/version[/rule]/[control]`.
fn path_style(s: &str) -> Option<Control> {
    let parts: Vec<&str> = s.split('/').collect();
    let v = parts.iter().position(|p| *p == "v")?;
    let name = parts.get(v.checked_sub(1)?)?;
    let version = parts.get(v + 1).map(|v| v.to_string());
    let control: Vec<&str> = parts
        .iter()
        .skip(v + 2)
        .copied()
        .filter(|p| *p != "rule" && !p.is_empty())
        .collect();
    let lower = name.to_ascii_lowercase();
    let canon = identify(&lower).map_or(*name, |(c, _)| c);
    let control = (!control.is_empty()).then(|| control.join("/"));
    Some(Control::new(
        canon,
        version.map(|v| version_of(canon, &v)),
        control.map(|c| control_of(canon, &c)),
    ))
}

/// After a known name: an attached version (`-2.0`, `.r5`, ` v3.2.1/`,
/// `-Revision-5`), then the controls.
fn named(canon: &'static str, rest: &str) -> Vec<Control> {
    let mut rest = rest;
    let mut version: Option<String> = None;
    let lower = rest.to_ascii_lowercase();
    // NIST revisions: `.r5`, `-r5`, `-revision-5`, ` rev5`, ` rev. 5`.
    for pre in [
        ".r",
        "-r",
        "-revision-",
        " revision ",
        " rev. ",
        " rev",
        " r",
    ] {
        if let Some(after) = lower.strip_prefix(pre) {
            let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
            if !digits.is_empty() && canon == NIST_800_53 {
                version = Some(digits.clone());
                rest = &rest[pre.len() + digits.len()..];
                break;
            }
        }
    }
    if version.is_none() {
        // `-2.0` or ` v3.2.1`: a version is attached by `-`/`.` or marked with `v`.
        let (skip, marked) = if let Some(r) = lower.strip_prefix(" v") {
            (2, r.starts_with(|c: char| c.is_ascii_digit()))
        } else if let Some(r) = lower.strip_prefix('-').or_else(|| lower.strip_prefix('.')) {
            (1, r.starts_with(|c: char| c.is_ascii_digit()))
        } else {
            (0, false)
        };
        if marked {
            let token: String = rest[skip..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
                .collect();
            let token = token.trim_end_matches(['.', '-']).to_string();
            rest = &rest[skip + token.len()..];
            version = Some(version_of(canon, &token));
        }
    }
    let rest = rest.trim_start_matches([' ', '/', ':', '-']).trim();
    let v = version.filter(|v| !v.is_empty());
    if rest.is_empty() {
        return vec![Control::new(canon, v, None)];
    }
    if canon == GDPR {
        return vec![Control::new(canon, v, Some(control_of(canon, rest)))];
    }
    rest.split_whitespace()
        .map(|c| Control::new(canon, v.clone(), Some(control_of(canon, c))))
        .collect()
}

/// An unknown framework: `KEY[-VERSION] [CONTROL ...]`.
fn other(s: &str) -> Vec<Control> {
    let mut tokens = s.split_whitespace();
    let key = tokens.next().unwrap_or(s);
    let (name, version) = match key.rfind('-') {
        Some(i)
            if key[i + 1..].starts_with(|c: char| c.is_ascii_digit())
                && key[i + 1..].chars().all(|c| c.is_ascii_digit() || c == '.') =>
        {
            (&key[..i], Some(key[i + 1..].to_string()))
        }
        _ => (key, None),
    };
    let controls: Vec<&str> = tokens.collect();
    if controls.is_empty() {
        return vec![Control::new(name, version, None)];
    }
    controls
        .into_iter()
        .map(|c| Control::new(name, version.clone(), Some(c.to_string())))
        .collect()
}

/// Versions compare across styles: NIST by revision (`5.0.0`, `r5` -> `5`);
/// others without a leading `v` and with trailing `.0` trimmed to two parts
/// (`1.4.0` -> `1.4`, `3.2.1` stays, `2.0` stays).
fn version_of(canon: &str, raw: &str) -> String {
    let v = raw.trim().trim_start_matches(['v', 'V']);
    if canon == NIST_800_53 {
        return v.split('.').next().unwrap_or(v).to_string();
    }
    let mut parts: Vec<&str> = v.split('.').collect();
    while parts.len() > 2 && parts.last() == Some(&"0") {
        parts.pop();
    }
    parts.join(".")
}

/// Control ids in each framework's own notation.
fn control_of(canon: &str, raw: &str) -> String {
    let c = raw.trim();
    match canon {
        NIST_800_53 => nist_control(c),
        HIPAA => hipaa_control(c),
        GDPR => gdpr_control(c),
        SOC2 => soc2_control(c),
        _ => c.to_string(),
    }
}

/// `ac_2_1` -> `AC-2(1)`; `SC-28(1)` and `sc-28 (1)` -> `SC-28(1)`.
fn nist_control(c: &str) -> String {
    if c.contains('_') {
        let parts: Vec<&str> = c.split('_').filter(|p| !p.is_empty()).collect();
        if parts.len() >= 2 && parts[0].chars().all(|ch| ch.is_ascii_alphabetic()) {
            let mut s = format!("{}-{}", parts[0].to_ascii_uppercase(), parts[1]);
            for e in &parts[2..] {
                s.push_str(&format!("({e})"));
            }
            return s;
        }
    }
    c.replace(' ', "").to_ascii_uppercase()
}

/// `164_308_a_4_ii_a` -> `164.308(a)(4)(ii)(A)`: paragraph levels are a
/// lowercase letter, a number, a lowercase roman numeral, an uppercase letter.
fn hipaa_control(c: &str) -> String {
    let parts: Vec<&str> = c.split('_').filter(|p| !p.is_empty()).collect();
    if parts.len() < 2 || !parts[0].chars().all(|ch| ch.is_ascii_digit()) {
        return c.to_string();
    }
    let mut s = format!("{}.{}", parts[0], parts[1]);
    for (level, p) in parts[2..].iter().enumerate() {
        let p = if level % 4 == 3 {
            p.to_ascii_uppercase()
        } else {
            p.to_ascii_lowercase()
        };
        s.push_str(&format!("({p})"));
    }
    s
}

/// `article_32`, `Art. 32`, `art32` -> `Art. 32`.
fn gdpr_control(c: &str) -> String {
    let digits: String = c
        .chars()
        .skip_while(|ch| !ch.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    if digits.is_empty() {
        c.to_string()
    } else {
        format!("Art. {digits}")
    }
}

/// `cc_6_1` -> `CC6.1`; `CC6.1` stays.
fn soc2_control(c: &str) -> String {
    let parts: Vec<&str> = c.split('_').filter(|p| !p.is_empty()).collect();
    if parts.len() >= 2 && parts[0].chars().all(|ch| ch.is_ascii_alphabetic()) {
        format!("{}{}", parts[0].to_ascii_uppercase(), parts[1..].join("."))
    } else {
        c.to_ascii_uppercase()
    }
}
