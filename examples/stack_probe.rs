//! Measures the stack that parsing, fact extraction and dropping need for
//! each recursive construct at the deepest nesting the pre-scan lets
//! through, so the worker stack size is chosen from measurement:
//! `cargo run --release --example stack_probe` bisects, per construct, the
//! smallest thread stack that survives (each try in a child process,
//! since a stack overflow aborts).

use spawnlint::parse::{nesting, parse_source};
use std::process::Command;

/// Each construct as (name, prefix, repeated unit, middle, closer): the
/// closer's first character is repeated as often as the unit.
const CONSTRUCTS: &[(&str, &str, &str, &str, &str)] = &[
    ("generics", "type T = ", "Vec<", "u8", ">;"),
    ("references", "type T = ", "&", "u8;", ""),
    ("pointers", "type T = ", "*const ", "u8;", ""),
    ("fn types", "type T = ", "fn() -> ", "u8;", ""),
    ("closures", "fn f() { let _ = ", "|| ", "1; }", ""),
    ("operators", "fn f() { let _ = 1", "+1", "; }", ""),
    ("prefix ops", "fn f() { let _ = ", "-", "1; }", ""),
    ("method chain", "fn f() { let _ = x", ".f()", "; }", ""),
    ("else if", "fn f() { ", "if a {} else ", "{} }", ""),
    ("brackets", "fn f() { let _ = ", "(", "1", "); }"),
    ("blocks", "fn f() ", "{", "", "}"),
    ("arrays", "fn f() { let _ = ", "[", "1", "]; }"),
    ("returns", "fn f() { ", "return ", "1; }", ""),
    ("calls", "fn f() { let _ = ", "g(", "1", "); }"),
    ("closure params", "fn f() { let _ = ", "|a, b| ", "0", ";}"),
    (
        "for binders",
        "type T = ",
        "for<'a, 'b> fn() -> ",
        "()",
        ";",
    ),
];

/// The deepest instance of a construct that the pre-scan accepts.
fn deepest(prefix: &str, unit: &str, suffix: &str, closer: &str) -> String {
    // A closer's first character closes one level (repeated); the rest
    // ends the item once (`); }`).
    let (close, tail) = closer.split_at(closer.len().min(1));
    let make = |n: usize| {
        format!(
            "{prefix}{}{suffix}{}{tail}",
            unit.repeat(n),
            close.repeat(n)
        )
    };
    let (mut lo, mut hi) = (1usize, 2 * nesting::MAX_NESTING as usize);
    while lo + 1 < hi {
        let mid = (lo + hi) / 2;
        if nesting::check(&make(mid)).is_none() {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    make(lo)
}

fn survives(index: usize, kib: usize) -> bool {
    let exe = std::env::current_exe().expect("own path");
    Command::new(exe)
        .args(["--child", &index.to_string(), &kib.to_string()])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn child(index: usize, kib: usize) {
    let (_, prefix, unit, suffix, closer) = CONSTRUCTS[index];
    let src = deepest(prefix, unit, suffix, closer);
    if std::env::var_os("PROBE_SHOW").is_some() {
        let probe = src.clone();
        let t = std::thread::Builder::new().stack_size(1 << 30);
        let shown = t.spawn(move || parse_source(0, &probe).err().map(|e| e.message));
        eprintln!("{:?}", shown.ok().and_then(|h| h.join().ok()));
    }
    let t = std::thread::Builder::new()
        .stack_size(kib * 1024)
        .spawn(move || {
            let _ = parse_source(0, &src);
        })
        .expect("thread");
    let _ = t.join();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 4 && args[1] == "--child" {
        child(args[2].parse().unwrap_or(0), args[3].parse().unwrap_or(0));
        return;
    }
    println!(
        "limit {}: smallest stack that survives",
        nesting::MAX_NESTING
    );
    for (i, (name, ..)) in CONSTRUCTS.iter().enumerate() {
        let (mut lo, mut hi) = (64usize, 1024 * 1024);
        if !survives(i, hi) {
            println!("{name:14} > {} MiB", hi / 1024);
            continue;
        }
        while hi - lo > 64 {
            let mid = (lo + hi) / 2;
            if survives(i, mid) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        println!("{name:14} {:7.1} MiB", hi as f64 / 1024.0);
    }
}
