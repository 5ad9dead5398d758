//! Hostile input, as a user who wants to break CI would write it. Every
//! case is generated here (no big committed files) and run through the
//! binary beside a file with a known finding: the run must end with the
//! documented status, name the bad file, still report the good file's
//! finding, and finish in bounded time. README "What it does with bad
//! input" lists the same cases.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod common;

fn bin() -> Command {
    Command::cargo_bin("cargo-spawnlint").unwrap()
}

/// A directory holding the motivating service (one SL002) and `name`
/// written with `content`.
fn tree_with(name: &str, content: &[u8]) -> PathBuf {
    let dir = common::tempdir("adversarial");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/spawn-before-load/motivating_service.rs");
    std::fs::copy(fixture, dir.join("service.rs")).unwrap();
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, content).unwrap();
    dir
}

struct Outcome {
    status: Option<i32>,
    doc: serde_json::Value,
    stderr: String,
}

/// Run on `dir` with JSON output (and `args`), within `limit`.
fn run(dir: &Path, args: &[&str], limit: Duration) -> Outcome {
    let start = Instant::now();
    let out = bin()
        .arg(dir)
        .args(["--format", "json", "-j", "2"])
        .args(args)
        .timeout(limit)
        .output()
        .unwrap();
    assert!(start.elapsed() < limit, "took {:?}", start.elapsed());
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}); status {:?}; {stderr}", out.status));
    Outcome {
        status: out.status.code(),
        doc,
        stderr,
    }
}

/// The run exited `status`, reported `file` as not analyzed with a
/// message containing `words`, and still found the service's SL002.
fn assert_reported(o: &Outcome, status: i32, file: &str, kind: &str, words: &str) {
    assert_eq!(o.status, Some(status), "{}\n{}", o.doc, o.stderr);
    let notices = o.doc["not_analyzed"].as_array().unwrap();
    assert!(
        notices
            .iter()
            .any(|n| n["file"].as_str().unwrap().ends_with(file)
                && n["kind"] == kind
                && n["message"].as_str().unwrap().contains(words)),
        "no {kind} notice for {file} with {words:?}: {notices:?}"
    );
    let codes: Vec<&str> = o.doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"SL002"),
        "service.rs was not analyzed: {codes:?}"
    );
    assert_eq!(o.doc["summary"]["complete"], false);
}

const QUICK: Duration = Duration::from_secs(60);

/// Each construct syn recurses on, far beyond the pre-scan's limit and
/// deep enough to overflow any stack if it reached the parser.
#[test]
fn deep_nesting_of_every_construct_is_skipped_not_a_crash() {
    let n = 80_000;
    let cases: Vec<(&str, String)> = vec![
        (
            "generics",
            format!("type T = {}u8{};", "Vec<".repeat(n), ">".repeat(n)),
        ),
        ("references", format!("type T = {}u8;", "& ".repeat(n))),
        ("pointers", format!("type T = {}u8;", "*const ".repeat(n))),
        ("fn-types", format!("type T = {}u8;", "fn() -> ".repeat(n))),
        (
            "closures",
            format!("fn f() {{ let _ = {}1; }}", "|| ".repeat(n)),
        ),
        (
            "sum",
            format!("fn f() {{ let _ = 1{}; }}", "+1".repeat(n * 4)),
        ),
        (
            "else-if",
            format!("fn f() {{ {}{{}} }}", "if a {} else ".repeat(n)),
        ),
        ("methods", format!("fn f() {{ x{}; }}", ".f()".repeat(n))),
        (
            "brackets",
            format!("fn f() {{ {}{} }}", "(".repeat(n), ")".repeat(n)),
        ),
        ("attributes", format!("{}fn f() {{}}", "#[a(".repeat(n))),
        (
            "unary",
            format!("fn f() {{ let _ = {}1; }}", "!-".repeat(n)),
        ),
    ];
    for (name, src) in cases {
        let dir = tree_with(&format!("{name}.rs"), src.as_bytes());
        let o = run(&dir, &[], QUICK);
        assert_reported(&o, 2, &format!("{name}.rs"), "skipped", "too deeply nested");
    }
}

