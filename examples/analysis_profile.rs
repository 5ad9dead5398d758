//! Where the analysis spends its time, per function: parses every `.rs`
//! file under DIR as one crate per `Cargo.toml`, runs each analysis the
//! pipeline runs on each function alone, and prints the slowest.
//! `cargo run --release --example analysis_profile -- DIR [TOP]`

#[path = "common/tree.rs"]
mod tree;

use spawnlint::analysis;
use spawnlint::catalog::Catalog;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: analysis_profile DIR [TOP]");
        std::process::exit(2);
    };
    let top: usize = args.get(1).and_then(|t| t.parse().ok()).unwrap_or(15);
    let (model, _) = tree::load(dir);
    let cat = Catalog::builtin();
    let reach = tree::reach(&model, &cat);
    let mut times: Vec<(Duration, String, &str)> = Vec::new();
    for f in model.all_fns() {
        let name = {
            let func = model.func(f);
            let file = model.files[f.file as usize].path.display();
            format!(
                "{file}: {}::{}",
                func.owner.as_deref().unwrap_or(""),
                func.name
            )
        };
        if let Some(t) = model.constructed_type(f).filter(|_| reach.may_spawn(f)) {
            let start = Instant::now();
            let _ = analysis::analyze_constructor(&model, &cat, f, t);
            times.push((start.elapsed(), name.clone(), "constructor"));
        }
        if reach.spawns_itself(f) && reach.may_listen(f) {
            let start = Instant::now();
            let _ = analysis::analyze_spawning_fn(&model, &cat, f);
            times.push((start.elapsed(), name.clone(), "spawning"));
        }
    }
    let total: Duration = times.iter().map(|t| t.0).sum();
    times.sort_by_key(|t| std::cmp::Reverse(t.0));
    println!(
        "{} analyses, {:.2}s in all",
        times.len(),
        total.as_secs_f64()
    );
    for (d, name, kind) in times.iter().take(top) {
        println!("{:8.3}s  {kind:11}  {name}", d.as_secs_f64());
    }
}
