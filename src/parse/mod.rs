//! Parsing: read each file, parse it with syn, extract its facts and drop
//! the syntax tree. Runs in parallel on threads with large stacks.

use crate::facts::{self, FileFacts};
use crate::source::FileId;
use crate::suppress::Suppression;
use std::path::Path;
use std::sync::Arc;

pub mod nesting;
mod recover;
pub mod tables;

/// A file that could not be analyzed.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ParseFailure {
    /// The file.
    pub file: FileId,
    /// 1-based line (0 when the problem is not at a position).
    pub line: u32,
    /// 1-based character column (0 when not at a position).
    pub column: u32,
    /// What is wrong.
    pub message: String,
    /// The file could not be read as text at all (I/O error, not UTF-8),
    /// as opposed to text that is not valid Rust. Unreadable input makes
    /// the run exit with status 2.
    pub unreadable: bool,
    /// The file was skipped whole, unparsed (too deeply nested, too
    /// large): like unreadable input, the run exits with status 2.
    pub skipped: bool,
}

impl ParseFailure {
    /// Text of file `file` that is not valid Rust, at a position.
    pub fn syntax(file: FileId, line: u32, column: u32, message: String) -> ParseFailure {
        ParseFailure {
            file,
            line,
            column,
            message,
            unreadable: false,
            skipped: false,
        }
    }
}

/// What parsing one file produced.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Its facts.
    pub facts: FileFacts,
    /// Its inline suppressions, with their scopes.
    pub suppressions: Vec<Suppression>,
    /// syn rejected the file: the facts are those of the items that parse
    /// on their own (see [`recover`]), and this is syn's message.
    pub syntax_error: Option<ParseFailure>,
}

/// Read a file as UTF-8 text; unreadable files and invalid UTF-8 become a
/// positioned failure of file `file`, and a file over `max_bytes` a
/// skipped one.
pub fn read_source(path: &Path, file: FileId, max_bytes: u64) -> Result<String, ParseFailure> {
    let fail = |line: u32, column: u32, message: String| ParseFailure {
        file,
        line,
        column,
        message,
        unreadable: true,
        skipped: false,
    };
    let bytes = crate::files::read_regular(path, max_bytes).map_err(|e| match e {
        crate::files::ReadError::TooLarge { .. } => ParseFailure {
            unreadable: false,
            skipped: true,
            ..fail(0, 0, format!("{e} (--max-file-size); file skipped"))
        },
        e => fail(0, 0, format!("cannot read file: {e}")),
    })?;
    match String::from_utf8(bytes) {
        Ok(t) => Ok(t),
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|b| **b == b'\n').count() as u32 + 1;
            let col = String::from_utf8_lossy(valid.rsplit(|b| *b == b'\n').next().unwrap_or(&[]))
                .chars()
                .count() as u32
                + 1;
            Err(fail(line, col, "file is not valid UTF-8".into()))
        }
    }
}

/// Parse the text of file `file`, extract its facts and suppressions, and
/// drop the syntax tree.
pub fn parse_source(file: FileId, text: &str) -> Result<Parsed, ParseFailure> {
    parse_source_as(file, &Arc::from(text), Mode::default())
}

/// How files are parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mode {
    /// Blank generated data tables first ([`tables`]); not with
    /// `--exhaustive`.
    pub blank_tables: bool,
    /// Parse every function body now, instead of when the analysis reads
    /// it (`--exhaustive`, `--check-syntax`).
    pub force_bodies: bool,
}

impl Default for Mode {
    fn default() -> Mode {
        Mode {
            blank_tables: true,
            force_bodies: false,
        }
    }
}

