//! The baseline every speed figure is a ratio to: read every `.rs` file
//! under the given directories and `syn::parse_file` it, on `-j N` threads
//! (default: all cores), as a separate process so that a benchmark can time
//! it exactly like the analyzer (wall, CPU, peak RSS).
//!
//! `cargo run --release --example parse_all -- [-j N] DIR...`
//!
//! Prints the number of files read and of files that parsed.

use rayon::prelude::*;
use std::path::PathBuf;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut threads = 0;
    if let Some(i) = args.iter().position(|a| a == "-j") {
        threads = args.get(i + 1).and_then(|n| n.parse().ok()).unwrap_or(0);
        args.drain(i..(i + 2).min(args.len()));
    }
    let dirs: Vec<PathBuf> = args.iter().map(PathBuf::from).collect();
    if dirs.is_empty() {
        eprintln!("usage: parse_all [-j N] DIR...");
        std::process::exit(2);
    }
    let (inputs, _) = spawnlint::discover::from_paths(&dirs, std::path::Path::new(""));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(64 * 1024 * 1024)
        .build()
        .expect("thread pool");
    let parsed: usize = pool.install(|| {
        inputs
            .par_iter()
            .filter(|i| {
                let ok = std::fs::read_to_string(&i.path)
                    .ok()
                    .is_some_and(|text| syn::parse_file(&text).is_ok());
                proc_macro2::extra::invalidate_current_thread_spans();
                ok
            })
            .count()
    });
    println!("{} files, {parsed} parsed", inputs.len());
}
