//! Positions in source files, and the run's source database: every file's
//! id, path, display path and text, read once.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A position: 1-based line, 0-based column counted in characters (as
/// proc-macro2 reports it). Renderers convert to 1-based columns.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 0-based character column.
    pub column: u32,
}

/// A half-open range of source text.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Span {
    /// First character.
    pub start: Pos,
    /// One past the last character.
    pub end: Pos,
}

impl Span {
    /// The span of a proc-macro2 token range.
    pub fn from_pm2(span: proc_macro2::Span) -> Span {
        let (s, e) = (span.start(), span.end());
        Span {
            start: Pos {
                line: s.line as u32,
                column: s.column as u32,
            },
            end: Pos {
                line: e.line as u32,
                column: e.column as u32,
            },
        }
    }

    /// A span covering both `self` and `other`.
    pub fn join(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Whether `other` lies within this span.
    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// Whether this span was produced by a real token (line 0 means none).
    pub fn is_real(&self) -> bool {
        self.start.line > 0
    }
}

/// Index of a file in the run's file table.
pub type FileId = u32;

/// A span inside a particular file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    /// The file.
    pub file: FileId,
    /// The range inside it.
    pub span: Span,
}

/// Byte offset of a position in `text`, for renderers that need bytes.
/// Columns past the end of a line clamp to the line's end.
pub fn byte_offset(text: &str, pos: Pos) -> usize {
    let mut offset = 0usize;
    let mut line = 1u32;
    if pos.line > 1 {
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line += 1;
                if line == pos.line {
                    offset = i + 1;
                    break;
                }
            }
        }
        if line != pos.line {
            return text.len();
        }
    }
    let rest = &text[offset..];
    let line_end = rest.find('\n').unwrap_or(rest.len());
    let line_text = &rest[..line_end];
    let within = line_text
        .char_indices()
        .nth(pos.column as usize)
        .map(|(i, _)| i)
        .unwrap_or(line_text.len());
    offset + within
}

/// The position of byte offset `byte` in `text` (clamped to the text and
/// to a character boundary): the inverse of [`byte_offset`].
pub fn pos_at(text: &str, byte: usize) -> Pos {
    let mut byte = byte.min(text.len());
    while !text.is_char_boundary(byte) {
        byte -= 1;
    }
    let before = &text[..byte];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Pos {
        line: before.matches('\n').count() as u32 + 1,
        column: before[line_start..].chars().count() as u32,
    }
}

/// Where each line of a text starts, so that positions and byte offsets
/// convert in logarithmic time: renderers, fixes and baselines convert
/// once per finding, and a scan from the start each time made a run
/// quadratic in findings times file size.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// The index of `text`.
    pub fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { starts }
    }

    /// Byte offset where 1-based `line` starts (line 0 is line 1); the
    /// text's length past its last line.
    fn line_start(&self, text: &str, line: u32) -> usize {
        let i = line.max(1) as usize - 1;
        self.starts.get(i).copied().unwrap_or(text.len())
    }

    /// [`byte_offset`], by the index.
    pub fn offset(&self, text: &str, pos: Pos) -> usize {
        let i = pos.line.max(1) as usize - 1;
        let Some(&start) = self.starts.get(i) else {
            return text.len();
        };
        let end = self.starts.get(i + 1).map_or(text.len(), |next| next - 1);
        let line_text = &text[start..end.max(start)];
        let within = line_text
            .char_indices()
            .nth(pos.column as usize)
            .map_or(line_text.len(), |(k, _)| k);
        start + within
    }

    /// [`pos_at`], by the index.
    pub fn pos_at(&self, text: &str, byte: usize) -> Pos {
        let mut byte = byte.min(text.len());
        while !text.is_char_boundary(byte) {
            byte -= 1;
        }
        let line = self.starts.partition_point(|s| *s <= byte).max(1);
        let start = self.starts[line - 1];
        Pos {
            line: line as u32,
            column: text[start..byte].chars().count() as u32,
        }
    }
}

