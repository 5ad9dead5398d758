//! How much of a tree the analysis parses: every `.rs` file under DIR is
//! parsed as the pipeline parses it (bodies the body index finds left
//! pending), one crate per `Cargo.toml`, the analysis is run, and the
//! source bytes are split into bodies parsed with their file, bodies left
//! pending and never read, and pending bodies the analysis read.
//! `cargo run --release --example lazy_survey -- DIR`

#[path = "common/tree.rs"]
mod tree;

use spawnlint::catalog::Catalog;
use spawnlint::model::Model;

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: lazy_survey DIR");
        std::process::exit(2);
    };
    let (model, total) = tree::load(&dir);
    let pending = |m: &Model| -> (usize, usize) {
        let mut n = (0, 0);
        for f in m.all_fns() {
            if m.func(f).is_pending() {
                n.0 += 1;
                n.1 += m.func(f).pending_len();
            }
        }
        n
    };
    let before = pending(&model);
    let cat = Catalog::builtin();
    let reach = tree::reach(&model, &cat);
    let _ = spawnlint::analysis::run(&model, &reach, &[cat], &|_| 0);
    let after = pending(&model);
    let fns = model.all_fns().count();
    let pct = |n: usize| 100.0 * n as f64 / total.max(1) as f64;
    println!("source: {total} bytes, {fns} functions");
    println!(
        "pending after parsing: {} bodies, {} bytes ({:.1}%)",
        before.0,
        before.1,
        pct(before.1)
    );
    println!(
        "read by the analysis: {} bodies, {} bytes ({:.1}%)",
        before.0 - after.0,
        before.1 - after.1,
        pct(before.1 - after.1)
    );
}
