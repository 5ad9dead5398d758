//! A deterministic fuzz smoke test: a fixed-seed generator of Rust-like
//! inputs (constructors that spawn, token soups, truncations, byte flips),
//! each analyzed through the library with the oracles of the `analyze`
//! fuzz target (`fuzz/oracle.rs`, shared with it): no "internal error"
//! incident or parse failure, JSON / SARIF / GitLab / rustc-json output
//! that parses, and a baseline written from the findings that covers all
//! of them. The real fuzzer is `cargo +nightly fuzz run analyze`
//! (docs/fuzzing.md); this keeps its oracles honest in plain `cargo test`.

mod common;

#[path = "../fuzz/oracle.rs"]
mod oracle;

use std::path::Path;

/// How many generated inputs the smoke test analyzes.
const INPUTS: usize = 300;

/// xorshift64*: tiny, deterministic, good enough to pick tokens.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const KEYWORDS: &[&str] = &[
    "fn",
    "let",
    "mut",
    "pub",
    "impl",
    "struct",
    "enum",
    "mod",
    "use",
    "async",
    "await",
    "move",
    "return",
    "if",
    "else",
    "match",
    "loop",
    "while",
    "for",
    "in",
    "unsafe",
    "where",
    "trait",
    "dyn",
    "const",
    "static",
    "ref",
    "type",
    "crate",
    "super",
    "Self",
    "self",
    "break",
    "continue",
    "as",
    "macro_rules!",
];

const IDENTS: &[&str] = &[
    "x", "state", "inner", "tx", "rx", "handle", "cfg", "Worker", "Hub", "new", "run", "start",
    "init", "load", "ready", "node_id", "shared", "rt", "S", "T", "_",
];

const PUNCT: &[&str] = &[
    "(", ")", "{", "}", "[", "]", "<", ">", ";", ",", ".", "::", "->", "=>", "=", "&", "*", "?",
    "!", "#", "'a", "|", "||", "+", "..", ":", "@", "$", "\n",
];

const LITERALS: &[&str] = &[
    "0",
    "1u32",
    "\"str { ( \"",
    "'x'",
    "b'('",
    "r#\"raw ) } \"# \"#",
    "b\"bytes\"",
    "1.5e3",
    "'\\''",
    "\"\\\"}\"",
];

const COMMENTS: &[&str] = &[
    "// comment ( {\n",
    "/* block { */",
    "/* nested /* ( */ */",
    "/// doc [\n",
    "//! inner doc\n",
    "// spawnlint: allow(spawn-before-init) -- fuzz\n",
    "// spawnlint: allow(SL002, SL001)\n",
    "// spawnlint: allow-file(stale-capture)\n",
    "// spawnlint: allow(\n",
];

/// Bytes that matter to a lexer, for byte flips.
const LEXICAL: &[u8] = b"(){}[]<>;,.'\"/*#!&|\\ \nrb";

/// Whole statements, the kind the rules look at.
const STATEMENTS: &[&str] = &[
    "let state = Arc::new(Mutex::new(String::new()));",
    "let s2 = Arc::clone(&state);",
    "let s2 = state.clone();",
    "*state.lock().unwrap() = load();",
    "state.lock().unwrap().push_str(\"x\");",
    "let v = state.lock().unwrap().clone();",
    "let (tx, rx) = std::sync::mpsc::channel();",
    "let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();",
    "let handle = tokio::spawn(async move { loop { let v = s2.lock().unwrap().clone(); use_it(&v); } });",
    "let handle = std::thread::spawn(move || { let v = s2.lock().unwrap(); use_it(&v); });",
    "tokio::spawn(async move { run().await });",
    "std::thread::spawn(move || run());",
    "rt.spawn(async move { while let Some(l) = rx.recv().await { ship(&l); } });",
    "tokio::task::spawn_local(async move { s2.lock().unwrap().len() });",
    "std::thread::Builder::new().name(\"w\".into()).spawn(move || run()).unwrap();",
    "rayon::spawn(move || drop(s2));",
    "let cfg = CFG.get().unwrap();",
    "CFG.set(load()).unwrap();",
    "self.ready.store(true, Ordering::SeqCst);",
    "let this = Arc::new_cyclic(|w| { let w = w.clone(); tokio::spawn(async move { w.upgrade(); }); Self::default() });",
    "tx.send(1).unwrap();",
    "let _ = rx.recv();",
    "if ready { tokio::spawn(async {}); }",
    "loop { break; }",
    "match x { Some(v) => drop(v), None => {} }",
    "return Self { state, handle };",
];