/// [`parse_source`] in a given [`Mode`]: the function bodies the body
/// index finds ([`facts::bodies`]) are left for the analysis to parse when
/// it reads them, unless `mode.force_bodies`.
/// `text` is shared with the bodies left pending (a copy is made only when
/// data tables were blanked).
pub fn parse_source_as(file: FileId, text: &Arc<str>, mode: Mode) -> Result<Parsed, ParseFailure> {
    let fail = |line, column, message| ParseFailure::syntax(file, line, column, message);
    let skip = |line, column, message| ParseFailure {
        skipped: true,
        ..fail(line, column, message)
    };
    if let Some(deep) = nesting::check(text) {
        return Err(skip(
            deep.line,
            deep.column,
            format!(
                "too deeply nested to analyze ({}, beyond {} levels); file skipped",
                deep.construct,
                nesting::MAX_NESTING
            ),
        ));
    }
    let blanked = mode.blank_tables.then(|| tables::blank(text)).flatten();
    let source: &str = blanked.as_deref().unwrap_or(text);
    let shared = || {
        blanked
            .as_deref()
            .map_or_else(|| Arc::clone(text), Arc::from)
    };
    if let Some(parsed) = parse_pending(text, source, shared, mode.force_bodies) {
        return Ok(parsed);
    }
    // syn's error comes with the facts of the items that parse, if the
    // text splits into tokens at all.
    let result = crate::isolate::catch(|| match syn::parse_file(source) {
        Ok(file) => Ok(from_syntax(text, &file, None)),
        Err(e) => {
            let start = e.span().start();
            let at = (start.line as u32, start.column as u32 + 1, e.to_string());
            let salvaged = recover::salvage(source).map(|f| Box::new(from_syntax(text, &f, None)));
            Err((at, salvaged))
        }
    });
    // Spans were copied into our own positions; free proc-macro2's table so
    // memory does not grow with every file parsed on this thread.
    proc_macro2::extra::invalidate_current_thread_spans();
    match result {
        Ok(Ok(parsed)) => Ok(parsed),
        Ok(Err(((line, col, msg), Some(salvaged)))) => Ok(Parsed {
            syntax_error: Some(fail(line, col, msg)),
            ..*salvaged
        }),
        Ok(Err(((line, col, msg), None))) => Err(fail(line, col, msg)),
        Err(message) => Err(skip(
            0,
            0,
            format!("internal error while parsing ({message}); file skipped"),
        )),
    }
}

/// The file parsed with its indexed bodies blanked, those bodies pending
/// (or, with `force`, parsed at once; the bodies syn rejects are reported
/// after the analysis, with those it parsed: [`body_errors`]). `None` when
/// the index found no body, or syn rejects the blanked text: the file is
/// parsed whole, as written.
fn parse_pending(
    text: &str,
    source: &str,
    shared: impl FnOnce() -> Arc<str>,
    force: bool,
) -> Option<Parsed> {
    let mut index = facts::bodies::index(source);
    if force {
        // `--exhaustive` and `--check-syntax` show syn every item whole.
        index.opaque.clear();
    }
    // Doc comments decide where an item starts, which only suppression
    // comments read.
    if crate::suppress::may_mention(text) {
        index.docs.clear();
    }
    if index.bodies.is_empty() && index.docs.is_empty() && index.opaque.is_empty() {
        return None;
    }
    let shared = shared();
    let blanked = facts::bodies::blank_index(source, &index);
    let bodies = index.bodies;
    let parsed = crate::isolate::catch(|| {
        syn::parse_file(&blanked)
            .ok()
            .map(|f| from_syntax(text, &f, Some((&shared, &bodies))))
    });
    proc_macro2::extra::invalidate_current_thread_spans();
    let parsed = parsed.ok().flatten()?;
    if force {
        parsed.facts.fns.iter().for_each(facts::FnFacts::force);
    }
    Some(parsed)
}

/// syn's messages for the lazily parsed bodies of a file it rejected.
pub fn body_errors(file: FileId, facts: &FileFacts) -> impl Iterator<Item = ParseFailure> + '_ {
    facts.fns.iter().filter_map(move |f| {
        let (line, column, message) = f.body_error()?.clone();
        Some(ParseFailure::syntax(file, line, column, message))
    })
}

