//! Embeds every rule page `rules/SLnnn-slug.md`: a new rule is one page
//! plus one entry in `rules/rules.toml`, nothing to list by hand.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=rules");
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest).join("rules");
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .expect("rules/ exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("SL") && n.ends_with(".md"))
        .collect();
    pages.sort();
    let mut out = String::from("&[\n");
    for name in pages {
        let path = dir.join(&name);
        let _ = writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    out.push_str("]\n");
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("rule_docs.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}
