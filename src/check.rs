//! `--with-check`: runs `cargo check --message-format=json` next to the
//! analysis and passes its messages through, so an editor's single check
//! command (rust-analyzer's `check.overrideCommand`) gets rustc's
//! diagnostics and ours. Cargo's lines are copied to stdout as they come,
//! except its closing `build-finished`, which is held back and printed
//! after our messages so the stream still ends the way cargo's does.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;

/// A running `cargo check`.
pub struct Check {
    child: Child,
    copier: JoinHandle<std::io::Result<String>>,
}

/// How `cargo check` ended.
pub struct Outcome {
    /// Whether it exited successfully (no compile errors).
    pub success: bool,
    /// Held-back lines to print after ours (`build-finished`).
    pub trailer: String,
}

impl Check {
    /// Start `cargo check` with the same manifest and package selection,
    /// and `extra` (the arguments given after `--`).
    pub fn start(
        manifest: &clap_cargo::Manifest,
        workspace: &clap_cargo::Workspace,
        extra: &[String],
    ) -> std::io::Result<Check> {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["check", "--message-format=json"]);
        if let Some(m) = &manifest.manifest_path {
            cmd.arg("--manifest-path").arg(m);
        }
        for p in &workspace.package {
            cmd.args(["--package", p]);
        }
        if workspace.workspace || workspace.all {
            cmd.arg("--workspace");
        }
        for p in &workspace.exclude {
            cmd.args(["--exclude", p]);
        }
        // The user's own `cargo check` options (after `--`).
        cmd.args(extra);
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let out = child
            .stdout
            .take()
            .ok_or_else(|| std::io::Error::other("no stdout"))?;
        let copier = std::thread::spawn(move || {
            let mut trailer = String::new();
            let stdout = std::io::stdout();
            for line in BufReader::new(out).lines() {
                let line = line?;
                if is_build_finished(&line) {
                    trailer.push_str(&line);
                    trailer.push('\n');
                    continue;
                }
                let mut lock = stdout.lock();
                writeln!(lock, "{line}")?;
                lock.flush()?;
            }
            Ok(trailer)
        });
        Ok(Check { child, copier })
    }

    /// Wait for cargo to finish and every line to be copied.
    pub fn finish(mut self) -> std::io::Result<Outcome> {
        let trailer = self
            .copier
            .join()
            .map_err(|_| std::io::Error::other("copying cargo's output failed"))??;
        let status = self.child.wait()?;
        Ok(Outcome {
            success: status.success(),
            trailer,
        })
    }
}

fn is_build_finished(line: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(line)
        .ok()
        .is_some_and(|v| v["reason"] == "build-finished")
}
