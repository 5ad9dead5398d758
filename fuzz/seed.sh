#!/usr/bin/env bash
# Build the seed corpus of the `analyze` fuzz target in fuzz/corpus/analyze/
# (gitignored): every .rs file under fixtures/, a deterministic sample of
# real Rust files, and generated deeply nested constructs on both sides of
# the nesting pre-scan's limit (spawnlint::parse::nesting::MAX_NESTING).
#
#   bash fuzz/seed.sh            add the seeds (keeps what the fuzzer found)
#   bash fuzz/seed.sh --clean    start from an empty corpus
#
# Environment:
#   SPAWNLINT_RW      directory of real Rust sources to sample
#                     (default /work/scratch/rw; skipped when missing)
#   SPAWNLINT_RW_MAX  how many real files to take (default 300)
#   SPAWNLINT_RW_KB   only files smaller than this many KiB (default 20)
#
# The same inputs come out on every run: files are chosen from a sorted
# list, and the generator is deterministic. Needs bash, find, sort, awk,
# sha1sum and python3.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
out="$here/corpus/analyze"
rw=${SPAWNLINT_RW:-/work/scratch/rw}
rw_max=${SPAWNLINT_RW_MAX:-300}
rw_kb=${SPAWNLINT_RW_KB:-20}

if [[ ${1:-} == --clean ]]; then
    rm -rf "$out"
fi
mkdir -p "$out"

