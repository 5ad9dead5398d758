#!/usr/bin/env python3
"""A deterministic benchmark corpus: realistic Rust, generated, never fetched.

    python3 tools/bench/gen_corpus.py OUT [--files 2000] [--mb 50] [--copies 1] [--seed 7]

Writes a Cargo workspace under OUT (or COPIES of it, OUT/copy_1 ...
OUT/copy_N, for the linearity measurement): crates of FILES module files
in all, about MB megabytes of Rust, with

- service types whose constructor spawns a thread or a tokio task, about
  one in eight opening a window (the task reads a map the constructor
  fills only after the spawn), the rest filling it first or gating;
- impl blocks of one type split across two files, so the analysis must
  link them;
- unrelated code: enums and matches, trait impls, arithmetic, string
  handling, loops, `#[cfg(test)]` modules;
- one data table: a 2.5 MB array of tuples in one file (the shape of
  tikv's collation tables).

The same arguments always give the same bytes. Python 3.11, standard
library only.
"""
import argparse
import random
import shutil
from pathlib import Path

WINDOW = """
pub struct {ty} {{
    routes: Arc<Mutex<HashMap<String, u32>>>,
    hits: Arc<AtomicU64>,
}}

impl {ty} {{
    pub fn new(seed: &[(&str, u32)]) -> Self {{
        let routes = Arc::new(Mutex::new(HashMap::new()));
        let hits = Arc::new(AtomicU64::new(0));
        let (task_routes, task_hits) = (Arc::clone(&routes), Arc::clone(&hits));
        std::thread::spawn(move || loop {{
            let port = *task_routes.lock().unwrap().get("main").unwrap();
            task_hits.fetch_add(u64::from(port), Ordering::Relaxed);
            std::thread::sleep(std::time::Duration::from_millis(50));
        }});
        for (k, v) in seed {{
            routes.lock().unwrap().insert(k.to_string(), *v);
        }}
        {ty} {{ routes, hits }}
    }}
}}
"""

CORRECT = """
pub struct {ty} {{
    table: Arc<RwLock<Vec<u64>>>,
    stop: Arc<AtomicBool>,
    worker: Option<tokio::task::JoinHandle<()>>,
}}

impl {ty} {{
    pub fn new(initial: Vec<u64>) -> Self {{
        let table = Arc::new(RwLock::new(initial));
        let stop = Arc::new(AtomicBool::new(false));
        let (t, s) = (Arc::clone(&table), Arc::clone(&stop));
        let worker = tokio::spawn(async move {{
            while !s.load(Ordering::Acquire) {{
                let sum: u64 = t.read().unwrap().iter().sum();
                tokio::time::sleep(std::time::Duration::from_millis(sum % 100 + 1)).await;
            }}
        }});
        {ty} {{ table, stop, worker: Some(worker) }}
    }}
}}
"""

SPLIT_IMPL = """
impl {ty} {{
    pub fn {m}(&self, key: &str) -> Option<u64> {{
        let n = key.len() as u64;
        if n % {k} == 0 {{
            Some(n * {k})
        }} else {{
            None
        }}
    }}
}}
"""