#[test]
fn brackets_in_comments_and_strings_do_not_hide_a_file() {
    let open = "{".repeat(5_000);
    // After the fixture: it opens with inner attributes.
    let src = format!(
        "{}\n// {open}\nconst S: &str = \"{open}\";\nconst R: &str = r#\"{open}\"#;\n",
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/spawn-before-load/motivating_service.rs")
        )
        .unwrap()
    );
    let dir = common::tempdir("adversarial");
    std::fs::write(dir.join("commented.rs"), src).unwrap();
    let o = run(&dir, &[], QUICK);
    assert_eq!(o.status, Some(1), "{}", o.doc);
    assert_eq!(o.doc["summary"]["complete"], true);
    assert_eq!(o.doc["diagnostics"][0]["code"], "SL002");
}

#[test]
fn invalid_utf8_nul_bytes_and_binary_garbage() {
    let o = run(&tree_with("latin1.rs", b"// caf\xe9\n"), &[], QUICK);
    assert_reported(&o, 2, "latin1.rs", "unreadable", "UTF-8");

    let o = run(&tree_with("nul.rs", b"fn f() {}\0\0\0"), &[], QUICK);
    assert_eq!(o.status, Some(1), "a NUL is a syntax error: {}", o.doc);
    let kinds = o.doc["not_analyzed"][0]["kind"].clone();
    assert_eq!(kinds, "syntax-error");

    let garbage: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let o = run(&tree_with("garbage.rs", &garbage), &[], QUICK);
    assert_eq!(o.status, Some(2), "{}", o.doc);
}

#[test]
fn files_over_the_size_limit_are_reported_and_skipped() {
    let big = format!("fn f() {{}}\n{}", "// padding\n".repeat(20_000));
    let o = run(
        &tree_with("big.rs", big.as_bytes()),
        &["--max-file-size", "100000"],
        QUICK,
    );
    assert_reported(&o, 2, "big.rs", "skipped", "too large");
}

/// A 50 MB file and a 10 MB single line, at the default size limit: read,
/// parsed and analyzed (or reported) in bounded time and memory.
#[test]
fn huge_files_and_lines() {
    if !common::heavy("huge_files_and_lines") {
        return;
    }
    let line = format!("const S: &str = \"{}\";\n", "x".repeat(10 << 20));
    let o = run(&tree_with("line.rs", line.as_bytes()), &[], QUICK * 3);
    assert_eq!(o.status, Some(1), "{}", o.doc);
    assert_eq!(o.doc["summary"]["complete"], true);

    let body = "fn f() { let x = 1; }\n".repeat((50 << 20) / 22);
    let o = run(&tree_with("huge.rs", body.as_bytes()), &[], QUICK * 3);
    assert_reported(&o, 2, "huge.rs", "skipped", "too large");
}

#[test]
fn deep_macro_rules_recursion_terminates() {
    let src = "macro_rules! r { () => {}; ($h:tt $($t:tt)*) => { r!($($t)*); }; }\n\
               fn f() { r!(a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a); }\n\
               macro_rules! boom { () => { boom!(); boom!(); }; }\nfn g() { boom!(); }\n\
               macro_rules! items { () => { items!{} items!{} items!{} }; }\nitems!{}\n";
    let o = run(&tree_with("macros.rs", src.as_bytes()), &[], QUICK);
    assert_eq!(o.status, Some(1), "{}", o.doc);
    assert_eq!(o.doc["summary"]["complete"], true);
}

