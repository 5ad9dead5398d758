//! Fuzz target `analyze`: the input bytes are the content of one `.rs`
//! file, written to `x.rs` in a per-process temp dir and analyzed through
//! the library entry point. The oracles (see `../oracle.rs`): no panic,
//! stack overflow or abort (libFuzzer's own; its panic hook aborts even on
//! panics the library would catch), no "internal error" incident or parse
//! failure, well-formed JSON renderings, and a baseline written from the
//! findings that covers all of them.
//!
//! Run: `bash fuzz/seed.sh && cargo +nightly fuzz run analyze -- -jobs=1`
//! (docs/fuzzing.md).

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

#[path = "../oracle.rs"]
mod oracle;

/// One directory per fuzzing process, reused by every execution.
fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("spawnlint-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("cannot create the fuzz temp dir");
        dir
    })
}

/// Threads of this process (Linux: `/proc/self/task`), 0 when unknown.
fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, |d| d.count())
}

/// Wait (up to a second) until the worker threads of the runs just made
/// have exited. `analyze` drops its rayon pool without joining it, so a
/// worker may still be exiting when the input's run ends, and LeakSanitizer
/// then reports the 32 bytes glibc holds for its thread-local destructors
/// (`__cxa_thread_atexit_impl`) as leaked: a false positive, seen in the
/// first run (docs/fuzzing.md).
fn wait_for_workers(before: usize) {
    let start = std::time::Instant::now();
    while threads() > before && start.elapsed() < std::time::Duration::from_secs(1) {
        std::thread::sleep(std::time::Duration::from_micros(50));
    }
}

fuzz_target!(|data: &[u8]| {
    static THREADS: OnceLock<usize> = OnceLock::new();
    let before = *THREADS.get_or_init(threads);
    let result = oracle::check(dir(), data);
    wait_for_workers(before);
    if let Err(failure) = result {
        panic!("oracle failed: {failure}");
    }
});
