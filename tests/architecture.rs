//! The one-way flow of `src/lib.rs`, checked on the source text: every
//! `crate::` and `super::` path outside test code must point to a layer the
//! importing module may use, and no two modules (down to `top::child`) may
//! import each other, directly or around a loop.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What each top-level module may use besides itself. `commands` is the
/// composition root and may use everything.
const RULES: &[(&str, &[&str])] = &[
    ("util", &[]),
    ("model", &["util"]),
    ("metrics", &["model"]),
    ("sources", &["model", "util"]),
    ("store", &["model", "metrics", "util"]),
    ("config", &["model", "util", "sources"]),
    ("report", &["model", "metrics", "store", "util"]),
    ("app", &["model", "metrics", "store", "util"]),
    ("ui", &["app", "model", "metrics", "store", "util"]),
    (
        "commands",
        &[
            "util", "model", "metrics", "sources", "store", "config", "report", "app", "ui",
        ],
    ),
];

fn allowed(from: &str, to: &str) -> Option<bool> {
    let (_, uses) = RULES.iter().find(|(m, _)| *m == from)?;
    Some(from == to || uses.contains(&to))
}

/// `src/a/b/c.rs` -> ["a", "b", "c"]; `mod.rs` names its folder.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap_or(file).with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without comments and without its test-only items: each
/// `#[cfg(test)]` item (a `mod tests { … }`, a `use`, a helper) is cut to its
/// end, whatever follows it stays.
fn code(text: &str) -> String {
    let text: String = text
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..i]);
        rest = &rest[i + "#[cfg(test)]".len()..];
        rest = &rest[item_end(rest)..];
    }
    out.push_str(rest);
    out
}

/// Where the item at the start of `s` ends: after its `;`, or after the brace
/// that closes its first `{`.
fn item_end(s: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            ';' if depth == 0 => return i + 1,
            '{' => depth += 1,
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    s.len()
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// Every module path a file names: `crate::a::b` and `super::b` (resolved),
/// including each member of `crate::{a, b::c}`.
fn references(code: &str, here: &[String]) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for (anchor, base) in [("crate::", Vec::new()), ("super::", parent(here))] {
        let mut rest = code;
        while let Some(i) = rest.find(anchor) {
            let before = rest[..i].chars().last();
            rest = &rest[i + anchor.len()..];
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | ':')) {
                continue;
            }
            let mut path = base.clone();
            let mut tail = rest;
            // `super::super::x`
            while let Some(t) = tail.strip_prefix("super::") {
                path.pop();
                tail = t;
            }
            found.extend(expand(path, tail));
        }
    }
    found
}

/// The paths `prefix` + `tail` names; a group (`a::{b, c::{d, e}}`) names
/// each member, nested groups included. A glob (`crate::*`) names the module
/// it is in, under the name `*`, which no layer allows.
fn expand(mut prefix: Vec<String>, mut tail: &str) -> Vec<Vec<String>> {
    loop {
        if let Some(group) = tail.strip_prefix('{') {
            return split_group(&group[..closing_brace(group)])
                .into_iter()
                .flat_map(|member| {
                    let member = member.trim();
                    if member.is_empty() || member == "self" {
                        return vec![prefix.clone()];
                    }
                    expand(prefix.clone(), member)
                })
                .collect();
        }
        if tail.starts_with('*') {
            prefix.push("*".to_string());
            return vec![prefix];
        }
        let name = ident_at(tail);
        if name.is_empty() {
            return vec![prefix];
        }
        prefix.push(name.to_string());
        match tail[name.len()..].strip_prefix("::") {
            Some(next) => tail = next,
            None => return vec![prefix],
        }
    }
}

/// The index of the `}` that closes a group whose `{` was just passed.
fn closing_brace(group: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return i,
            '}' => depth -= 1,
            _ => {}
        }
    }
    group.len()
}

/// A group's members, split at its top-level commas.
fn split_group(group: &str) -> Vec<&str> {
    let (mut depth, mut start, mut out) = (0usize, 0, Vec::new());
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&group[start..]);
    out
}

/// The module a `super::` in `here` names: a `mod.rs` file's module is its
/// folder, so `super` is one level up from the file's module.
fn parent(here: &[String]) -> Vec<String> {
    here[..here.len().saturating_sub(1)].to_vec()
}

struct Graph {
    /// (importing file, imported top-level module) for every import.
    layer_edges: Vec<(String, String, String)>,
    /// `top::child` level edges for the cycle check.
    unit_edges: BTreeMap<String, BTreeSet<String>>,
    /// Glob imports outside tests: they hide what a module uses.
    globs: Vec<String>,
}

fn unit(path: &[String]) -> String {
    path.iter().take(2).cloned().collect::<Vec<_>>().join("::")
}

