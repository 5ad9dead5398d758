//! Parsing: read each file, parse it with syn, extract its facts and drop
//! the syntax tree. Runs in parallel on threads with large stacks.

use crate::facts::{self, FileFacts};
use crate::source::FileId;
use crate::suppress::Suppression;
use std::path::Path;

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
    parse_source_as(file, text, true)
}

/// [`parse_source`], with data tables blanked first ([`tables`]) or, with
/// `blank_tables` false (`--exhaustive`), parsed as written.
pub fn parse_source_as(
    file: FileId,
    text: &str,
    blank_tables: bool,
) -> Result<Parsed, ParseFailure> {
    let fail = |line: u32, column: u32, message: String| ParseFailure {
        file,
        line,
        column,
        message,
        unreadable: false,
        skipped: false,
    };
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
    // syn's error comes with the facts of the items that parse, if the
    // text splits into tokens at all.
    let blanked = blank_tables.then(|| tables::blank(text)).flatten();
    let source = blanked.as_deref().unwrap_or(text);
    let result = crate::isolate::catch(|| match syn::parse_file(source) {
        Ok(file) => Ok(from_syntax(text, &file)),
        Err(e) => {
            let start = e.span().start();
            let at = (start.line as u32, start.column as u32 + 1, e.to_string());
            let salvaged = recover::salvage(source).map(|f| Box::new(from_syntax(text, &f)));
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

/// The facts and suppressions of a parsed file.
fn from_syntax(text: &str, file: &syn::File) -> Parsed {
    let mut parsed = Parsed {
        facts: facts::extract(file),
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
        let p = parse_source(0, "fn main() {\n  let = ;\n}\nfn other() {}\n").unwrap();
        let e = p.syntax_error.expect("a syntax error");
        assert_eq!(e.line, 2);
        assert!(e.column > 0);
        assert_eq!(p.facts.fns.len(), 1, "`other` is salvaged, `main` is not");
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
