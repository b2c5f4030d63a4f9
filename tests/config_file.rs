//! The config file through the real binary: the example loads; every broken
//! config fails before anything starts, naming file, line and key.

use assert_cmd::Command;

fn bin() -> Command {
    let mut c = Command::cargo_bin("flightdeck").expect("the binary is built");
    // A backtrace capture on every error exit would only slow the tests.
    c.env_remove("FLIGHTDECK_CONFIG")
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE");
    c
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("fd-config-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// Runs `check --offline` on `text`; returns (success, stdout, stderr, path).
fn check(tag: &str, text: &str) -> (bool, String, String, String) {
    let dir = temp_dir(tag);
    let path = dir.join("flightdeck.toml");
    std::fs::write(&path, text).expect("write config");
    let out = bin()
        .args(["check", "--offline", "--config"])
        .arg(&path)
        .output()
        .expect("run");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        path.display().to_string(),
    )
}

#[test]
fn the_example_config_loads() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/config/default.toml");
    let out = bin()
        .args(["check", "--offline", "--config", example])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("(valid)"), "{stdout}");
    assert!(stdout.contains("2 teams, 3 services mapped"), "{stdout}");
    assert!(
        stdout.contains("deploy-log (events), every 10s, timeout 30s"),
        "{stdout}"
    );
}

#[test]
fn config_init_writes_the_example_and_never_overwrites() {
    let dir = temp_dir("init");
    let path = dir.join("sub/config.toml");
    bin().args(["config", "init"]).arg(&path).assert().success();
    let written = std::fs::read_to_string(&path).expect("written");
    assert_eq!(written, flightdeck::config::EXAMPLE);
    std::fs::write(&path, "# mine\n").expect("edit");
    let out = bin()
        .args(["config", "init"])
        .arg(&path)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    assert_eq!(std::fs::read_to_string(&path).expect("kept"), "# mine\n");
}

#[test]
fn a_syntax_error_names_file_and_line() {
    let (ok, _, err, path) = check(
        "syntax",
        "[general]\nwindow = \"30d\"\nregions = [\"a\",\n[[teams]]\n",
    );
    assert!(!ok);
    assert!(
        err.contains(&format!("{path}:4")) || err.contains(&format!("{path}:3")),
        "{err}"
    );
    assert!(err.contains("syntax error"), "{err}");
}

#[test]
fn an_unknown_key_suggests_the_right_one() {
    let text = "[general]\nwindow = \"30d\"\n\n[[sources]]\nkind = \"github\"\nrepos = [\"a/b\"]\ntokn_env = \"GH\"\n";
    let (ok, _, err, path) = check("unknown", text);
    assert!(!ok);
    assert!(
        err.contains(&format!(
            "{path}:7: sources[0].tokn_env: unknown key; did you mean `token_env`?"
        )),
        "{err}"
    );
    let (_, _, err, path) = check("unknown-top", "[genral]\nwindow = \"30d\"\n");
    assert!(
        err.contains(&format!(
            "{path}:1: genral: unknown key; did you mean `general`?"
        )),
        "{err}"
    );
    let (_, _, err, path) = check(
        "unknown-kind",
        "[[sources]]\nkind = \"gitlub\"\nproject = \"x\"\n",
    );
    assert!(
        err.contains(&format!(
            "{path}:2: sources[0].kind: unknown source kind `gitlub`; did you mean `gitlab`?"
        )),
        "{err}"
    );
}

#[test]
fn a_wrong_type_names_the_key() {
    let (ok, _, err, path) = check("type", "[general]\nwindow = 30\n");
    assert!(!ok);
    assert!(err.contains(&format!("{path}:2: general.window:")), "{err}");
    let (_, _, err, path) = check("type2", "[[teams]]\nname = \"a\"\nservices = \"api\"\n");
    assert!(
        err.contains(&format!("{path}:3: teams[0].services:")),
        "{err}"
    );
    let (_, _, err, path) = check(
        "span",
        "[[sources]]\nkind = \"events\"\npath = \"x\"\ninterval = \"5 minutes\"\n",
    );
    assert!(
        err.contains(&format!("{path}:4: sources[0].interval:")),
        "{err}"
    );
}

#[test]
fn an_inline_secret_is_refused_and_never_printed() {
    let text = "[[sources]]\nkind = \"github\"\nrepos = [\"a/b\"]\ntoken = \"ghp_SECRET123456\"\n";
    let (ok, out, err, path) = check("secret", text);
    assert!(!ok);
    assert!(
        err.contains(&format!(
            "{path}:4: sources[0].token: secrets are not allowed"
        )),
        "{err}"
    );
    assert!(
        err.contains("token_env") && err.contains("token_file"),
        "{err}"
    );
    assert!(
        !err.contains("ghp_SECRET") && !out.contains("ghp_SECRET"),
        "{err}"
    );
}