/// A file's text with its line index: reads as a `&str`, converts
/// positions without rescanning.
#[derive(Debug, Clone, Copy)]
pub struct Text<'a> {
    text: &'a str,
    lines: &'a LineIndex,
}

impl<'a> Text<'a> {
    /// The text itself.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// Byte offset of `pos` (see [`byte_offset`]).
    pub fn offset(&self, pos: Pos) -> usize {
        self.lines.offset(self.text, pos)
    }

    /// Position of byte offset `byte` (see [`pos_at`]).
    pub fn pos_at(&self, byte: usize) -> Pos {
        self.lines.pos_at(self.text, byte)
    }

    /// Lines `first..=last` (1-based), each with its line ending.
    pub fn lines_between(&self, first: u32, last: u32) -> &'a str {
        let a = self.lines.line_start(self.text, first);
        let b = self.lines.line_start(self.text, last.saturating_add(1));
        &self.text[a..b.max(a)]
    }
}

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        self.text
    }
}

/// One file of the run.
#[derive(Debug, Clone)]
pub struct FileEntry {
    /// The path it was read from (relative paths are relative to the
    /// run's root).
    pub path: PathBuf,
    /// The path as shown to the user, computed once: relative to the
    /// run's root when under it, else as given; `/`-separated.
    pub display: String,
    /// The directory of its crate (the nearest `Cargo.toml`).
    pub crate_root: PathBuf,
    /// Its text, when it could be read as UTF-8.
    pub text: Option<Arc<str>>,
    /// The path that identifies it in fingerprints, the same wherever the
    /// run starts from: relative to its crate's directory, after that
    /// directory's name (`my-crate/src/lib.rs`), `/`-separated.
    pub stable: String,
    /// Its line index, built the first time a position is converted.
    pub lines: std::sync::OnceLock<LineIndex>,
}

impl FileEntry {
    /// A file read from `path` (resolved against the run's root), shown as
    /// `display`, in the crate at `crate_root`, with its text if it was
    /// read; its stable path is worked out here.
    pub fn new(
        path: PathBuf,
        display: String,
        crate_root: PathBuf,
        text: Option<Arc<str>>,
    ) -> FileEntry {
        FileEntry {
            stable: stable_path(&path, &crate_root),
            path,
            display,
            crate_root,
            text,
            lines: Default::default(),
        }
    }
}

/// The files of a run by [`FileId`]: the one place paths are displayed and
/// source text is kept. Fixes, baselines and renderers read text here.
#[derive(Debug, Clone, Default)]
pub struct SourceDb {
    files: Vec<FileEntry>,
}

impl SourceDb {
    /// Add a file; its id is the number of files added before it.
    pub fn add(&mut self, entry: FileEntry) -> FileId {
        self.files.push(entry);
        (self.files.len() - 1) as FileId
    }

    /// The file behind an id.
    pub fn entry(&self, id: FileId) -> &FileEntry {
        &self.files[id as usize]
    }

    /// Its display path.
    pub fn display(&self, id: FileId) -> &str {
        &self.files[id as usize].display
    }

    /// Its text, if it was read.
    pub fn text(&self, id: FileId) -> Option<&str> {
        self.files.get(id as usize)?.text.as_deref()
    }

    /// Its stable path (see [`FileEntry::stable`]).
    pub fn stable(&self, id: FileId) -> &str {
        &self.files[id as usize].stable
    }

    /// Its text with its line index, if it was read.
    pub fn indexed(&self, id: FileId) -> Option<Text<'_>> {
        let entry = self.files.get(id as usize)?;
        let text = entry.text.as_deref()?;
        let lines = entry.lines.get_or_init(|| LineIndex::new(text));
        Some(Text { text, lines })
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Every file with its id.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &FileEntry)> {
        self.files.iter().enumerate().map(|(i, f)| (i as FileId, f))
    }

    /// A copy whose files keep their texts only where `keep` says: the
    /// others are read again when a batch needs them.
    pub fn without_texts(&self, keep: impl Fn(FileId) -> bool) -> SourceDb {
        let files = self
            .iter()
            .map(|(id, f)| FileEntry {
                path: f.path.clone(),
                display: f.display.clone(),
                crate_root: f.crate_root.clone(),
                text: f.text.clone().filter(|_| keep(id)),
                stable: f.stable.clone(),
                lines: Default::default(),
            })
            .collect();
        SourceDb { files }
    }

    /// Give file `id` its text (and a fresh line index).
    pub fn set_text(&mut self, id: FileId, text: Arc<str>) {
        if let Some(f) = self.files.get_mut(id as usize) {
            f.text = Some(text);
            f.lines = Default::default();
        }
    }

    /// The text of `span` in file `id`.
    pub fn slice(&self, id: FileId, span: Span) -> Option<String> {
        let text = self.indexed(id)?;
        let (a, b) = (text.offset(span.start), text.offset(span.end));
        (a < b).then(|| text[a..b].to_string())
    }
}

