//! Discovery: which files to analyze, and which crate each belongs to.
//!
//! Relative paths are resolved against an explicit root (the directory the
//! user ran the tool in); the process's current directory is never read.

use crate::source::{absolute, display_path, resolve};
mod modules;

use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// A file to analyze.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Input {
    /// The path to read.
    pub path: PathBuf,
    /// The crate root (directory of the nearest `Cargo.toml`), which decides
    /// which files see each other's types.
    pub crate_root: PathBuf,
}

/// A path that could not be used, with the reason.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The path.
    pub path: PathBuf,
    /// The path as shown to the user.
    pub display: String,
    /// What went wrong.
    pub message: String,
}

/// Files under the given paths (relative to `base`): `.rs` files given
/// directly, and every `.rs` file below given directories, skipping
/// `target/` and hidden directories. Symbolic links to directories are not
/// followed (no loops).
pub fn from_paths(paths: &[PathBuf], base: &Path) -> (Vec<Input>, Vec<Problem>) {
    let mut inputs = Vec::new();
    let mut problems = Vec::new();
    let mut roots = CrateRoots::default();
    for given in paths {
        let root = &resolve(given, base);
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                problems.push(Problem {
                    path: root.clone(),
                    display: given.display().to_string(),
                    message: format!("cannot read: {e}"),
                });
                continue;
            }
        };
        if meta.is_file() {
            inputs.push(Input {
                crate_root: roots.of(root, base),
                path: root.clone(),
            });
            continue;
        }
        let walker = WalkDir::new(root)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !skipped_dir(e));
        for entry in walker {
            match entry {
                Ok(e) => {
                    if e.file_type().is_dir() || !e.path().extension().is_some_and(|x| x == "rs") {
                        continue;
                    }
                    // A link to a file is analyzed as the file; links to
                    // directories are not followed (loops, trees outside
                    // the one given). Anything else named `.rs` is
                    // reported, not dropped.
                    match std::fs::metadata(e.path()) {
                        Ok(m) if m.is_file() => {
                            let path = e.into_path();
                            inputs.push(Input {
                                crate_root: roots.of(&path, base),
                                path,
                            });
                        }
                        Ok(m) if m.is_dir() => {}
                        Ok(_) => problems.push(Problem {
                            display: display_path(e.path(), base),
                            path: e.into_path(),
                            message: "not a regular file; skipped".into(),
                        }),
                        Err(err) => problems.push(Problem {
                            display: display_path(e.path(), base),
                            path: e.into_path(),
                            message: format!("cannot read: {err}"),
                        }),
                    }
                }
                Err(err) => {
                    let path = err
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| root.clone());
                    problems.push(Problem {
                        display: crate::source::display_path(&path, base),
                        path,
                        message: format!("cannot walk: {err}"),
                    })
                }
            }
        }
    }
    inputs.sort();
    inputs.dedup();
    (inputs, problems)
}

fn skipped_dir(e: &walkdir::DirEntry) -> bool {
    if !e.file_type().is_dir() {
        return false;
    }
    let name = e.file_name().to_string_lossy();
    name == "target" || name.starts_with('.')
}

/// The crate root of each file: the directory of the nearest `Cargo.toml`
/// at or above the file's directory, or that directory when there is none.
/// Answers are cached per directory: a tree's files share few directories.
#[derive(Default)]
struct CrateRoots {
    by_dir: std::collections::HashMap<PathBuf, PathBuf>,
}

