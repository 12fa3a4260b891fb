//! A loopback HTTP world for tests: scripted replies per path, a log of what the server saw,
//! and helpers to run the `civicrawl` binary in a temporary directory.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Instant;

mod server;

#[allow(unused_imports)]
pub use server::{Asked, Reply, Seen, Server, listener};

/// A temporary working directory with `sources/`, `civicrawl.toml` and `output/`.
pub struct Workdir {
    pub dir: tempfile::TempDir,
}

impl Workdir {
    /// A work dir whose settings allow fast retries in tests.
    pub fn new() -> Workdir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sources")).unwrap();
        let w = Workdir { dir };
        w.settings("");
        w
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `civicrawl.toml` with test defaults plus `extra` lines in `[crawl]`. The test
    /// servers listen on loopback, so private networks are allowed unless `extra` says.
    pub fn settings(&self, extra: &str) {
        let private = if extra.contains("allow_private_networks") {
            ""
        } else {
            "allow_private_networks = true\n"
        };
        let text = format!(
            "[crawl]\ncontact = \"https://civicrawl.test/contact\"\nretry_base_ms = 50\ntimeout_s = 10\n{private}{extra}\n"
        );
        std::fs::write(self.path().join("civicrawl.toml"), text).unwrap();
    }

    /// Writes `sources/<id>.toml`.
    pub fn source(&self, id: &str, text: &str) {
        std::fs::write(self.path().join("sources").join(format!("{id}.toml")), text).unwrap();
    }

    pub fn out(&self) -> PathBuf {
        self.path().join("output")
    }

    /// The directory `output/latest` points at.
    pub fn latest(&self) -> PathBuf {
        std::fs::canonicalize(self.out().join("latest")).expect("output/latest exists")
    }

    /// The binary as a command to run in this directory.
    pub fn command(&self, args: &[&str], envs: &[(&str, &str)]) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_civicrawl"));
        cmd.args(args)
            .current_dir(self.path())
            .env_remove("GITHUB_TOKEN")
            .env_remove("CIVICRAWL_FAILPOINT")
            .env_remove("CIVICRAWL_TEST_PUBLIC_HOSTS")
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY")
            .env_remove("ALL_PROXY")
            .env_remove("http_proxy")
            .env_remove("https_proxy")
            .env_remove("all_proxy")
            .env("NO_COLOR", "1");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs the binary with `args` in this directory (off the async runtime's threads).
    pub async fn civicrawl(&self, args: &[&str]) -> Run {
        self.civicrawl_env(args, &[]).await
    }

    /// Runs the binary with `args` and extra environment variables.
    pub async fn civicrawl_env(&self, args: &[&str], envs: &[(&str, &str)]) -> Run {
        let mut cmd = self.command(args, envs);
        let started = Instant::now();
        let output = tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap();
        Run {
            output,
            elapsed: started.elapsed(),
        }
    }
}

/// A finished run of the binary.
pub struct Run {
    pub output: Output,
    pub elapsed: std::time::Duration,
}

impl Run {
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    /// Panics with the output when the exit code differs.
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code(),
            code,
            "exit code; stderr:\n{}\nstdout:\n{}",
            self.stderr(),
            self.stdout()
        );
        assert!(!self.stderr().contains("panicked"), "{}", self.stderr());
        self
    }
}

/// Reads a JSONL file into values.
pub fn read_jsonl(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The fixture file `tests/fixtures/<rel>` with `{{base}}` replaced.
pub fn fixture(rel: &str, base: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .replace("{{base}}", base)
        .into_bytes()
}
