//! Config mistakes from issue 13, finding 12: a URL's scheme checked for
//! every kind even offline, a warning for a token file other users can read,
//! one message per wrong key, and a token with a control character said as such.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use assert_cmd::Command;
use flightdeck::commands::registry;
use flightdeck::config;

/// `check --offline` on `text` in a fresh folder: (success, stdout, stderr, config path).
fn check_offline(text: &str) -> (bool, String, String, String) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("flightdeck.toml");
    std::fs::write(&path, text).expect("writes");
    let out = Command::cargo_bin("flightdeck")
        .expect("the binary is built")
        .env_remove("FLIGHTDECK_CONFIG")
        .env_remove("RUST_BACKTRACE")
        .args(["check", "--offline", "--config"])
        .arg(&path)
        .output()
        .expect("runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        path.display().to_string(),
    )
}

#[test]
fn a_prometheus_file_url_is_refused_offline_naming_the_key_and_file() {
    let (ok, _, err, path) = check_offline(
        "[[sources]]\nkind = \"prometheus\"\nname = \"prom\"\nurl = \"file:///etc/passwd\"\n\
         [sources.queries.error_rate]\nquery = 'up'\n",
    );
    assert!(!ok, "{err}");
    assert!(
        err.contains(&format!(
            "{path}:1: sources[0].url: 'file:///etc/passwd' is not an http or https URL"
        )),
        "{err}"
    );
}

#[test]
fn a_findings_url_of_another_scheme_is_refused_under_its_own_key() {
    let (ok, _, err, path) = check_offline(
        "[[sources]]\nkind = \"findings\"\nname = \"scans\"\nformat = \"sarif\"\nurl = \"ftp://example.com/x.sarif\"\n",
    );
    assert!(!ok, "{err}");
    assert!(
        err.contains(&format!("{path}:1: sources[0].url: ")),
        "{err}"
    );
}

#[test]
fn a_token_file_other_users_can_read_is_warned_about() {
    let dir = tempfile::tempdir().expect("dir");
    let token = dir.path().join("token");
    std::fs::write(&token, "ghp_abc\n").expect("writes");
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let text = format!(
        "[[sources]]\nkind = \"github\"\nname = \"gh\"\nrepos = [\"octo/app\"]\ntoken_file = \"{}\"\n",
        token.display()
    );
    let (ok, _, err, _) = check_offline(&text);
    assert!(ok, "a warning, not an error: {err}");
    assert!(
        err.contains(&format!(
            "source `gh` (line 1): token_file: {} can be read by other users (mode 0644); chmod 600 it",
            token.display()
        )),
        "{err}"
    );
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let (ok, _, err, _) = check_offline(&text);
    assert!(ok && !err.contains("other users"), "{err}");
}

#[test]
fn a_key_of_the_wrong_type_is_one_message_not_also_missing() {
    let (ok, _, err, path) =
        check_offline("[[sources]]\nkind = \"github\"\nname = \"gh\"\nrepos = 5\n");
    assert!(!ok);
    assert!(
        err.contains(&format!("{path}:4: sources[0].repos: invalid type")),
        "{err}"
    );
    assert!(!err.contains("required key is missing"), "{err}");
    assert!(err.starts_with("flightdeck: 1 problem in "), "{err}");
    // A misspelt required key: the suggestion, not also "missing".
    let (ok, _, err, _) =
        check_offline("[[sources]]\nkind = \"github\"\nname = \"gh\"\nrepo = [\"octo/app\"]\n");
    assert!(!ok);
    assert!(
        err.contains("sources[0].repo: unknown key; did you mean `repos`?"),
        "{err}"
    );
    assert!(!err.contains("required key is missing"), "{err}");
}

#[test]
fn a_token_with_a_control_character_is_said_as_such() {
    let dir = tempfile::tempdir().expect("dir");
    let token = dir.path().join("token");
    std::fs::write(&token, "ghp_abc\u{1b}[31mdef\n").expect("writes");
    let text = format!(
        "[[sources]]\nkind = \"github\"\nname = \"gh\"\nrepos = [\"octo/app\"]\nurl = \"http://127.0.0.1:9\"\ntoken_file = \"{}\"\n\
         [[sources]]\nkind = \"prometheus\"\nname = \"prom\"\nurl = \"http://127.0.0.1:9\"\ntoken_file = \"{}\"\n\
         [sources.queries.error_rate]\nquery = 'up'\n",
        token.display(),
        token.display()
    );
    let config = config::parse(&text, Path::new("t.toml")).unwrap_or_else(|e| panic!("{e}"));
    let settings = config.settings();
    for source in &config.sources {
        let message = match registry::build(source, &settings) {
            Ok(_) => panic!("{}: a token with an escape is refused", source.name),
            Err(e) => e,
        };
        assert!(
            message.contains("the token holds a control character (at character 8)"),
            "{message}"
        );
        assert!(message.contains(&token.display().to_string()), "{message}");
        assert!(!message.contains("invalid URL"), "{message}");
        assert!(!message.contains("ghp_abc"), "{message}");
    }
}
