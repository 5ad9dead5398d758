//! Reading and writing the files a run is pointed at, so that they are
//! what they claim: a configuration or baseline is read only from a
//! regular file of bounded size (a FIFO would block forever, `/dev/zero`
//! would grow without end), and a baseline is written only over a regular
//! file or a new path, keeping the old file's permissions (never through a
//! symlink, never over a device).

use std::io::{Read, Write};
use std::path::Path;

/// Largest configuration file read (`spawnlint.toml`, `Cargo.toml`,
/// `--config`).
pub const MAX_CONFIG_BYTES: u64 = 4 << 20;

/// Largest baseline read.
pub const MAX_BASELINE_BYTES: u64 = 256 << 20;

/// Default largest source file analyzed: bigger files are reported and
/// skipped (`--max-file-size`).
pub const DEFAULT_MAX_SOURCE_BYTES: u64 = 32 << 20;

/// Why a checked read failed.
#[derive(Debug)]
pub enum ReadError {
    /// Not a regular file (a directory, FIFO, device, socket).
    NotAFile(&'static str),
    /// Larger than the cap.
    TooLarge { size: u64, cap: u64 },
    /// The OS said no.
    Io(std::io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotAFile(kind) => write!(f, "not a regular file (it is {kind})"),
            ReadError::TooLarge { size, cap } => {
                write!(f, "file too large ({size} bytes; the limit is {cap})")
            }
            ReadError::Io(e) => write!(f, "{e}"),
        }
    }
}

/// The bytes of `path`, which must be a regular file (symlinks followed)
/// of at most `cap` bytes. A file that grows while it is read is cut at
/// `cap + 1` bytes and refused.
pub fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile(kind_of(&meta.file_type())));
    }
    if meta.len() > cap {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            cap,
        });
    }
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            cap,
        });
    }
    Ok(bytes)
}

/// [`read_regular`] as UTF-8 text.
pub fn read_regular_text(path: &Path, cap: u64) -> Result<String, String> {
    let bytes = read_regular(path, cap).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| "not valid UTF-8".to_string())
}

/// Write `text` to `path` atomically (a temporary file beside it, renamed
/// over it). `path` must be a new path or an existing regular file, whose
/// permissions the new file keeps; a symlink, directory, device or FIFO is
/// refused and left as it is.
pub fn write_replacing(path: &Path, text: &str) -> Result<(), String> {
    let existing = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_file() => Some(meta.permissions()),
        Ok(meta) => {
            return Err(format!(
                "refusing to replace it: it is {}, not a regular file",
                kind_of(&meta.file_type())
            ))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e.to_string()),
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or("not a file name")?;
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        // `create_new`: never follow or truncate something already there.
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(text.as_bytes())?;
        if let Some(perms) = existing {
            f.set_permissions(perms)?;
        }
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        e.to_string()
    })
}

/// What a non-regular file is, in words.
fn kind_of(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_symlink() {
        "a symbolic link"
    } else if t.is_dir() {
        "a directory"
    } else if t.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_directories_are_not_read() {
        assert!(matches!(
            read_regular(Path::new("/dev/zero"), 10),
            Err(ReadError::NotAFile("a device"))
        ));
        assert!(matches!(
            read_regular(Path::new("/"), 10),
            Err(ReadError::NotAFile("a directory"))
        ));
    }

    #[test]
    fn a_file_over_the_cap_is_refused() {
        let dir = std::env::temp_dir().join(format!("spawnlint-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("big");
        std::fs::write(&f, [b'x'; 11]).unwrap();
        assert!(matches!(
            read_regular(&f, 10),
            Err(ReadError::TooLarge { size: 11, cap: 10 })
        ));
        assert_eq!(read_regular(&f, 11).unwrap().len(), 11);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn writing_keeps_permissions_and_refuses_links_and_devices() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("spawnlint-write-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("b.json");
        std::fs::write(&f, "old").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_replacing(&f, "new").unwrap();
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "new");
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);

        let link = dir.join("link.json");
        std::os::unix::fs::symlink(&f, &link).unwrap();
        let e = write_replacing(&link, "x").unwrap_err();
        assert!(e.contains("symbolic link"), "{e}");
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "new");

        let e = write_replacing(Path::new("/dev/null"), "x").unwrap_err();
        assert!(e.contains("device"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