#[cfg(unix)]
#[test]
fn links_fifos_and_directories_named_rs() {
    let dir = tree_with("ok.rs", b"fn f() {}\n");
    std::os::unix::fs::symlink(&dir, dir.join("loop")).unwrap();
    std::os::unix::fs::symlink("/", dir.join("outside")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/x.rs", dir.join("dangling.rs")).unwrap();
    std::fs::create_dir(dir.join("folder.rs")).unwrap();
    std::os::unix::fs::symlink(dir.join("ok.rs"), dir.join("linked.rs")).unwrap();
    let fifo = dir.join("pipe.rs");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    let o = run(&dir, &[], QUICK);
    assert_reported(&o, 2, "dangling.rs", "unreadable-path", "cannot read");
    if made.is_ok_and(|s| s.success()) {
        assert_reported(&o, 2, "pipe.rs", "unreadable-path", "not a regular file");
    }
    // The file behind a link is analyzed; linked directories are not
    // walked (no loop, nothing outside the tree).
    assert_eq!(o.doc["summary"]["files"], 3, "{}", o.doc);
}

#[test]
fn unparsable_configuration_and_manifest() {
    let dir = tree_with("spawnlint.toml", b"select = [\n");
    let out = bin().arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("spawnlint.toml"));

    let dir = tree_with("Cargo.toml", b"[package\nname = ");
    let o = run(&dir, &[], QUICK);
    assert_eq!(o.status, Some(1), "{}", o.stderr);
    assert_eq!(o.doc["diagnostics"][0]["code"], "SL002", "{}", o.stderr);
}

#[cfg(unix)]
#[test]
fn config_and_baseline_are_read_only_from_regular_files() {
    let dir = tree_with("ok.rs", b"fn f() {}\n");
    for flag in ["--config", "--baseline"] {
        for path in ["/dev/zero", "/"] {
            let out = bin()
                .arg(&dir)
                .args([flag, path])
                .timeout(QUICK)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2), "{flag} {path}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains(path) && err.contains("not a regular file"),
                "{err}"
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn write_baseline_never_replaces_a_link_or_device() {
    let dir = tree_with("ok.rs", b"fn f() {}\n");
    let target = dir.join("real.json");
    std::fs::write(&target, "keep").unwrap();
    let link = dir.join("link.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    for path in [link.as_path(), Path::new("/dev/null")] {
        let out = bin()
            .arg(&dir)
            .arg("--write-baseline")
            .arg(path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", path.display());
        assert!(String::from_utf8_lossy(&out.stderr).contains("refusing"));
    }
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device_like());
}

/// `is_char_device` under a name that reads in the assertion above.
trait CharDevice {
    fn is_char_device_like(&self) -> bool;
}

impl CharDevice for std::fs::FileType {
    #[cfg(unix)]
    fn is_char_device_like(&self) -> bool {
        use std::os::unix::fs::FileTypeExt;
        self.is_char_device()
    }
    #[cfg(not(unix))]
    fn is_char_device_like(&self) -> bool {
        true
    }
}

#[test]
fn a_hostile_baseline_neither_wraps_nor_aborts() {
    let dir = tree_with("ok.rs", b"fn f() {}\n");
    let baseline = dir.join("b.json");
    let entry = |count: &str| {
        format!(
            r#"{{"rule":"SL002","file":"service.rs","item":"x","hash":"h","count":{count},"message":""}}"#
        )
    };
    let max = usize::MAX.to_string();
    std::fs::write(
        &baseline,
        format!(
            r#"{{"version":1,"tool":"cargo-spawnlint","entries":[{},{}]}}"#,
            entry(&max),
            entry(&max)
        ),
    )
    .unwrap();
    let o = run(&dir, &["--baseline", baseline.to_str().unwrap()], QUICK);
    assert_eq!(o.status, Some(1), "{}", o.stderr);
    assert_eq!(o.doc["summary"]["baseline_fixed"], usize::MAX as u64);

    for bad in [
        "{",
        "[]",
        r#"{"version":1,"tool":"x","entries":[{"count":-1}]}"#,
        r#"{"version":99,"tool":"x","entries":[]}"#,
    ] {
        std::fs::write(&baseline, bad).unwrap();
        let out = bin()
            .arg(&dir)
            .arg("--baseline")
            .arg(&baseline)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("b.json"),
            "{bad}"
        );
    }
}

#[test]
fn absurd_job_counts_are_clamped() {
    let dir = tree_with("ok.rs", b"fn f() {}\n");
    let out = bin()
        .arg(&dir)
        .args(["-j", "100000"])
        .timeout(QUICK)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("using 64"));
}

