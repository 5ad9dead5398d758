//! How much of a tree the analysis parses: every `.rs` file under DIR is
//! parsed as the pipeline parses it (bodies the body index finds left
//! pending), one crate per `Cargo.toml`, the analysis is run, and the
//! source bytes are split into bodies parsed with their file, bodies left
//! pending and never read, and pending bodies the analysis read.
//! `cargo run --release --example lazy_survey -- DIR`

use spawnlint::catalog::Catalog;
use spawnlint::model::reach::Reach;
use spawnlint::model::{Model, SourceFile};
use std::collections::HashMap;

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: lazy_survey DIR");
        std::process::exit(2);
    };
    let (inputs, _) = spawnlint::discover::from_paths(&[dir.into()], std::path::Path::new(""));
    let mut crates: HashMap<std::path::PathBuf, u32> = HashMap::new();
    let (mut files, mut total) = (Vec::new(), 0usize);
    for (i, input) in inputs.iter().enumerate() {
        let limit = spawnlint::files::DEFAULT_MAX_SOURCE_BYTES;
        let Ok(text) = spawnlint::parse::read_source(&input.path, i as u32, limit) else {
            continue;
        };
        total += text.len();
        if let Ok(out) = std::env::var("LAZY_SURVEY_DUMP") {
            let blanked =
                spawnlint::facts::bodies::blank(&text, &spawnlint::facts::bodies::scan(&text));
            let name = input.path.display().to_string().replace('/', "_");
            let _ = std::fs::write(format!("{out}/{name}"), blanked);
        }
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
    let mut listen = std::collections::HashSet::new();
    listen.extend(cat.subscribe_methods.iter().cloned());
    listen.extend(cat.sem.listen_starts.iter().cloned());
    let reach = Reach::compute(&model, Vec::new(), &listen, spawnlint::analysis::CALL_DEPTH);
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
