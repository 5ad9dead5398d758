//! The body index of one file, as the parse stage builds it: each
//! pending body's lines and the calls it names.
//! `cargo run --release --example body_index -- FILE`

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: body_index FILE");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let bodies = spawnlint::facts::bodies::scan(&text);
    for b in &bodies {
        let last = b.line as usize + text[b.open..b.close].matches('\n').count();
        println!(
            "{}-{}: {} calls{}",
            b.line,
            last,
            b.calls.len(),
            if b.updates { ", struct update" } else { "" }
        );
    }
    println!("{} bodies", bodies.len());
}
