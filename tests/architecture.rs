//! The invariants ARCHITECTURE.md promises, checked on the source itself:
//! small files and functions, no module cycles between the top-level
//! modules, no I/O in the analysis and the rules, and no current directory
//! anywhere in the library.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_FILE_LINES: usize = 800;
const MAX_FN_LINES: usize = 120;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `src/`, relative to it.
fn sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&src(), &mut out);
    out.sort();
    out.into_iter()
        .map(|p| p.strip_prefix(src()).unwrap().to_path_buf())
        .collect()
}

fn read(rel: &Path) -> String {
    std::fs::read_to_string(src().join(rel)).unwrap()
}

/// Every function (free, in impls and traits, nested) with its line count.
fn functions(file: &syn::File) -> Vec<(String, usize)> {
    use syn::spanned::Spanned;
    use syn::visit::Visit;
    struct V(Vec<(String, usize)>);
    impl<'a> Visit<'a> for V {
        fn visit_item_fn(&mut self, f: &'a syn::ItemFn) {
            let s = f.span();
            self.0
                .push((f.sig.ident.to_string(), s.end().line - s.start().line + 1));
            syn::visit::visit_item_fn(self, f);
        }
        fn visit_impl_item_fn(&mut self, f: &'a syn::ImplItemFn) {
            let s = f.span();
            self.0
                .push((f.sig.ident.to_string(), s.end().line - s.start().line + 1));
            syn::visit::visit_impl_item_fn(self, f);
        }
    }
    let mut v = V(Vec::new());
    v.visit_file(file);
    v.0
}

#[test]
fn files_and_functions_stay_small() {
    let mut failures = Vec::new();
    for rel in sources() {
        let text = read(&rel);
        let lines = text.lines().count();
        if lines > MAX_FILE_LINES {
            failures.push(format!(
                "{}: {lines} lines (at most {MAX_FILE_LINES})",
                rel.display()
            ));
        }
        let file = syn::parse_file(&text).unwrap();
        for (name, n) in functions(&file) {
            if n > MAX_FN_LINES {
                failures.push(format!(
                    "{}: fn {name} has {n} lines (at most {MAX_FN_LINES})",
                    rel.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The top-level module a source file belongs to (`analysis` for
/// `analysis/eval.rs`), or `None` for the crate root and the binary.
fn module_of(rel: &Path) -> Option<String> {
    let first = rel
        .components()
        .next()?
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    let name = first.trim_end_matches(".rs").to_string();
    (!matches!(name.as_str(), "lib" | "main" | "check")).then_some(name)
}

/// The top-level modules a file names through `crate::`.
fn uses(text: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if modules.contains(&name) {
            out.insert(name);
        } else if rest.starts_with('{') {
            // `use crate::{a, b::c};`
            let group = &rest[1..rest.find('}').unwrap_or(rest.len())];
            for part in group.split(',') {
                let n: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if modules.contains(&n) {
                    out.insert(n);
                }
            }
        }
    }
    out
}

/// Module → the modules it depends on.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let files = sources();
    let modules: BTreeSet<String> = files.iter().filter_map(|f| module_of(f)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for rel in &files {
        let Some(m) = module_of(rel) else { continue };
        let text = read(rel);
        let deps = graph.entry(m.clone()).or_default();
        for d in uses(&text, &modules) {
            if d != m {
                deps.insert(d);
            }
        }
    }
    graph
}

/// A cycle in the graph, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == n) {
            let mut cycle = path[at..].to_vec();
            cycle.push(n.to_string());
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for d in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(d, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for n in graph.keys() {
        if let Some(c) = visit(n, graph, &mut Vec::new(), &mut done) {
            return Some(c);
        }
    }
    None
}

#[test]
fn top_level_modules_have_no_cycles() {
    let graph = module_graph();
    assert!(graph.len() >= 10, "{graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("module cycle: {}", cycle.join(" → "));
    }
    // The leaves every stage shares depend on nothing of the crate.
    for leaf in ["rule", "source"] {
        assert!(
            graph[leaf].is_empty(),
            "{leaf} depends on {:?}",
            graph[leaf]
        );
    }
    // Data flows one way: nothing before the pipeline knows about it. Only
    // `fixer`, which runs the whole pipeline in rounds, sits above it, and
    // nothing in the library depends on `fixer`.
    for (m, deps) in &graph {
        if m != "fixer" {
            assert!(!deps.contains("pipeline"), "{m} depends on the pipeline");
        }
        assert!(!deps.contains("fixer"), "{m} depends on the fixer");
    }
}

#[test]
fn the_cycle_check_can_fail() {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.insert("a".into(), ["b".to_string()].into());
    g.insert("b".into(), ["a".to_string()].into());
    assert_eq!(
        find_cycle(&g),
        Some(vec!["a".into(), "b".into(), "a".into()])
    );
    let modules: BTreeSet<String> = ["rules".to_string(), "model".to_string()].into();
    assert_eq!(uses("use crate::{model::Model, rules};", &modules), modules);
}

/// Lines of the non-test code of a file (before its `#[cfg(test)]`).
fn non_test(text: &str) -> &str {
    text.split("#[cfg(test)]").next().unwrap_or(text)
}

#[test]
fn analysis_rules_and_fixes_do_no_io_and_the_library_reads_no_current_directory() {
    let mut failures = Vec::new();
    for rel in sources() {
        let text = read(&rel);
        let code = non_test(&text);
        let pure = rel.starts_with("analysis")
            || rel.starts_with("rules")
            || rel.starts_with("model")
            || rel.starts_with("fixes")
            || rel.starts_with("fixer");
        if pure {
            for io in [
                "std::fs",
                "std::env",
                "File::open",
                "read_to_string",
                "std::process",
            ] {
                if code.contains(io) {
                    failures.push(format!("{}: `{io}` in a pure stage", rel.display()));
                }
            }
        }
        if rel != Path::new("main.rs") && code.contains("current_dir()") {
            failures.push(format!("{}: reads the current directory", rel.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
