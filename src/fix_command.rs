//! `--fix`, `--unsafe-fixes`, `--diff`, `--fix-check`: the binary's side
//! of fixing. The library computes the fixed texts in memory
//! (`spawnlint::fixer`); here they are checked against version control,
//! written atomically, shown as a diff, verified with `cargo check`, and
//! restored if the build breaks.

use spawnlint::diagnostic::Applicability;
use spawnlint::fixer::{Changed, Outcome};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the user asked the fixing to do.
pub struct Mode {
    /// `--diff`: print, write nothing.
    pub diff: bool,
    /// `--allow-dirty`: write files with uncommitted changes (or outside
    /// version control).
    pub allow_dirty: bool,
    /// `--fix-check`: `cargo check` the packages afterwards, restore on
    /// failure.
    pub check: bool,
}

/// The unified diff of every changed file, `a/`…`b/` as git prints it.
pub fn diff(outcome: &Outcome) -> String {
    let mut out = String::new();
    for c in outcome.changed.values() {
        let d = similar::TextDiff::from_lines(&*c.original, &*c.fixed);
        let text = d
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{}", c.display), &format!("b/{}", c.display))
            .to_string();
        out.push_str(&text);
    }
    out
}

/// The changed files that version control does not have as they are on
/// disk (modified, staged or untracked), or that it does not track at all,
/// with the reason; empty when writing them loses nothing.
pub fn dirty(changed: &BTreeMap<PathBuf, Changed>) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for (path, c) in changed {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        let name = path.file_name().unwrap_or(path.as_os_str());
        let mut cmd = Command::new("git");
        if let Some(dir) = dir {
            cmd.arg("-C").arg(dir);
        }
        let status = cmd
            .args(["status", "--porcelain", "--ignored=no", "--"])
            .arg(name)
            .output();
        match status {
            Ok(o) if o.status.success() => {
                if !o.stdout.is_empty() {
                    out.push((c.display.clone(), "has uncommitted changes"));
                } else if !tracked(dir, name) {
                    // An ignored file shows nothing in `status`: git has
                    // no copy of it either.
                    out.push((c.display.clone(), "is not tracked by git"));
                }
            }
            _ => out.push((c.display.clone(), "is not in a git work tree")),
        }
    }
    out
}

/// Whether git tracks `name` (in `dir`).
fn tracked(dir: Option<&Path>, name: &std::ffi::OsStr) -> bool {
    let mut cmd = Command::new("git");
    if let Some(dir) = dir {
        cmd.arg("-C").arg(dir);
    }
    cmd.args(["ls-files", "--error-unmatch", "--"])
        .arg(name)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Write every changed file (atomically, one by one). On an error, the
/// files already written get their original text back.
pub fn write(changed: &BTreeMap<PathBuf, Changed>) -> Result<(), String> {
    let mut written: Vec<(&Path, &Changed)> = Vec::new();
    for (path, c) in changed {
        if let Err(e) = spawnlint::files::write_replacing(path, &c.fixed) {
            restore(&written);
            return Err(format!("cannot write {}: {e}", c.display));
        }
        written.push((path, c));
    }
    Ok(())
}

/// Put the original texts back; what cannot be restored is said.
fn restore(files: &[(&Path, &Changed)]) {
    for (path, c) in files {
        if let Err(e) = spawnlint::files::write_replacing(path, &c.original) {
            crate::say(&format!("error: cannot restore {}: {e}", c.display));
        }
    }
}

/// `--fix-check`: `cargo check --all-targets` each package holding a
/// changed file; if one fails, every changed file gets its original text
/// back and the build's output is returned.
pub fn check(changed: &BTreeMap<PathBuf, Changed>) -> Result<usize, String> {
    let mut manifests: Vec<PathBuf> = changed
        .keys()
        .filter_map(|p| {
            let dir = p.parent()?;
            Some(spawnlint::report::Package::find(dir).dir.join("Cargo.toml"))
        })
        .collect();
    manifests.sort();
    manifests.dedup();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    for manifest in &manifests {
        let run = Command::new(&cargo)
            .args(["check", "--all-targets", "--quiet", "--manifest-path"])
            .arg(manifest)
            .output();
        let failure = match run {
            Ok(o) if o.status.success() => None,
            Ok(o) => Some(String::from_utf8_lossy(&o.stderr).into_owned()),
            Err(e) => Some(format!("cannot run cargo: {e}")),
        };
        if let Some(output) = failure {
            let all: Vec<(&Path, &Changed)> =
                changed.iter().map(|(p, c)| (p.as_path(), c)).collect();
            restore(&all);
            return Err(format!(
                "`cargo check` of {} failed after fixing, so every fixed file was restored:\n{output}",
                manifest.display()
            ));
        }
    }
    Ok(manifests.len())
}

/// What `--fix` / `--diff` did, for standard error.
pub fn summary(outcome: &Outcome, mode: &Mode, unsafe_fixes: bool) -> String {
    let mut s = String::new();
    let verb = if mode.diff { "would fix" } else { "fixed" };
    for a in &outcome.applied {
        s.push_str(&format!(
            "{verb} {}:{}: {} {} ({})\n",
            a.display,
            a.line,
            a.rule.code(),
            a.title,
            a.applicability.name()
        ));
    }
    let n = outcome.applied.len();
    let safe = outcome
        .applied
        .iter()
        .filter(|a| a.applicability == Applicability::Safe)
        .count();
    let files = outcome.changed.len();
    let remaining = outcome.report.diagnostics.len();
    s.push_str(&format!(
        "spawnlint: {verb} {n} finding{} in {files} file{} ({safe} safe, {} unsafe); {remaining} remain{}",
        plural(n),
        plural(files),
        n - safe,
        if remaining == 1 { "s" } else { "" }
    ));
    let hidden = outcome.unsafe_available();
    if !unsafe_fixes && hidden > 0 {
        s.push_str(&format!(
            ", {hidden} with an unsafe fix that `--unsafe-fixes` applies"
        ));
    }
    if outcome.rejected > 0 {
        s.push_str(&format!(
            "; {} fix{} left out (overlapping another, or the result would not parse)",
            outcome.rejected,
            if outcome.rejected == 1 { "" } else { "es" }
        ));
    }
    s.push('\n');
    s
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
