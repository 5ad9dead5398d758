//! Survey of how deeply real code nests in the measure of
//! `spawnlint::parse::nesting`, from which its limit is chosen:
//! `cargo run --release --example nesting_survey -- DIR...` prints the
//! deepest files and the distribution over every `.rs` file found.

use std::path::Path;

fn main() {
    let mut depths: Vec<(u32, String)> = Vec::new();
    for dir in std::env::args().skip(1) {
        for entry in walkdir::WalkDir::new(&dir).into_iter().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "rs") && entry.file_type().is_file() {
                if let Ok(text) = std::fs::read_to_string(path) {
                    let d = spawnlint::parse::nesting::deepest(&text);
                    depths.push((d, display(path)));
                }
            }
        }
    }
    depths.sort();
    let n = depths.len();
    if n == 0 {
        eprintln!("no .rs files");
        return;
    }
    for q in [50, 90, 99, 100] {
        let i = ((n - 1) * q) / 100;
        println!("p{q}: {}", depths[i].0);
    }
    println!(
        "files: {n}; limit: {}",
        spawnlint::parse::nesting::MAX_NESTING
    );
    for (d, p) in depths.iter().rev().take(15) {
        println!("{d:6}  {p}");
    }
}

fn display(p: &Path) -> String {
    p.display().to_string()
}
