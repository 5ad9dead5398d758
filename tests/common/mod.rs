//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// A fresh, empty directory under the system temp dir.
#[allow(dead_code)]
pub fn tempdir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "spawnlint-{tag}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Whether heavy tests run (`SPAWNLINT_HEAVY_TESTS=1`, which `.ci/run`
/// sets, or any CI, where `CI` is set: there they run, and fail rather
/// than skip when what they need is missing): the real pre-commit, the
/// runtime demonstrations that build the fixtures crate. Otherwise the test
/// says it is skipped and returns.
#[allow(dead_code)]
pub fn heavy(test: &str) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    let on = set("SPAWNLINT_HEAVY_TESTS") || set("CI");
    if !on {
        println!("skipped {test}: a heavy test, run with SPAWNLINT_HEAVY_TESTS=1");
    }
    on
}