/// A path as shown to the user: relative to `root` when under it, else as
/// given; `/`-separated, without a leading `./`.
pub fn display_path(path: &Path, root: &Path) -> String {
    let shown = if path.is_absolute() && !root.as_os_str().is_empty() {
        path.strip_prefix(root).unwrap_or(path)
    } else {
        path
    };
    let s = shown.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// The stable path of `path` (already resolved against the run's root) in
/// the crate at `crate_root` (see [`FileEntry::stable`]): symlinks, `.`
/// and `..` resolved, so `dir/./x.rs` and `dir/x.rs` are one file. The
/// crate root comes from discovery, which made it canonical already.
pub fn stable_path(path: &Path, crate_root: &Path) -> String {
    let abs = absolute(path, Path::new(""));
    let root = crate_root;
    let shown = match abs.strip_prefix(root) {
        Ok(rel) => match root.file_name() {
            Some(name) => Path::new(name).join(rel),
            None => rel.to_path_buf(),
        },
        Err(_) => abs.clone(),
    };
    shown.to_string_lossy().replace('\\', "/")
}

/// `path` resolved against `root` (relative paths are relative to it).
pub fn resolve(path: &Path, root: &Path) -> PathBuf {
    if path.is_absolute() || root.as_os_str().is_empty() {
        path.to_path_buf()
    } else {
        root.join(path)
    }
}

/// `path` as an absolute, canonical path when it exists (relative paths
/// resolved against `root`).
pub fn absolute(path: &Path, root: &Path) -> PathBuf {
    let joined = resolve(path, root);
    std::fs::canonicalize(&joined).unwrap_or(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_index_agrees_with_the_scans() {
        let texts = ["", "a", "ab\nçd\n", "\n\n", "x\r\ny\nzé", "é\n\nü"];
        for text in texts {
            let index = LineIndex::new(text);
            for line in 0..6 {
                for column in 0..5 {
                    let pos = Pos { line, column };
                    assert_eq!(
                        index.offset(text, pos),
                        byte_offset(text, pos),
                        "{text:?} {pos:?}"
                    );
                }
            }
            for byte in 0..=text.len() + 1 {
                assert_eq!(
                    index.pos_at(text, byte),
                    pos_at(text, byte),
                    "{text:?} {byte}"
                );
            }
        }
    }

    #[test]
    fn byte_offsets_count_characters() {
        let text = "ab\nçd\n";
        assert_eq!(byte_offset(text, Pos { line: 1, column: 1 }), 1);
        assert_eq!(byte_offset(text, Pos { line: 2, column: 1 }), 5);
        assert_eq!(byte_offset(text, Pos { line: 2, column: 9 }), 6);
        assert_eq!(byte_offset(text, Pos { line: 9, column: 0 }), text.len());
    }

    #[test]
    fn pos_at_inverts_byte_offset() {
        let text = "ab\nçd\n";
        for (line, column) in [(1, 0), (1, 2), (2, 0), (2, 1), (2, 2), (3, 0)] {
            let pos = Pos { line, column };
            assert_eq!(pos_at(text, byte_offset(text, pos)), pos);
        }
        assert_eq!(pos_at(text, 4), Pos { line: 2, column: 0 }, "inside `ç`");
        assert_eq!(pos_at(text, 99), Pos { line: 3, column: 0 });
    }
}