#[test]
fn a_missing_required_key_is_named() {
    let (ok, _, err, path) = check("missing", "[[sources]]\nkind = \"github\"\nname = \"gh\"\n");
    assert!(!ok);
    assert!(
        err.contains(&format!(
            "{path}:1: sources[0].repos: required key is missing"
        )),
        "{err}"
    );
    let (_, _, err, path) = check("missing-kind", "[[sources]]\nname = \"x\"\n");
    assert!(
        err.contains(&format!(
            "{path}:1: sources[0].kind: required key is missing"
        )),
        "{err}"
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = "[general]\nwindow = 30\nincident_link_window = \"1y\"\n\n[[sources]]\nkind = \"github\"\nrepos = [\"a/b\"]\nurll = \"x\"\ntoken = \"t\"\n\n[[sources]]\nkind = \"pagerduty\"\nservices = 3\n";
    let (ok, _, err, _) = check("all", text);
    assert!(!ok);
    assert!(err.contains("5 problems"), "{err}");
    for key in [
        "general.window",
        "general.incident_link_window",
        "sources[0].urll",
        "sources[0].token",
        "sources[1].services",
    ] {
        assert!(err.contains(key), "{key} missing in: {err}");
    }
}

#[test]
fn a_config_without_sources_runs_nothing_silently_and_no_demo() {
    let dir = temp_dir("nosources");
    let path = dir.join("teams.toml");
    std::fs::write(&path, "[[teams]]\nname = \"payments\"\n").expect("write");
    for args in [&["serve", "--listen", "127.0.0.1:0"][..], &[][..]] {
        let out = bin()
            .args(args)
            .arg("--config")
            .arg(&path)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        // One plain line, as for every other mistake in the input.
        assert!(
            err.starts_with(&format!(
                "flightdeck: {}: the config names no sources",
                path.display()
            )) && err.trim_end().ends_with("--demo for the demo organisation")
                && err.lines().count() == 1,
            "{args:?}: {err}"
        );
    }
}

#[test]
fn the_cockpit_refuses_a_broken_config_before_the_screen_switches() {
    let dir = temp_dir("cockpit");
    let path = dir.join("c.toml");
    std::fs::write(&path, "[general]\nwindw = \"7d\"\n").expect("write");
    let out = bin().arg("--config").arg(&path).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("general.windw: unknown key; did you mean `window`?"),
        "{err}"
    );
    let out = bin()
        .args(["report", "--config"])
        .arg(&path)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let out = bin()
        .env("FLIGHTDECK_CONFIG", &path)
        .args(["report"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "FLIGHTDECK_CONFIG is read");
}

#[test]
fn check_polls_every_source_and_fails_when_one_fails() {
    let dir = temp_dir("check-poll");
    let events = dir.join("e.ndjson");
    std::fs::write(
        &events,
        "{\"type\":\"change\",\"id\":\"c1\",\"service\":\"api\",\"time\":\"2024-01-01T00:00:00Z\"}\n",
    )
    .expect("write");
    // A port nothing listens on: bind, note it, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let path = dir.join("c.toml");
    std::fs::write(
        &path,
        format!(
            "[[sources]]\nkind = \"events\"\nname = \"file\"\npath = \"{}\"\n\n[[sources]]\nkind = \"pagerduty\"\nname = \"pd\"\nurl = \"http://127.0.0.1:{port}\"\ntimeout = \"2s\"\n",
            events.display()
        ),
    )
    .expect("write");
    let out = bin()
        .args(["check", "--config"])
        .arg(&path)
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let file_row = stdout
        .lines()
        .find(|l| l.starts_with("file "))
        .expect("file row");
    assert!(
        file_row.contains(" ok ") && file_row.contains(" 1 "),
        "{file_row}"
    );
    let pd_row = stdout
        .lines()
        .find(|l| l.starts_with("pd "))
        .expect("pd row");
    assert!(
        pd_row.contains("FAILED") && pd_row.contains("cannot connect"),
        "{pd_row}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 source of 2 failed"));
}

#[test]
fn a_sources_teams_must_name_teams() {
    let (ok, _, stderr, path) = check(
        "source-teams",
        "[[sources]]\nkind = \"events\"\nname = \"a\"\npath = \"x\"\nteams = []\n\n\
         [[sources]]\nkind = \"events\"\nname = \"b\"\npath = \"x\"\nteams = \"payments\"\n\n\
         [[sources]]\nkind = \"events\"\nname = \"c\"\npath = \"x\"\nteams = [\"payments\", 3]\n",
    );
    assert!(!ok);
    for want in [
        format!("{path}:5: sources[0].teams: names no team; leave `teams` out"),
        format!(
            "{path}:11: sources[1].teams: expected a list of team names such as [\"payments\"], found string"
        ),
        format!("{path}:17: sources[2].teams: expected a team name (a string), found integer"),
    ] {
        assert!(stderr.contains(&want), "{want}\n{stderr}");
    }
}

#[test]
fn check_says_which_sources_a_shard_does_not_read() {
    // payments: shard 2 of 3; search: shard 1.
    let dir = temp_dir("check-shard");
    let path = dir.join("flightdeck.toml");
    std::fs::write(
        &path,
        "[[sources]]\nkind = \"events\"\nname = \"pay\"\npath = \"pay.ndjson\"\nteams = [\"payments\"]\n\n\
         [[sources]]\nkind = \"events\"\nname = \"find\"\npath = \"find.ndjson\"\nteams = [\"search\"]\n\n\
         [[sources]]\nkind = \"events\"\nname = \"all\"\npath = \"all.ndjson\"\n",
    )
    .expect("write config");
    let run = |shard: &str| {
        let out = bin()
            .args(["check", "--offline", "--shard", shard, "--config"])
            .arg(&path)
            .output()
            .expect("run");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let two = run("2/3");
    assert!(
        two.contains(
            "  find (events), every 10s, timeout 30s, feeds search\n    \
             not read by shard 2/3: feeds only teams served by other shards (search: shard 1)\n"
        ),
        "{two}"
    );
    assert_eq!(two.matches("not read by shard").count(), 1, "{two}");
    assert!(
        two.contains("  pay (events), every 10s, timeout 30s, feeds payments\n"),
        "{two}"
    );
    // Shard 1 reads everything (the organisation-wide series need it).
    assert_eq!(run("1/3").matches("not read").count(), 0);
    assert_eq!(run("3/3").matches("not read by shard 3/3").count(), 2);
}
