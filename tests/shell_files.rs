//! Shell completions and the man page, as a user installs them.

use std::process::Command;

fn flightdeck(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_flightdeck"))
        .args(args)
        .output()
        .expect("the flightdeck binary runs")
}

#[test]
fn bash_loads_the_completions_and_completes_subcommands() {
    let Some(bash) = crate::support::tool("bash") else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let script = dir.path().join("flightdeck.bash");
    let out = flightdeck(&["completions", "bash"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&script, &out.stdout).expect("write the script");
    // Load it as a user's shell would, then ask bash what it completes
    // after `flightdeck re`.
    let probe = format!(
        "source '{}' && complete -p flightdeck && \
         COMP_WORDS=(flightdeck re) COMP_CWORD=1 COMP_LINE='flightdeck re' COMP_POINT=13 && \
         _flightdeck flightdeck re flightdeck && printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display()
    );
    let run = Command::new(bash)
        .args(["--norc", "--noprofile", "-c", &probe])
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut lines = stdout.lines();
    assert_eq!(
        lines.next(),
        Some("complete -o bashdefault -o default -o nosort -F _flightdeck flightdeck")
    );
    let words: Vec<&str> = lines.collect();
    assert_eq!(words, ["report", "replay"], "completions for `re`");
}

#[test]
fn every_shell_gets_a_script_that_names_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = flightdeck(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        for sub in ["report", "serve", "replay", "completions"] {
            assert!(script.contains(sub), "{shell} script lacks {sub}");
        }
    }
    let out = flightdeck(&["completions", "tcsh"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid value 'tcsh'"));
}

#[test]
fn the_man_page_is_roff_with_every_subcommand() {
    let out = flightdeck(&["man"]);
    assert!(out.status.success());
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq"),
        "{}",
        &page[..80.min(page.len())]
    );
    assert!(page.contains(".TH flightdeck 1"));
    for sub in ["report", "serve", "replay", "check", "completions"] {
        assert!(page.contains(sub), "man page lacks {sub}");
    }
}