/// Many findings in one file: linear, not quadratic, in their number.
#[test]
fn thousands_of_findings_in_one_file_stay_fast() {
    let mut src = String::from("use std::sync::{Arc, Mutex};\n");
    for i in 0..2_000 {
        src.push_str(&format!(
            "pub struct S{i} {{ d: Arc<Mutex<Option<u8>>> }}\n\
             impl S{i} {{ pub fn new() -> Self {{ let d = Arc::new(Mutex::new(None)); \
             let c = Arc::clone(&d); std::thread::spawn(move || {{ c.lock().unwrap().unwrap(); }}); \
             *d.lock().unwrap() = Some(1); S{i} {{ d }} }} }}\n"
        ));
    }
    let dir = common::tempdir("adversarial");
    std::fs::write(dir.join("many.rs"), src).unwrap();
    let o = run(&dir, &[], QUICK);
    assert_eq!(o.status, Some(1));
    assert_eq!(o.doc["diagnostics"].as_array().unwrap().len(), 2_000);
}

/// A constructor over a helper tree of fan-out `fan` and depth five, whose
/// helpers take `arg` (pass a closure to defeat the interpreter's memo of
/// calls that record nothing).
fn helper_tree(fan: usize, arg: &str) -> String {
    let mut src = String::from(
        "use std::sync::{Arc, Mutex};\npub struct S { data: Arc<Mutex<Option<u32>>> }\nimpl S {\n\
         pub fn new() -> Self { let data = Arc::new(Mutex::new(None)); let d = Arc::clone(&data);\n\
         std::thread::spawn(move || { let v = d.lock().unwrap().unwrap(); println!(\"{v}\"); });\n",
    );
    src.push_str(&format!(
        "let s = S {{ data }}; s.h0({arg}); *s.data.lock().unwrap() = Some(1); s }}\n"
    ));
    for level in 0..5 {
        let next = if level < 4 {
            format!("self.h{}({arg}); ", level + 1).repeat(fan)
        } else {
            "let _ = 1;".into()
        };
        src.push_str(&format!("fn h{level}(&self, _f: impl Fn()) {{ {next} }}\n"));
    }
    src.push_str("}\n");
    src
}

/// 64 calls per helper, five levels (16 million calls if each ran): a call
/// already run with the same inputs that recorded nothing is not run again,
/// so the analysis finishes and finds the window.
#[test]
fn a_wide_helper_tree_is_analyzed_in_full() {
    let dir = tree_with("fan.rs", helper_tree(64, "1").as_bytes());
    let o = run(&dir, &[], QUICK);
    assert_eq!(o.status, Some(1), "{}", o.doc);
    assert_eq!(o.doc["summary"]["complete"], true, "{}", o.doc);
    let fan: Vec<_> = o.doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["file"].as_str().unwrap().ends_with("fan.rs"))
        .collect();
    assert_eq!(fan.len(), 1, "{fan:?}");
    assert_eq!(fan[0]["code"], "SL001");
}

/// The same tree with a closure argument, which the memo cannot compare:
/// the step budget runs out, and the run says so (exit 2, a notice naming
/// the constructor) instead of losing its finding silently.
#[test]
fn an_analysis_cut_by_the_step_budget_is_reported() {
    let dir = tree_with("fan.rs", helper_tree(64, "|| ()").as_bytes());
    let o = run(&dir, &[], QUICK);
    assert_reported(&o, 2, "fan.rs", "incomplete-analysis", "`S::new`");
}

/// Every format carries what was not analyzed: SARIF says the run did not
/// succeed (a lone syntax error, a finding, keeps it successful), GitHub
/// annotates the file.
#[test]
fn skipped_files_reach_sarif_and_github_output() {
    let deep = format!("type T = {}u8;", "& ".repeat(10_000));
    let dir = tree_with("deep.rs", deep.as_bytes());
    let out = bin()
        .arg(&dir)
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let inv = &log["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false, "{inv}");
    let notes = inv["toolExecutionNotifications"].as_array().unwrap();
    assert!(notes
        .iter()
        .any(|n| n["message"]["text"].as_str().unwrap().contains("deep.rs")));
    let out = bin()
        .arg(&dir)
        .args(["--format", "github"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines().any(|l| l.starts_with("::error ")
            && l.contains("deep.rs")
            && l.contains("too deeply nested")),
        "{text}"
    );

    let dir = tree_with("broken.rs", b"fn main( {\n");
    let out = bin()
        .arg(&dir)
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
}
