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

/// A Cargo package in `dir` holding the motivating service split across
/// files: the constructor and its task in `src/hub.rs`, the load-like
/// method that initializes the state in `src/load.rs` (SL002 is only seen
/// with both).
#[allow(dead_code)]
pub fn split_service_package(dir: &std::path::Path) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"hub\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    let service =
        std::fs::read_to_string(root.join("fixtures/spawn-before-load/motivating_service.rs"))
            .unwrap();
    let (head, load) = service.split_at(service.find("    pub fn load(").unwrap());
    let load_end = load.find("\n    }\n").unwrap() + 7;
    let hub = format!("{head}{}", &load[load_end..]).replace(
        "pub struct MetricsHub {\n    gauges:",
        "pub struct MetricsHub {\n    pub(crate) gauges:",
    );
    let load_file = format!(
        "use std::collections::HashMap;\nuse crate::hub::MetricsHub;\n\nimpl MetricsHub {{\n{}}}\n",
        &load[..load_end]
    );
    std::fs::write(dir.join("src/lib.rs"), "pub mod hub;\nmod load;\n").unwrap();
    std::fs::write(dir.join("src/hub.rs"), hub).unwrap();
    std::fs::write(dir.join("src/load.rs"), load_file).unwrap();
}
