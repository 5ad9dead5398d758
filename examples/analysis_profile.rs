//! Where the analysis spends its time, per function: parses every `.rs`
//! file under DIR as one crate per `Cargo.toml`, runs each analysis the
//! pipeline runs on each function alone, and prints the slowest.
//! `cargo run --release --example analysis_profile -- DIR [TOP]`

use spawnlint::analysis;
use spawnlint::catalog::Catalog;
use spawnlint::model::reach::Reach;
use spawnlint::model::{Model, SourceFile};
use std::collections::HashMap;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: analysis_profile DIR [TOP]");
        std::process::exit(2);
    };
    let top: usize = args.get(1).and_then(|t| t.parse().ok()).unwrap_or(15);
    let (inputs, _) = spawnlint::discover::from_paths(&[dir.into()], std::path::Path::new(""));
    let mut crates: HashMap<std::path::PathBuf, u32> = HashMap::new();
    let mut files = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let limit = spawnlint::files::DEFAULT_MAX_SOURCE_BYTES;
        let Ok(text) = spawnlint::parse::read_source(&input.path, i as u32, limit) else {
            continue;
        };
        let facts = spawnlint::parse::parse_source(i as u32, &text)
            .map(|p| p.facts)
            .unwrap_or_default();
        let next = crates.len() as u32;
        let crate_id = *crates.entry(input.crate_root.clone()).or_insert(next);
        files.push(SourceFile {
            path: input.path.clone(),
            crate_id,
            facts,
        });
    }
    let model = Model::new(files);
    let cat = Catalog::builtin();
    let mut listen = std::collections::HashSet::new();
    listen.extend(cat.subscribe_methods.iter().cloned());
    listen.extend(cat.sem.listen_starts.iter().cloned());
    let reach = Reach::compute(&model, Vec::new(), &listen, spawnlint::analysis::CALL_DEPTH);
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
        if reach.spawns_itself(&model, f) && reach.may_listen(f) {
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