UNRELATED = [
    """
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum {ty}Kind {{
    Alpha,
    Beta(u32),
    Gamma {{ x: i64, y: i64 }},
}}

pub fn {f}_classify(v: {ty}Kind) -> i64 {{
    match v {{
        {ty}Kind::Alpha => {k},
        {ty}Kind::Beta(n) => i64::from(n) * {k},
        {ty}Kind::Gamma {{ x, y }} if x > y => x - y,
        {ty}Kind::Gamma {{ x, y }} => (x * y) % {k},
    }}
}}
""",
    """
pub fn {f}_checksum(data: &[u8]) -> u32 {{
    let mut a: u32 = 1;
    let mut b: u32 = 0;
    for chunk in data.chunks({k}) {{
        for &byte in chunk {{
            a = (a + u32::from(byte)) % 65521;
            b = (b + a) % 65521;
        }}
    }}
    (b << 16) | a
}}
""",
    """
pub trait {ty}Render {{
    fn render(&self) -> String;
}}

impl {ty}Render for Vec<String> {{
    fn render(&self) -> String {{
        let mut out = String::with_capacity(self.len() * {k});
        for (i, s) in self.iter().enumerate() {{
            if i > 0 {{
                out.push_str(", ");
            }}
            out.push_str(&format!("{{i}}={{}}", s.trim()));
        }}
        out
    }}
}}
""",
    """
pub fn {f}_parse(line: &str) -> Result<(String, i64), String> {{
    let (key, value) = line
        .split_once('=')
        .ok_or_else(|| format!("missing '=' in {{line:?}}"))?;
    let value: i64 = value.trim().parse().map_err(|e| format!("{{key}}: {{e}}"))?;
    Ok((key.trim().to_string(), value + {k}))
}}
""",
    """
#[cfg(test)]
mod {f}_tests {{
    use super::*;

    #[test]
    fn adds_up() {{
        let v: Vec<u64> = (0..{k}).collect();
        assert_eq!(v.iter().sum::<u64>(), ({k} * ({k} - 1)) / 2);
    }}
}}
""",
]

HEADER = """use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
"""


def module(rng: random.Random, crate: int, idx: int, size: int, split_types: list[str]) -> str:
    parts = [HEADER]
    n = 0
    while sum(map(len, parts)) < size:
        ty = f"Svc{crate}x{idx}x{n}"
        f = f"f{crate}_{idx}_{n}"
        k = rng.randint(3, 97)
        r = rng.random()
        if r < 0.01:
            parts.append(WINDOW.format(ty=ty))
        elif r < 0.30:
            parts.append(CORRECT.format(ty=ty))
            split_types.append(ty)
        elif split_types and r < 0.40:
            parts.append(SPLIT_IMPL.format(ty=split_types.pop(0), m=f"lookup_{f}", k=k))
        else:
            parts.append(rng.choice(UNRELATED).format(ty=ty, f=f, k=k))
        n += 1
    return "".join(parts)


def table(rng: random.Random, size: int) -> str:
    rows = []
    total = 0
    i = 0
    while total < size:
        row = f"    (0x{i:05x}, {rng.randint(0, 65535)}, \"{rng.choice('abcdefgh')}{i}\"),\n"
        rows.append(row)
        total += len(row)
        i += 1
    return f"pub static WEIGHTS: &[(u32, u32, &str)] = &[\n{''.join(rows)}];\n"


def generate(out: Path, files: int, mb: float, seed: int) -> None:
    rng = random.Random(seed)
    crates = max(1, files // 100)
    per_file = int(mb * 1e6 / files)
    members = []
    for c in range(crates):
        name = f"crate_{c:03}"
        members.append(f'"{name}"')
        src = out / name / "src"
        src.mkdir(parents=True, exist_ok=True)
        (out / name / "Cargo.toml").write_text(
            f'[package]\nname = "{name}"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\ntokio = {{ version = "1", features = ["full"] }}\n'
        )
        count = files // crates + (1 if c < files % crates else 0)
        mods = []
        split_types: list[str] = []
        for i in range(count):
            text = table(rng, 2_500_000) if (c, i) == (0, 0) else module(
                rng, c, i, rng.randint(per_file // 2, per_file * 3 // 2), split_types
            )
            (src / f"m{i:03}.rs").write_text(text)
            mods.append(f"pub mod m{i:03};\n")
        (src / "lib.rs").write_text("".join(mods))
    (out / "Cargo.toml").write_text(f"[workspace]\nmembers = [{', '.join(members)}]\nresolver = \"2\"\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--mb", type=float, default=50)
    ap.add_argument("--copies", type=int, default=1)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if args.out.exists():
        shutil.rmtree(args.out)
    if args.copies == 1:
        generate(args.out, args.files, args.mb, args.seed)
    else:
        for i in range(1, args.copies + 1):
            generate(args.out / f"copy_{i}", args.files, args.mb, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