fn read_graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    assert!(
        files.len() > 20,
        "found only {} files under {}",
        files.len(),
        src.display()
    );
    let mut graph = Graph {
        layer_edges: Vec::new(),
        unit_edges: BTreeMap::new(),
        globs: Vec::new(),
    };
    for file in &files {
        let here = module_path(src, file);
        if here.first().is_none_or(|m| m == "lib" || m == "main") {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let shown = file.strip_prefix(src).unwrap_or(file).display().to_string();
        for target in references(&code(&text), &here) {
            if target.iter().any(|p| p == "*") {
                graph.globs.push(format!(
                    "{shown}: {}::*",
                    target[..target.len() - 1].join("::")
                ));
                continue;
            }
            let Some(top) = target.first() else { continue };
            graph
                .layer_edges
                .push((shown.clone(), here[0].clone(), top.clone()));
            let (from, to) = (unit(&here), unit(&target));
            // A parent and its own child are one unit for cycles.
            if from != to
                && !to.starts_with(&format!("{from}::"))
                && !from.starts_with(&format!("{to}::"))
            {
                graph.unit_edges.entry(from).or_default().insert(to);
            }
        }
    }
    graph
}

fn violations(graph: &Graph) -> Vec<String> {
    let mut out: BTreeSet<String> = graph
        .globs
        .iter()
        .map(|g| format!("{g}: a glob import hides what is used"))
        .collect();
    for (file, from, to) in &graph.layer_edges {
        match allowed(from, to) {
            Some(true) => {}
            Some(false) => {
                out.insert(format!("{file}: `{from}` may not use `{to}`"));
            }
            None => {
                out.insert(format!("{file}: `{from}` is not a known layer"));
            }
        }
    }
    out.into_iter().collect()
}

/// Each cycle once, as `a -> b -> a`.
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut found = BTreeSet::new();
    for start in edges.keys() {
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((node, path)) = stack.pop() {
            for next in edges.get(&node).into_iter().flatten() {
                if next == start {
                    let mut cycle = path.clone();
                    // Rotate so the smallest name leads: one spelling per cycle.
                    let min = cycle
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, n)| *n)
                        .map_or(0, |(i, _)| i);
                    cycle.rotate_left(min);
                    cycle.push(cycle[0].clone());
                    found.insert(cycle.join(" -> "));
                } else if seen.insert(next.clone()) {
                    let mut p = path.clone();
                    p.push(next.clone());
                    stack.push((next.clone(), p));
                }
            }
        }
    }
    found.into_iter().collect()
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn every_import_follows_the_layers() {
    let graph = read_graph(&src_dir());
    let bad = violations(&graph);
    assert!(
        bad.is_empty(),
        "imports against the layers:\n{}",
        bad.join("\n")
    );
}

#[test]
fn no_module_imports_its_importer() {
    let graph = read_graph(&src_dir());
    let found = cycles(&graph.unit_edges);
    assert!(found.is_empty(), "import cycles:\n{}", found.join("\n"));
}

#[test]
fn the_rules_themselves_are_a_one_way_flow() {
    let edges: BTreeMap<String, BTreeSet<String>> = RULES
        .iter()
        .map(|(m, uses)| (m.to_string(), uses.iter().map(|u| u.to_string()).collect()))
        .collect();
    assert_eq!(cycles(&edges), Vec::<String>::new());
}

#[test]
fn the_checker_catches_a_forbidden_import_and_a_loop() {
    let dir = std::env::temp_dir().join(format!("flightdeck-arch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in [
        (
            "metrics/mod.rs",
            "use crate::model::Time;\nuse crate::ui::theme;\n",
        ),
        ("model/mod.rs", "pub mod a;\npub mod b;\n"),
        ("model/a.rs", "use super::b::X;\n"),
        ("model/b.rs", "use crate::model::{a::Y, Text};\n"),
        (
            "ui/mod.rs",
            "use crate::{app, store::Snapshot};\n#[cfg(test)]\nuse crate::commands::x;\n",
        ),
    ] {
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().expect("parent")).expect("dir");
        std::fs::write(&file, text).expect("write");
    }
    // Pad past the "found only N files" guard.
    for i in 0..20 {
        std::fs::write(dir.join(format!("util_{i}.rs")), "").expect("write");
    }
    let graph = read_graph(&dir);
    let bad = violations(&graph);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        bad.iter()
            .any(|v| v == "metrics/mod.rs: `metrics` may not use `ui`"),
        "{bad:?}"
    );
    assert!(
        !bad.iter().any(|v| v.contains("commands")),
        "test code is exempt: {bad:?}"
    );
    assert_eq!(
        cycles(&graph.unit_edges),
        vec!["model::a -> model::b -> model::a".to_string()]
    );
}