# 1. Fixtures: every .rs file (not the build output).
n_fixtures=0
while IFS= read -r -d '' f; do
    rel=${f#"$repo/fixtures/"}
    cp "$f" "$out/fixture-${rel//\//-}"
    n_fixtures=$((n_fixtures + 1))
done < <(find "$repo/fixtures" -path "$repo/fixtures/target" -prune -o -name '*.rs' -type f -print0 | LC_ALL=C sort -z)

# 2. Real code: up to $rw_max files smaller than $rw_kb KiB, spread evenly
# over the sorted list of candidates (so every exported repository gets
# its share), named by a hash of their path.
n_real=0
if [[ -d $rw ]]; then
    list=$(mktemp)
    trap 'rm -f "$list"' EXIT
    find "$rw" -name '*.rs' -type f -size -"$((rw_kb * 1024))"c -print | LC_ALL=C sort >"$list"
    total=$(wc -l <"$list")
    if ((total > 0)); then
        while IFS= read -r f; do
            id=$(printf '%s' "${f#"$rw/"}" | sha1sum | cut -c1-16)
            cp "$f" "$out/real-$id-$(basename "$f")"
            n_real=$((n_real + 1))
        done < <(awk -v total="$total" -v want="$rw_max" '
            BEGIN { step = total > want ? total / want : 1; next_pick = 0 }
            NR - 1 >= next_pick { print; next_pick += step }' "$list")
    fi
else
    echo "seed.sh: $rw not found: no real-code seeds" >&2
fi

# 3. Deep constructs: each construct at depths around the limit (3000) and
# far beyond it, inside a constructor that spawns, so inputs below the
# limit reach the whole pipeline and those above it must be reported as
# skipped. Inputs stay under the fuzz run's -max_len (200000 bytes).
n_deep=$(python3 - "$out" <<'PY'
import os
import sys

out = sys.argv[1]
MAX_LEN = 199_000
DEPTHS = [2000, 2900, 2999, 3000, 3001, 3100, 5000, 10000, 20000, 40000]

SPAWN = "tokio::spawn(async move { run().await });"


def ctor(body):
    """An expression inside a constructor that spawns first."""
    return (
        "struct S { v: u32 }\n"
        "impl S {\n"
        "    pub fn new() -> Self {\n"
        f"        {SPAWN}\n"
        f"        let v = {body};\n"
        "        Self { v }\n"
        "    }\n"
        "}\n"
    )


def stmts(body):
    """Statements inside a constructor that spawns first."""
    return (
        "struct S;\nimpl S {\n    pub fn new() -> Self {\n"
        f"        {SPAWN}\n        {body}\n        S\n    }}\n}}\n"
    )


def ty(t):
    return f"type T = {t};\nstruct S {{ f: T }}\n" + ctor("0")


def item(i):
    return i + "\n" + ctor("0")


def nest(open_, inner, close, n):
    return open_ * n + inner + close * n


# name -> function of depth returning the file's text
CONSTRUCTS = {
    # types
    "vec-generic": lambda n: ty(nest("Vec<", "u8", ">", n)),
    "generic-commas": lambda n: ty(nest("HashMap<u8, ", "u8", ">", n)),
    "refs": lambda n: ty("&" * n + "u8"),
    "ref-ref-token": lambda n: ty("&&" * (n // 2) + "u8"),
    "ref-mut": lambda n: ty("&mut " * n + "u8"),
    "ptr-const": lambda n: ty("*const " * n + "u8"),
    "ptr-mut": lambda n: ty("*mut " * n + "u8"),
    "fn-ptr": lambda n: ty("fn() -> " * n + "()"),
    "fn-ptr-args": lambda n: ty(nest("fn(", "u8", ")", n)),
    "dyn-fn": lambda n: ty(nest("Box<dyn Fn() -> ", "u8", ">", n)),
    "impl-trait": lambda n: "fn f() -> " + nest("impl Into<", "u8", ">", n) + " { 0 }\n" + ctor("0"),
    "array-type": lambda n: ty(nest("[", "u8", "; 1]", n)),
    "slice-type": lambda n: ty(nest("[", "u8", "]", n)),
    "tuple-type": lambda n: ty(nest("(", "u8", ",)", n)),
    "paren-type": lambda n: ty(nest("(", "u8", ")", n)),
    "path-generic": lambda n: ty(nest("a::b::<", "u8", ">", n)),
    # expressions
    "closures": lambda n: ctor("|| " * n + "0"),
    "closures-args": lambda n: ctor("|_a, _b| " * n + "0"),
    "move-closures": lambda n: ctor("move || " * n + "0"),
    "async-blocks-move": lambda n: ctor(nest("async move { ", "0", " }", n)),
    "plus-chain": lambda n: ctor("1" + "+1" * n),
    "mixed-binop": lambda n: ctor("1" + "".join("+*-/%"[i % 5] + "1" for i in range(n))),
    "block-plus": lambda n: ctor("{1}" + "+{1}" * n),
    "and-chain": lambda n: ctor("true" + " && true" * n),
    "or-chain": lambda n: ctor("a" + " || a" * n),
    "neg-chain": lambda n: ctor("-" * n + "1"),
    "neg-spaced": lambda n: ctor("- " * n + "1"),
    "not-chain": lambda n: ctor("!" * n + "0"),
    "deref-chain": lambda n: ctor("*" * n + "x"),
    "ref-expr": lambda n: ctor("&" * n + "1"),
    "try-chain": lambda n: ctor("f()" + "?" * n),
    "method-chain": lambda n: ctor("x" + ".f()" * n),
    "await-chain": lambda n: ctor("x" + ".await" * n),
    "field-chain": lambda n: ctor("x" + ".f" * n),
    "index-chain": lambda n: ctor("x" + "[0]" * n),
    "call-chain": lambda n: ctor("f" + "()" * n),
    "cast-chain": lambda n: ctor("1" + " as u32" * n),
    "assign-chain": lambda n: stmts("a" + " = a" * n + ";"),
    "return-chain": lambda n: ctor("return " * n + "1"),
    "break-chain": lambda n: stmts("loop { " + "break " * n + "; }"),
    "else-if": lambda n: ctor("if a { 1 }" + " else if a { 1 }" * n + " else { 0 }"),
    "if-let-else": lambda n: ctor("if let Some(x) = y { x }" + " else if let Some(x) = y { x }" * n + " else { 0 }"),
    "nested-if": lambda n: ctor(nest("if a { ", "1", " } else { 0 }", n)),
    "match-nest": lambda n: ctor(nest("match x { _ => ", "1", " }", n)),
    "match-arm-comma": lambda n: ctor(nest("match x { _ => ", "1", ", }", n)),
    "loop-nest": lambda n: stmts(nest("loop { ", "break;", " }", n)),
    "while-nest": lambda n: stmts(nest("while a { ", "", " }", n)),
    "unsafe-nest": lambda n: ctor(nest("unsafe { ", "1", " }", n)),
    "async-nest": lambda n: ctor(nest("async { ", "1", " }", n)),
    "spawn-nest": lambda n: stmts(nest("tokio::spawn(async move { ", "run().await", " });", n)),
    "call-nest": lambda n: ctor(nest("f(", "1", ")", n)),
    "call-nest-args": lambda n: ctor(nest("f(1, ", "1", ")", n)),
    "macro-nest": lambda n: ctor(nest("m!(", "1", ")", n)),
    "vec-macro-nest": lambda n: ctor(nest("vec![", "1", "]", n)),
    "struct-lit": lambda n: ctor(nest("S { v: ", "1", " }", n)),
    "tuple-expr": lambda n: ctor(nest("(", "1", ",)", n)),
    "tuple-commas": lambda n: ctor(nest("(1, ", "1", ")", n)),
    "array-expr": lambda n: ctor(nest("[", "1", "]", n)),
    "array-repeat": lambda n: ctor(nest("[", "1", "; 1]", n)),
    "let-else": lambda n: stmts(nest("let Some(x) = y else { ", "return S;", " };", n)),
    "labeled-blocks": lambda n: ctor(nest("'a: { ", "1", " }", n)),
    "turbofish": lambda n: ctor("f::<" + nest("Vec<", "u8", ">", n) + ">()"),
    "arc-mutex": lambda n: ctor(nest("Arc::new(Mutex::new(", "0", "))", n)),
    "lock-unwrap": lambda n: ctor("m" + ".lock().unwrap()" * n),
    # patterns
    "paren-pat": lambda n: stmts("let " + nest("(", "x", ")", n) + " = 1;"),
    "tuple-pat": lambda n: stmts("let " + nest("(", "x", ",)", n) + " = y;"),
    "ref-pat": lambda n: stmts("let " + "&" * n + "x = y;"),
    "slice-pat": lambda n: stmts("let " + nest("[", "x", "]", n) + " = y;"),
    "struct-pat": lambda n: stmts("let " + nest("S { v: ", "x", " }", n) + " = y;"),
    "or-pat": lambda n: stmts("let " + nest("(A | ", "x", ")", n) + " = y;"),
    # items and blocks
    "blocks": lambda n: ctor(nest("{", "1", "}", n)),
    "parens": lambda n: ctor(nest("(", "1", ")", n)),
    "brackets": lambda n: ctor(nest("[", "1", "]", n)),
    "mixed-brackets": lambda n: ctor("".join("([{"[i % 3] for i in range(n)) + "1" + "".join(")]}"[i % 3] for i in reversed(range(n)))),
    "unbalanced-open": lambda n: ctor("(" * n),
    "unbalanced-close": lambda n: ctor(")" * n),
    "mods": lambda n: item(nest("mod a { ", "fn f() {}", " }", n)),
    "fn-in-fn": lambda n: item(nest("fn f() { ", "", " }", n)),
    "impl-in-fn": lambda n: item(nest("fn f() { impl S { fn new() -> Self { " + SPAWN + " ", "", " S } } }", n)),
    "attrs": lambda n: item("#[a" + nest("(", "b", ")", n) + "] fn f() {}"),
    "many-attrs": lambda n: item("#[a] " * n + "fn f() {}"),
    "where-clause": lambda n: item("fn f<T>() where T: " + nest("A<", "u8", ">", n) + " {}"),
    "generic-params": lambda n: item("fn f<" + nest("T: A<", "u8", ">", n) + ">() {}"),
    "doc-comments": lambda n: item("/// (\n" * n + "fn f() {}"),
    # brackets the pre-scan must not count: strings, comments, chars
    "brackets-in-string": lambda n: ctor('"' + "(" * n + "{" * n + '"'),
    "brackets-in-raw-string": lambda n: ctor('r#"' + "(" * n + '"' + "[" * n + '"#'),
    "brackets-in-byte-string": lambda n: ctor('b"' + "(" * n + '"'),
    "brackets-in-line-comment": lambda n: ctor("0 // " + "(" * n + "\n"),
    "brackets-in-block-comment": lambda n: ctor("0 /* " + "{" * n + " */"),
    "nested-block-comments": lambda n: ctor("0 " + "/* " * n + "(" + " */" * n),
    "brackets-in-chars": lambda n: ctor("[" + ", ".join(["'('"] * n) + "]"),
    "lifetimes": lambda n: item("fn f<" + ", ".join("'a" + str(i) for i in range(n)) + ">() {}"),
    "escaped-quotes": lambda n: ctor('"' + '\\"(' * n + '"'),
    "unterminated-string": lambda n: ctor('"' + "(" * n),
    "unterminated-comment": lambda n: ctor("0 /* " + "(" * n),
}

count = 0
for name, make in CONSTRUCTS.items():
    for depth in DEPTHS:
        text = make(depth)
        if len(text.encode()) > MAX_LEN:
            continue
        with open(os.path.join(out, f"deep-{name}-{depth}.rs"), "w") as f:
            f.write(text)
        count += 1
print(count)
PY
)

echo "seed.sh: $n_fixtures fixtures, $n_real real files, $n_deep deep constructs -> ${out#"$repo/"} ($(find "$out" -type f | wc -l) files, $(du -sh "$out" | cut -f1))"
