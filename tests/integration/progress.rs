//! Issue 18 part 2: progress bars on a terminal, none on a pipe or under `-q`.

use crate::spine::{directory_decl, directory_server, registry_decl, registry_server};
use crate::support::Workdir;

/// `civicrawl <args>` under a pseudo-terminal (util-linux `script`): what the terminal shows.
async fn on_a_terminal(w: &Workdir, args: &str) -> (i32, String) {
    let bin = env!("CARGO_BIN_EXE_civicrawl");
    let mut script = std::process::Command::new("script");
    script
        .args(["-q", "-e", "-c", &format!("{bin} {args}"), "/dev/null"])
        .current_dir(w.path())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "120")
        .env("LINES", "40")
        .env("TERM", "xterm")
        .env_remove("CIVICRAWL_NO_PROGRESS");
    let out = tokio::task::spawn_blocking(move || script.output().unwrap())
        .await
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[tokio::test]
async fn bars_show_on_a_terminal_and_never_on_a_pipe_or_under_quiet() {
    // util-linux `script` gives the pseudo-terminal; required under CI, skipped elsewhere.
    let util_linux = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("util-linux"));
    assert!(
        util_linux || std::env::var_os("CI").is_none(),
        "util-linux `script` is required under CI"
    );
    if !util_linux {
        eprintln!("skipped: no util-linux `script`");
        return;
    }
    let reg = registry_server().await;
    let dir = directory_server().await;
    let w = Workdir::new();
    w.source("registry", &registry_decl(&reg.base()));
    w.source("directory", &directory_decl(&dir.base()));

    let (code, screen) = on_a_terminal(&w, "run").await;
    assert_eq!(code, 0, "{screen}");
    if std::env::var_os("SHOW_SCREEN").is_some() {
        eprintln!("{screen}");
    }
    for line in ["registry", "directory"] {
        assert!(
            screen
                .lines()
                .any(|l| l.contains(line) && l.contains("pages ·") && l.contains("records")),
            "a finished line for {line}:\n{screen}"
        );
    }
    // Log lines still reach the terminal, whole.
    assert!(screen.contains("source done"), "{screen}");

    // The same run with stderr on a pipe: log lines only, no bar, no cursor control.
    let piped = w.civicrawl(&["run"]).await;
    piped.expect_code(0);
    let err = piped.stderr();
    assert!(err.contains("source done"), "{err}");
    assert!(!err.contains("pages ·") && !err.contains('\u{1b}'), "{err}");

    // On a terminal, -q and JSON logs draw no bars either.
    for quiet in ["-q run", "--log-format json run"] {
        let (code, screen) = on_a_terminal(&w, quiet).await;
        assert_eq!(code, 0, "{screen}");
        assert!(!screen.contains("pages ·"), "{quiet}:\n{screen}");
    }
}