/// Whole items.
const ITEMS: &[&str] = &[
    "use std::sync::{Arc, Mutex};",
    "use std::sync::atomic::{AtomicBool, Ordering};",
    "static CFG: std::sync::OnceLock<String> = std::sync::OnceLock::new();",
    "pub struct Worker { state: Arc<Mutex<String>>, handle: tokio::task::JoinHandle<()> }",
    "#[derive(Default)] pub struct Hub { ready: AtomicBool }",
    "impl Default for Hub { fn default() -> Self { tokio::spawn(async {}); Hub { ready: AtomicBool::new(false) } } }",
    "fn load() -> String { String::from(\"loaded\") }",
    "fn use_it(_: &str) {}",
    "async fn run() {}",
    "trait Start { fn start(&self) { std::thread::spawn(|| {}); } }",
    "mod inner { pub fn new() -> super::Worker { todo!() } }",
    "macro_rules! go { ($e:expr) => { tokio::spawn(async move { $e }) }; }",
    "enum E { A(u8), B { x: u32 } }",
    "const N: usize = 3;",
];

/// A constructor built from random statements: usually valid Rust, often
/// a spawn before the state it reads is set.
fn constructor(rng: &mut Rng) -> String {
    let ty = rng.pick(&["Worker", "Hub", "S"]);
    let name = rng.pick(&["new", "start", "with_config", "default", "spawn"]);
    let ret = rng.pick(&["Self", "Arc<Self>", "std::io::Result<Self>", "Option<Self>"]);
    let mut body = String::new();
    for _ in 0..rng.below(8) + 1 {
        if rng.chance(10) {
            body.push_str(rng.pick(COMMENTS));
        }
        let stmt = rng.pick(STATEMENTS);
        match rng.below(10) {
            0 => body.push_str(&format!("if cond() {{ {stmt} }}\n")),
            1 => body.push_str(&format!("{{ {stmt} }}\n")),
            2 => body.push_str(&format!("let f = move || {{ {stmt} }};\n")),
            _ => body.push_str(&format!("{stmt}\n")),
        }
    }
    let end = rng.pick(&[
        "Self { state, handle }",
        "Self::default()",
        "Ok(Self { state, handle })",
        "Arc::new(Self { state, handle })",
        "Some(Self { state })",
        "todo!()",
    ]);
    format!("impl {ty} {{\n    pub fn {name}() -> {ret} {{\n{body}{end}\n    }}\n}}\n")
}

/// Random tokens, mostly nonsense.
fn soup(rng: &mut Rng) -> String {
    let mut out = String::new();
    for _ in 0..rng.below(80) + 1 {
        let token = match rng.below(8) {
            0 | 1 => rng.pick(KEYWORDS),
            2 | 3 => rng.pick(IDENTS),
            4 | 5 => rng.pick(PUNCT),
            6 => rng.pick(LITERALS),
            _ => {
                let from = if rng.chance(50) { STATEMENTS } else { COMMENTS };
                rng.pick(from)
            }
        };
        out.push_str(token);
        if rng.chance(70) {
            out.push(' ');
        }
    }
    out
}