impl CrateRoots {
    fn of(&mut self, path: &Path, base: &Path) -> PathBuf {
        let dir = if path.is_dir() {
            path.to_path_buf()
        } else {
            path.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        if let Some(root) = self.by_dir.get(&dir) {
            return root.clone();
        }
        let abs = absolute(&dir, base);
        let root = abs
            .ancestors()
            .find(|d| d.join("Cargo.toml").is_file())
            .map(Path::to_path_buf)
            .unwrap_or(abs);
        self.by_dir.insert(dir, root.clone());
        root
    }
}

/// The one input of `--stdin-filename`: `path` (relative to `base`), in the
/// crate around it, whether or not it exists on disk.
pub fn stdin_input(path: &Path, base: &Path) -> Input {
    let path = resolve(path, base);
    Input {
        crate_root: CrateRoots::default().of(&path, base),
        path,
    }
}

/// Options for workspace discovery (no paths given).
#[derive(Debug, Clone, Default)]
pub struct WorkspaceOptions {
    /// `--manifest-path`.
    pub manifest_path: Option<PathBuf>,
    /// `-p/--package`.
    pub packages: Vec<String>,
    /// `--workspace`.
    pub workspace: bool,
    /// `--exclude`.
    pub exclude: Vec<String>,
}

/// The packages of the Cargo workspace around `base` (the directory the
/// tool runs in, or `--manifest-path`): by default the current package,
/// else all members. Each package contributes its manifest directory.
pub fn from_workspace(
    opts: &WorkspaceOptions,
    base: &Path,
) -> Result<(Vec<Input>, Vec<Problem>), String> {
    let mut cmd = cargo_metadata::MetadataCommand::new();
    cmd.no_deps();
    if !base.as_os_str().is_empty() {
        cmd.current_dir(base);
    }
    if let Some(m) = &opts.manifest_path {
        cmd.manifest_path(resolve(m, base));
    }
    let meta = cmd
        .exec()
        .map_err(|e| format!("cannot read the cargo workspace: {e}"))?;
    let members: Vec<&cargo_metadata::Package> = meta.workspace_packages();
    let selected: Vec<&cargo_metadata::Package> = if !opts.packages.is_empty() {
        let unknown: Vec<&String> = opts
            .packages
            .iter()
            .filter(|p| !members.iter().any(|m| m.name.as_str() == p.as_str()))
            .collect();
        if let Some(u) = unknown.first() {
            return Err(format!("package `{u}` is not a member of the workspace"));
        }
        members
            .into_iter()
            .filter(|m| opts.packages.iter().any(|p| p.as_str() == m.name.as_str()))
            .collect()
    } else {
        // Like cargo: the package whose manifest is at or above the current
        // directory (or `--manifest-path`); in a virtual workspace's root,
        // or with `--workspace`, every member. (`root_package()` needs the
        // dependency resolution, which `--no-deps` skips.)
        let here = match &opts.manifest_path {
            Some(m) => absolute(m, base).parent().map(Path::to_path_buf),
            None => Some(absolute(base, Path::new(""))),
        }
        .unwrap_or_default();
        let current = members
            .iter()
            .filter(|m| {
                m.manifest_path
                    .parent()
                    .is_some_and(|d| here.starts_with(d.as_std_path()))
            })
            .max_by_key(|m| m.manifest_path.as_str().len())
            .copied();
        match current {
            Some(package) if !opts.workspace => vec![package],
            _ => members
                .into_iter()
                .filter(|m| !opts.exclude.iter().any(|e| e.as_str() == m.name.as_str()))
                .collect(),
        }
    };
    Ok(package_files(&selected, base))
}

/// `--crate-context`: the given paths (as [`from_paths`] finds them) and,
/// for each given file, every file of the Cargo package that owns it — its
/// module trees — so that a window whose other end is in another file of
/// the crate is seen. Returns the inputs, the problems, and the paths the
/// findings are reported for (the given ones).
pub fn with_owning_crates(
    paths: &[PathBuf],
    base: &Path,
) -> (Vec<Input>, Vec<Problem>, Vec<PathBuf>) {
    let (given, problems) = from_paths(paths, base);
    let reported: Vec<PathBuf> = given.iter().map(|i| i.path.clone()).collect();
    let mut manifests: Vec<PathBuf> = given
        .iter()
        .filter_map(|i| owning_manifest(&i.path))
        .collect();
    manifests.sort();
    manifests.dedup();
    // Each given file's canonical path, once: package files are matched
    // against it.
    let given_at: std::collections::HashMap<PathBuf, usize> = given
        .iter()
        .enumerate()
        .map(|(n, i)| {
            (
                std::fs::canonicalize(&i.path).unwrap_or_else(|_| i.path.clone()),
                n,
            )
        })
        .collect();
    let mut inputs = given;
    for manifest in manifests {
        let meta = cargo_metadata::MetadataCommand::new()
            .no_deps()
            .manifest_path(&manifest)
            .exec();
        // Without the package's metadata the given files are analyzed on
        // their own, as without `--crate-context`.
        let Ok(meta) = meta else { continue };
        let own: Vec<&cargo_metadata::Package> = meta
            .packages
            .iter()
            .filter(|p| p.manifest_path.as_std_path() == manifest)
            .collect();
        let (files, _) = package_files(&own, base);
        for f in files {
            // A given file is the package's file under another spelling:
            // it joins the package's crate, and is not read twice.
            let canonical = std::fs::canonicalize(&f.path).unwrap_or_else(|_| f.path.clone());
            let given = given_at.get(&canonical).copied();
            match given {
                Some(g) => inputs[g].crate_root = f.crate_root.clone(),
                None if inputs.iter().any(|i| i.path == f.path) => {}
                None => inputs.push(f),
            }
        }
    }
    (inputs, problems, reported)
}

/// The `Cargo.toml` of the package a file belongs to: the nearest one at or
/// above it with a `[package]` table.
fn owning_manifest(file: &Path) -> Option<PathBuf> {
    let abs = std::fs::canonicalize(file).ok()?;
    abs.ancestors().skip(1).find_map(|d| {
        let m = d.join("Cargo.toml");
        let text = crate::files::read_regular_text(&m, crate::files::MAX_CONFIG_BYTES).ok()?;
        text.parse::<toml::Table>()
            .ok()?
            .contains_key("package")
            .then_some(m)
    })
}

/// The files of each package as rustc finds them: its targets' root files
/// (library, binaries, tests, examples, benches, build script) and the
/// modules they declare, followed file by file (`modules.rs`). Test data
/// or snippets under the package that no target declares are not its files.
fn package_files(packages: &[&cargo_metadata::Package], base: &Path) -> (Vec<Input>, Vec<Problem>) {
    let read =
        |p: &Path| crate::files::read_regular_text(p, crate::files::DEFAULT_MAX_SOURCE_BYTES).ok();
    let mut inputs: Vec<Input> = Vec::new();
    let mut problems = Vec::new();
    for package in packages {
        let Some(dir) = package.manifest_path.parent() else {
            continue;
        };
        let crate_root = PathBuf::from(dir.as_std_path());
        let mut roots: Vec<PathBuf> = package
            .targets
            .iter()
            .map(|t| PathBuf::from(t.src_path.as_std_path()))
            .collect();
        roots.sort();
        roots.dedup();
        for root in &roots {
            if !root.is_file() {
                problems.push(Problem {
                    path: root.clone(),
                    display: display_path(root, base),
                    message: format!(
                        "the root file of a target of `{}` does not exist",
                        package.name
                    ),
                });
            }
        }
        let roots: Vec<PathBuf> = roots.into_iter().filter(|r| r.is_file()).collect();
        for path in modules::module_files(&roots, &read) {
            if !inputs.iter().any(|i| i.path == path) {
                inputs.push(Input {
                    path,
                    crate_root: crate_root.clone(),
                });
            }
        }
    }
    (inputs, problems)
}

/// The tokio version the crate at `crate_root` builds with: the lowest
/// `tokio` in the nearest `Cargo.lock` above it, as (major, minor). `None`
/// without a lock file, or when the lock has no tokio. Fixes whose code
/// needs a recent tokio API are offered as edits only when this says it is
/// there.
pub fn tokio_version(
    crate_root: &Path,
    cache: &mut std::collections::HashMap<PathBuf, Option<(u64, u64)>>,
) -> Option<(u64, u64)> {
    let lock = crate_root
        .ancestors()
        .map(|d| d.join("Cargo.lock"))
        .find(|p| p.is_file())?;
    if let Some(v) = cache.get(&lock) {
        return *v;
    }
    let version = crate::files::read_regular_text(&lock, 64 * 1024 * 1024)
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .and_then(|table| {
            let packages = table.get("package")?.as_array()?;
            packages
                .iter()
                .filter_map(|p| p.as_table())
                .filter(|p| p.get("name").and_then(|n| n.as_str()) == Some("tokio"))
                .filter_map(|p| {
                    let v = p.get("version")?.as_str()?;
                    let mut parts = v.split('.').map(|x| x.parse::<u64>().ok());
                    Some((parts.next()??, parts.next()??))
                })
                .min()
        });
    cache.insert(lock, version);
    version
}
