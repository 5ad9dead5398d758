//! Where the parse stage's time goes, summed over every `.rs` file under
//! DIR on one thread: the lexical scans (nesting, data tables, body
//! index), blanking, syn on the blanked text, lowering it, and, for
//! comparison, syn on the text as written.
//! `cargo run --release --example parse_stages -- DIR`

use spawnlint::facts::bodies;
use std::time::{Duration, Instant};

fn timed<T>(total: &mut Duration, work: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = work();
    *total += start.elapsed();
    out
}

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: parse_stages DIR");
        std::process::exit(2);
    };
    let (inputs, _) = spawnlint::discover::from_paths(&[dir.into()], std::path::Path::new(""));
    let names = [
        "read",
        "nesting",
        "tables",
        "index",
        "blank",
        "syn (blanked)",
        "lower",
        "syn (as written)",
    ];
    let mut t = [Duration::ZERO; 8];
    let (mut bytes, mut kept) = (0usize, 0usize);
    for input in &inputs {
        let Ok(text) = timed(&mut t[0], || std::fs::read_to_string(&input.path)) else {
            continue;
        };
        bytes += text.len();
        timed(&mut t[1], || spawnlint::parse::nesting::check(&text));
        let tables = timed(&mut t[2], || spawnlint::parse::tables::blank(&text));
        let source = tables.as_deref().unwrap_or(&text);
        let index = timed(&mut t[3], || bodies::index(source));
        let blanked = timed(&mut t[4], || bodies::blank_index(source, &index));
        kept += blanked.bytes().filter(|b| !b.is_ascii_whitespace()).count();
        if let Ok(file) = timed(&mut t[5], || syn::parse_file(&blanked)) {
            let shared: std::sync::Arc<str> = std::sync::Arc::from(source);
            let facts = timed(&mut t[6], || {
                spawnlint::facts::extract_lazily(&file, Some((&shared, &index.bodies)))
            });
            drop(facts);
        }
        proc_macro2::extra::invalidate_current_thread_spans();
        let whole = timed(&mut t[7], || syn::parse_file(&text).is_ok());
        proc_macro2::extra::invalidate_current_thread_spans();
        std::hint::black_box(whole);
    }
    println!(
        "{} files, {bytes} bytes; {kept} non-blank bytes left for syn",
        inputs.len()
    );
    for (name, d) in names.iter().zip(t) {
        println!(
            "{name:>18}: {:7.3} s  ({:.2}x syn as written)",
            d.as_secs_f64(),
            d.as_secs_f64() / t[7].as_secs_f64()
        );
    }
}