/// One input: items, constructors and soup, then maybe mangled.
fn input(rng: &mut Rng) -> Vec<u8> {
    let mut text = String::new();
    for _ in 0..rng.below(6) + 1 {
        match rng.below(6) {
            0 | 1 => text.push_str(rng.pick(ITEMS)),
            2 | 3 => text.push_str(&constructor(rng)),
            4 => text.push_str(&soup(rng)),
            _ => text.push_str(rng.pick(COMMENTS)),
        }
        text.push('\n');
    }
    let mut bytes = text.into_bytes();
    // Splice: repeat a random slice somewhere else.
    if rng.chance(15) && !bytes.is_empty() {
        let a = rng.below(bytes.len());
        let b = a + rng.below(bytes.len() - a);
        let at = rng.below(bytes.len());
        let slice = bytes[a..b].to_vec();
        bytes.splice(at..at, slice);
    }
    // Byte flips, mostly to bytes that matter to a lexer.
    if rng.chance(30) && !bytes.is_empty() {
        for _ in 0..rng.below(4) + 1 {
            let at = rng.below(bytes.len());
            bytes[at] = if rng.chance(90) {
                LEXICAL[rng.below(LEXICAL.len())]
            } else {
                (rng.next() & 0xff) as u8
            };
        }
    }
    // Truncation anywhere (also inside a UTF-8 sequence).
    if rng.chance(25) && !bytes.is_empty() {
        let at = rng.below(bytes.len());
        bytes.truncate(at);
    }
    bytes
}

fn check(dir: &Path, what: &str, input: &[u8]) -> oracle::Seen {
    match oracle::check(dir, input) {
        Ok(seen) => seen,
        Err(failure) => panic!(
            "{what}: {failure}\ninput ({} bytes):\n{}",
            input.len(),
            String::from_utf8_lossy(input)
        ),
    }
}