/// The facts and suppressions of a parsed file.
fn from_syntax(
    text: &str,
    file: &syn::File,
    pending: Option<(&Arc<str>, &[facts::bodies::Body])>,
) -> Parsed {
    let mut parsed = Parsed {
        facts: facts::extract_lazily(file, pending),
        ..Parsed::default()
    };
    if crate::suppress::wanted(text) {
        parsed.facts.items = facts::items::extract(file);
        parsed.suppressions = crate::suppress::scan(text, &parsed.facts.items);
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_carry_positions() {
        let p = parse_source(0, "struct S { a: }\nfn other() {}\n").unwrap();
        let e = p.syntax_error.expect("a syntax error");
        assert_eq!(e.line, 1);
        assert!(e.column > 0);
        assert_eq!(p.facts.fns.len(), 1, "`other` is salvaged, `S` is not");
    }

    #[test]
    fn a_pending_body_reports_its_syntax_error_when_parsed() {
        let src = "fn main() {\n  let = ;\n}\nfn other() { x() }\n";
        let p = parse_source(0, src).unwrap();
        assert!(p.syntax_error.is_none(), "bodies are not parsed yet");
        assert!(p.facts.fns.iter().all(|f| f.is_pending()));
        assert!(body_errors(0, &p.facts).next().is_none());
        p.facts.fns[0].force();
        let e = body_errors(0, &p.facts)
            .next()
            .expect("main's body is rejected");
        assert_eq!((e.line, e.column), (2, 7));
        assert!(p.facts.fns[1].is_pending(), "other's body is not read");
        let mode = Mode {
            blank_tables: true,
            force_bodies: true,
        };
        let eager = parse_source_as(0, &Arc::from(src), mode).unwrap();
        assert!(!eager.facts.fns[0].is_pending(), "every body is parsed");
        let e = body_errors(0, &eager.facts)
            .next()
            .expect("main's body is rejected");
        assert_eq!((e.line, e.column), (2, 7));
    }

    #[test]
    fn items_in_a_pending_body_are_the_files_facts_at_once() {
        let src = "fn a() {\n    use std::sync::Arc as Shared;\n    let x = 1;\n    \
                   fn inner() { tokio::spawn(x()); }\n    struct Local { f: Shared<u8> }\n}\n";
        let lazy = parse_source(0, src).unwrap();
        let whole = crate::facts::extract(&syn::parse_file(src).unwrap());
        let names =
            |fns: &[crate::facts::FnFacts]| fns.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&lazy.facts.fns), names(&whole.fns));
        assert!(lazy.facts.fns[0].is_pending());
        assert_eq!(lazy.facts.uses, whole.uses);
        assert_eq!(lazy.facts.structs.len(), 1);
        assert_eq!(
            format!("{:?}", lazy.facts.fns[0].body()),
            format!("{:?}", whole.fns[0].body())
        );
    }

    #[test]
    fn pending_bodies_lower_as_if_parsed_with_the_file() {
        let src = "impl S {\n    fn go(&self) -> u8 {\n        #![allow(unused)]\n        let x = Self::f(); tokio::spawn(a.b());\n        x\n    }\n}\n";
        let lazy = parse_source(0, src).unwrap();
        let whole = crate::facts::extract(&syn::parse_file(src).unwrap());
        let (a, b) = (&lazy.facts.fns[0], &whole.fns[0]);
        assert!(a.is_pending());
        assert_eq!(format!("{:?}", a.body()), format!("{:?}", b.body()));
        assert_eq!(a.callees, b.callees);
        assert!(a.body_error().is_none());
    }

    #[test]
    fn stubbed_signatures_lower_as_if_parsed_with_the_file() {
        let src = "impl S {\n    pub fn new<F: Fn(u8) -> u8>(f: F, (a, b): (u8, u8)) -> Arc<Self>\n    \
                   where F: Copy { todo!() }\n    fn m(self: Pin<&mut Self>, x: &mut Vec<u8>) {}\n    \
                   async fn n(&'a mut self) -> Result<Receiver<u8>, E> { x }\n}\nfn free() {}\n";
        let lazy = parse_source(0, src).unwrap();
        let whole = crate::facts::extract(&syn::parse_file(src).unwrap());
        assert_eq!(lazy.facts.fns.len(), whole.fns.len());
        for (a, b) in lazy.facts.fns.iter().zip(&whole.fns) {
            assert_eq!(a.receiver, b.receiver, "{}", a.name);
            assert!(
                a.sig_text_may(|t| t.starts_with("fn ")),
                "{}: a stub",
                a.name
            );
            assert_eq!(format!("{:?}", a.params()), format!("{:?}", b.params()));
            assert_eq!(format!("{:?}", a.ret()), format!("{:?}", b.ret()));
        }
        assert!(!lazy.facts.fns[2].sig_text_may(|t| t.contains("Sender")));
    }

    #[test]
    fn a_stubbed_signature_reports_its_syntax_error_when_read() {
        let src = "fn main(x: ) {}\nfn other(y: u8) {}\n";
        let p = parse_source(0, src).unwrap();
        assert!(p.syntax_error.is_none(), "signatures are not parsed yet");
        assert!(p.facts.fns[0].params().is_empty());
        let e = body_errors(0, &p.facts).next().expect("main's signature");
        assert_eq!((e.line, e.column), (1, 12));
        assert_eq!(p.facts.fns[1].params().len(), 1);
        let mode = Mode {
            blank_tables: true,
            force_bodies: true,
        };
        let eager = parse_source_as(0, &Arc::from(src), mode).unwrap();
        let e = body_errors(0, &eager.facts)
            .next()
            .expect("--check-syntax reports it");
        assert_eq!((e.line, e.column), (1, 12));
    }

    #[test]
    fn text_that_does_not_tokenize_is_a_failure() {
        let e = parse_source(0, "fn main() {\n  let x = (;\n").unwrap_err();
        assert!(!e.unreadable && !e.skipped);
    }

    #[test]
    fn deep_nesting_is_reported_not_overflowed() {
        let src = format!("fn f() {{ {}{} }}", "(".repeat(5000), ")".repeat(5000));
        let e = parse_source(0, &src).unwrap_err();
        assert!(e.message.contains("too deeply nested"), "{}", e.message);
        assert!(e.message.contains("brackets"), "{}", e.message);
    }
}
