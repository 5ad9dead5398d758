//! Positions in source files, and the run's source database: every file's
//! id, path, display path and text, read once.

use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A position: 1-based line, 0-based column counted in characters (as
/// proc-macro2 reports it). Renderers convert to 1-based columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 0-based character column.
    pub column: u32,
}

/// A half-open range of source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
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

    /// The text of `span` in file `id`.
    pub fn slice(&self, id: FileId, span: Span) -> Option<String> {
        let text = self.text(id)?;
        let (a, b) = (byte_offset(text, span.start), byte_offset(text, span.end));
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