#[test]
fn generated_inputs_keep_the_oracles() {
    let dir = common::tempdir("fuzz-smoke");
    let mut rng = Rng::new(0x5EED_5A17_2026_1201);
    let mut total = oracle::Seen::default();
    let mut clean = 0;
    let mut with_findings = 0;
    for i in 0..INPUTS {
        let input = input(&mut rng);
        let seen = check(&dir, &format!("generated input #{i}"), &input);
        total.diagnostics += seen.diagnostics;
        total.parse_failures += seen.parse_failures;
        total.incidents += seen.incidents;
        clean += usize::from(seen.parse_failures == 0);
        with_findings += usize::from(seen.diagnostics > 0);
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("{INPUTS} inputs: {clean} parsed, {with_findings} with findings; {total:?}");
    // The generator must reach the whole pipeline, not only the parser's
    // error path: some inputs parse, some have findings, some do not parse.
    assert!(
        clean >= INPUTS / 10,
        "only {clean} inputs parsed: {total:?}"
    );
    assert!(
        with_findings >= INPUTS / 20,
        "only {with_findings} inputs had findings: {total:?}"
    );
    assert!(
        total.parse_failures >= INPUTS / 10,
        "only {} inputs failed to parse: {total:?}",
        total.parse_failures
    );
}

#[test]
fn nesting_at_and_beyond_the_limit_is_analyzed_or_skipped() {
    let dir = common::tempdir("fuzz-smoke-deep");
    let limit = spawnlint::parse::nesting::MAX_NESTING as usize;
    let wrap = |expr: String| {
        format!(
            "impl S {{ fn new() -> Self {{ tokio::spawn(async move {{ run().await }}); \
             let v = {expr}; S {{ v }} }} }}\n"
        )
    };
    // Far below the limit: parsed and analyzed.
    let shallow = wrap(format!("{}1{}", "(".repeat(100), ")".repeat(100)));
    let seen = check(&dir, "100 parentheses", shallow.as_bytes());
    assert_eq!(seen.parse_failures, 0, "{seen:?}");
    // Beyond it, in several constructs: skipped whole, never a crash.
    let deep = [
        (
            "parentheses",
            wrap(format!(
                "{}1{}",
                "(".repeat(limit + 10),
                ")".repeat(limit + 10)
            )),
        ),
        ("closures", wrap(format!("{}0", "|| ".repeat(limit * 4)))),
        ("+1 chain", wrap(format!("1{}", "+1".repeat(limit * 4)))),
        (
            "generics",
            format!(
                "type T = {}u8{};\n",
                "Vec<".repeat(limit + 10),
                ">".repeat(limit + 10)
            ),
        ),
    ];
    for (what, text) in &deep {
        let seen = check(&dir, what, text.as_bytes());
        assert_eq!(seen.skipped, 1, "{what}: {seen:?}");
    }
    // Brackets inside strings and comments are not nesting.
    let quoted = wrap(format!(
        "{{ /* {} */ \"{}\" }}",
        "(".repeat(limit * 2),
        "[".repeat(limit * 2)
    ));
    let seen = check(
        &dir,
        "brackets in a comment and a string",
        quoted.as_bytes(),
    );
    assert_eq!(seen.parse_failures, 0, "{seen:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Run one input through the oracles in a child process (this test binary,
/// filtered to `test`), so that a stack overflow, which aborts the process,
/// fails only the test that found it. The child is the same test with
/// `SPAWNLINT_FUZZ_SMOKE_CHILD` set to a directory the parent made (and
/// removes, however the child ends): it checks `input` in-process.
fn in_child_process(test: &str, input: &[u8], expect_skipped: bool) {
    if let Some(dir) = std::env::var_os("SPAWNLINT_FUZZ_SMOKE_CHILD") {
        let seen = check(Path::new(&dir), test, input);
        if expect_skipped {
            assert_eq!(
                seen.skipped, 1,
                "{test}: nesting beyond the limit must be skipped: {seen:?}"
            );
        }
        return;
    }
    let dir = common::tempdir("fuzz-smoke-child");
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--include-ignored", "--nocapture"])
        .env("SPAWNLINT_FUZZ_SMOKE_CHILD", &dir)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{test}: the child process failed ({}):\n{}\n{}",
        out.status,
        tail(&stdout, 30),
        tail(&stderr, 10),
    );
}

/// The last `n` lines of `text`.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Found by replaying the fuzz seeds (`deep-closures-args-*`) through a
/// release build: closures whose parameter lists hold a comma,
/// `|a,| |a,| … 0`, nest in syn's parser once per closure, but the
/// nesting pre-scan restarts its count at every `,`, so the file is parsed
/// and syn overflows the worker stack: in a release build (64 MiB stacks)
/// from about 17,000 closures (68 KB), in the fuzz build (ASan, 384 MiB)
/// at 40,000. A debug build's 384 MiB survive 20,000, so the test asserts
/// what the pre-scan promises in any build: beyond the limit, skipped.
/// Minimised input: `fn f(){` + `|a,|` × 20000 + `0;}` (80,010 bytes).
#[test]
fn regression_closures_with_comma_parameters_overflow_the_stack() {
    let input = format!("fn f(){{{}0;}}", "|a,|".repeat(20_000));
    in_child_process(
        "regression_closures_with_comma_parameters_overflow_the_stack",
        input.as_bytes(),
        true,
    );
}

/// Found by probing the same pre-scan rule: a `for<…>` binder with a comma
/// in it restarts the count (to the unmatched `<`, then closed by `>`),
/// so `fn` pointer types behind binders, `for<'a,> fn() -> for<'a,> fn()
/// -> … ()`, nest without limit; syn overflows a release build's stack
/// from about 14,000 of them (196 KB), a debug build's 384 MiB too.
/// Minimised input: `type T=` +
/// `for<'a,>fn()->` × 14000 + `();` (196,010 bytes).
#[test]
fn regression_binders_with_commas_overflow_the_stack() {
    let input = format!("type T={}();", "for<'a,>fn()->".repeat(14_000));
    in_child_process(
        "regression_binders_with_commas_overflow_the_stack",
        input.as_bytes(),
        true,
    );
}
