//! `--show-files` and `--show-settings`, as the binary prints them.

use crate::{out, say};
use std::process::ExitCode;

/// `--show-files`: one line per file, `path (crate dir)`, then what could
/// not be used, on standard error.
pub fn show_files(opts: &spawnlint::Options) -> ExitCode {
    let (files, problems) = match spawnlint::pipeline::files(opts) {
        Ok(f) => f,
        Err(e) => {
            say(&format!("error: {e}"));
            return ExitCode::from(2);
        }
    };
    let mut text = String::new();
    for (file, krate) in &files {
        let krate = if krate.is_empty() { "." } else { krate };
        text.push_str(&format!("{file}  ({krate})\n"));
    }
    if let Err(code) = out(&text) {
        return code;
    }
    for p in &problems {
        say(&format!("error: {}: {}", p.display, p.message));
    }
    if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

/// `--show-settings`: for each configuration, the crates that use it and
/// its effective keys.
pub fn show_settings(opts: &spawnlint::Options) -> ExitCode {
    let groups = match spawnlint::pipeline::settings(opts) {
        Ok(g) => g,
        Err(e) => {
            say(&format!("error: {e}"));
            return ExitCode::from(2);
        }
    };
    let mut text = String::new();
    for (crates, settings) in &groups {
        text.push_str(&format!("# crates: {}\n{settings}\n", crates.join(", ")));
    }
    match out(&text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}
