//! Benchmark (SPEC §8): the whole analysis against parsing alone.
//!
//! `cargo bench --bench pipeline -- DIR [RUNS]` times, RUNS times each
//! (default 5), interleaved so that machine noise hits both alike:
//! - parse: read every `.rs` file under DIR and `syn::parse_file` it, on the
//!   same thread pool the analyzer uses;
//! - facts: the analyzer's own parse stage (read, syn, fact extraction),
//!   which shows where the overhead sits;
//! - analyze: `spawnlint::analyze` on DIR (discover, parse, facts, model,
//!   rules).
//!
//! It prints the medians and the overhead of analysis over parsing. The
//! target is an overhead of at most 25%. Compare ratios within one run: the
//! machines are shared and absolute times are noisy.

use rayon::prelude::*;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let Some(dir) = args.first().map(PathBuf::from) else {
        eprintln!("usage: cargo bench --bench pipeline -- DIR [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(5);
    let (inputs, _) =
        spawnlint::discover::from_paths(std::slice::from_ref(&dir), std::path::Path::new(""));
    let bytes: u64 = inputs
        .iter()
        .filter_map(|i| std::fs::metadata(&i.path).ok())
        .map(|m| m.len())
        .sum();
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(256 * 1024 * 1024)
        .build()
        .expect("thread pool");
    let opts = spawnlint::Options {
        paths: vec![dir.clone()],
        ..Default::default()
    };
    let (mut parse, mut facts, mut analyze) = (Vec::new(), Vec::new(), Vec::new());
    let mut findings = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let parsed: usize = pool.install(|| {
            inputs
                .par_iter()
                .filter(|i| {
                    std::fs::read_to_string(&i.path)
                        .ok()
                        .is_some_and(|text| syn::parse_file(&text).is_ok())
                })
                .count()
        });
        parse.push(t.elapsed());
        std::hint::black_box(parsed);

        let t = Instant::now();
        let extracted: usize = pool.install(|| {
            inputs
                .par_iter()
                .filter(|i| {
                    spawnlint::parse::read_source(
                        &i.path,
                        0,
                        spawnlint::files::DEFAULT_MAX_SOURCE_BYTES,
                    )
                    .and_then(|text| spawnlint::parse::parse_source(0, &text))
                    .is_ok()
                })
                .count()
        });
        facts.push(t.elapsed());
        std::hint::black_box(extracted);

        let t = Instant::now();
        let report = spawnlint::analyze(&opts).expect("analysis runs");
        analyze.push(t.elapsed());
        findings = report.diagnostics.len();
    }
    let (p, f, a) = (median(parse), median(facts), median(analyze));
    println!(
        "{} files, {:.1} MB, {} threads, {runs} runs, {findings} findings",
        inputs.len(),
        bytes as f64 / 1e6,
        pool.current_num_threads()
    );
    println!("parse only (read + syn): median {:.3}s", p.as_secs_f64());
    println!("parse + fact extraction: median {:.3}s", f.as_secs_f64());
    println!("full analysis:           median {:.3}s", a.as_secs_f64());
    println!(
        "analysis overhead over parsing: {:+.1}% (target: at most +25%)",
        (a.as_secs_f64() / p.as_secs_f64() - 1.0) * 100.0
    );
}
