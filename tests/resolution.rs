//! Calls resolve to the crate's own functions only when the code really
//! names them: a same-named function elsewhere in the crate must not be
//! mistaken for `tokio::time::timeout` or `tonic::Request::new`. Each case
//! is checked both ways: the crate's own item is followed (a finding), the
//! foreign one is not (none).

mod common;

/// A crate file with `uses` and a constructor whose body builds `table`
/// and then runs `body`.
fn service_with(uses: &str, body: &str) -> String {
    format!(
        r#"{uses}
use std::collections::HashMap;
use std::sync::{{Arc, Mutex}};

pub struct Routes {{
    table: Arc<Mutex<HashMap<String, u32>>>,
}}

impl Routes {{
    pub fn new() -> Self {{
        let table = Arc::new(Mutex::new(HashMap::new()));
        {body}
        Self {{ table }}
    }}
}}
"#
    )
}

/// A task that indexes the map, then a call after the spawn that would fill
/// it if it resolved to `helpers.rs`.
fn service(call_after_spawn: &str, uses: &str) -> String {
    service_with(
        uses,
        &format!(
            "let probe = Arc::clone(&table);\n        std::thread::spawn(move || probe.lock().unwrap()[\"/\"]);\n        {call_after_spawn}"
        ),
    )
}

const HELPERS: &str = r#"
use std::collections::HashMap;
use std::sync::Mutex;

pub fn seed(table: &Mutex<HashMap<String, u32>>) {
    table.lock().unwrap().insert("/".into(), 1);
}

pub fn start_probe(table: std::sync::Arc<Mutex<HashMap<String, u32>>>) {
    std::thread::spawn(move || table.lock().unwrap()["/"]);
}

pub struct Request;

impl Request {
    pub fn new(table: &Mutex<HashMap<String, u32>>) -> Self {
        table.lock().unwrap().insert("/".into(), 1);
        Request
    }
}
"#;

fn findings(call: &str, uses: &str) -> usize {
    findings_in(&service(call, uses))
}

fn findings_in(service: &str) -> usize {
    let dir = common::tempdir("resolution");
    std::fs::write(dir.join("helpers.rs"), HELPERS).unwrap();
    std::fs::write(dir.join("service.rs"), service).unwrap();
    let report = spawnlint::analyze(&spawnlint::Options {
        paths: vec![dir.clone()],
        ..Default::default()
    })
    .unwrap();
    assert!(
        report.parse_failures.is_empty(),
        "{:?}",
        report.parse_failures
    );
    let _ = std::fs::remove_dir_all(&dir);
    report
        .diagnostics
        .iter()
        .filter(|d| d.code() == "SL001")
        .count()
}

#[test]
fn module_paths_resolve_to_the_module_of_that_name() {
    assert_eq!(findings("helpers::seed(&table);", ""), 1);
    assert_eq!(findings("metrics::seed(&table);", ""), 0);
}

#[test]
fn imported_functions_are_not_the_crates_own() {
    assert_eq!(findings("seed(&table);", "use crate::helpers::seed;"), 1);
    assert_eq!(findings("seed(&table);", "use other_crate::seed;"), 0);
}

#[test]
fn imported_types_are_not_the_crates_own() {
    assert_eq!(
        findings(
            "let _r = Request::new(&table);",
            "use crate::helpers::Request;"
        ),
        1
    );
    assert_eq!(
        findings("let _r = Request::new(&table);", "use tonic::Request;"),
        0
    );
}

/// A constructor that never names a spawner itself: it starts the task
/// through a helper imported under another name.
#[test]
fn renamed_helpers_are_followed_to_their_spawn() {
    let service = |uses: &str| {
        service_with(
            uses,
            "launch(Arc::clone(&table));\n        table.lock().unwrap().insert(\"/\".into(), 1);",
        )
    };
    assert_eq!(
        findings_in(&service("use crate::helpers::start_probe as launch;")),
        1
    );
    assert_eq!(
        findings_in(&service("use other_crate::start_probe as launch;")),
        0
    );
}
