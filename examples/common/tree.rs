//! What the profiling examples share: a tree read and parsed as the
//! pipeline parses it, one crate per `Cargo.toml`, and the reach the
//! pipeline computes on it with the built-in catalog.

use spawnlint::catalog::Catalog;
use spawnlint::model::reach::Reach;
use spawnlint::model::{Model, SourceFile};
use std::collections::HashMap;

/// Every `.rs` file under `dir` that reads, parsed and linked, and the
/// bytes of source read.
pub fn load(dir: &str) -> (Model, usize) {
    let (inputs, _) = spawnlint::discover::from_paths(&[dir.into()], std::path::Path::new(""));
    let mut crates: HashMap<std::path::PathBuf, u32> = HashMap::new();
    let (mut files, mut bytes) = (Vec::new(), 0);
    for (i, input) in inputs.iter().enumerate() {
        let limit = spawnlint::files::DEFAULT_MAX_SOURCE_BYTES;
        let Ok(text) = spawnlint::parse::read_source(&input.path, i as u32, limit) else {
            continue;
        };
        bytes += text.len();
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
    (Model::new(files), bytes)
}

/// The reach the pipeline computes, with `cat`'s listen words.
pub fn reach(model: &Model, cat: &Catalog) -> Reach {
    let mut listen = std::collections::HashSet::new();
    listen.extend(cat.subscribe_methods.iter().cloned());
    listen.extend(cat.sem.listen_starts.iter().cloned());
    Reach::compute(model, Vec::new(), &listen, spawnlint::analysis::CALL_DEPTH)
}
