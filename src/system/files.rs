//! Reading configuration files and directories defensively.
//!
//! The files the profiler reads at start-up (`newrelic.config`, `app.config`,
//! every `extensions/*xml`, reference-profiler §2.3 and §4.1) are read
//! before the application's `Main` runs, on the runtime's thread. The
//! original reads whatever the path names, whole. Here:
//!
//! - only regular files are read: a FIFO named `x.xml` would block start-up
//!   forever, `/dev/zero` behind a symlink would never end; the file is
//!   opened non-blocking and checked with `fstat` on the open descriptor, so
//!   nothing can be swapped in between the check and the read;
//! - a file larger than [`MAX_CONFIG_FILE_BYTES`] is refused instead of
//!   being read and parsed into memory;
//! - names and environment values that are not UTF-8 (Linux allows any
//!   bytes) are reported instead of silently becoming a different,
//!   `U+FFFD`-mangled path (see `super::RealSystem`).
//!
//! Deviations are listed in docs/compatibility.md (C7, X7, P4).

use std::collections::BTreeSet;
use std::ffi::{OsStr, OsString};
use std::fs::OpenOptions;
use std::io::{self, Read};
use std::sync::Mutex;

/// The largest configuration or instrumentation file read, in bytes. The
/// shipped extension files are at most a few tens of KiB and a generated
/// file selecting every method of a large library a few MiB; 16 MiB leaves
/// ample room while keeping a stray log or dump named `*.xml` from being
/// read and parsed (a parsed document costs several times its size).
pub const MAX_CONFIG_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Reads `path` if it is a regular file of at most `limit` bytes.
pub fn read_regular_file(path: &str, limit: u64) -> io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    let size = file.metadata()?.len();
    let too_large = |size: u64| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the file is {size} bytes long, more than the {limit} bytes allowed"),
        )
    };
    if size > limit {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // A file can grow after the size check (or report size 0, like /proc
    // files): read at most one byte past the limit to notice.
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > limit {
        return Err(too_large(read));
    }
    Ok(bytes)
}

/// The first `max` bytes of `path` if it is a regular file.
pub fn read_regular_file_prefix(path: &str, max: usize) -> io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    let mut bytes = Vec::with_capacity(max.min(64 * 1024));
    file.take(u64::try_from(max).unwrap_or(u64::MAX))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Opens `path` for reading if it is a regular file, without blocking.
fn open_regular(path: &str) -> io::Result<std::fs::File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO for reading blocks until a writer appears; with
        // O_NONBLOCK it returns at once and the type check below refuses it.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok(file)
}

/// The names in `dir`. Names that are not valid UTF-8 cannot be represented
/// in the profiler's paths (nor opened by .NET, whose strings are UTF-16),
/// so they are left out and named, lossily, in `skipped`.
pub fn directory_names(dir: &str) -> io::Result<(Vec<String>, Vec<String>)> {
    let mut names = Vec::new();
    let mut skipped = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name();
        match name.into_string() {
            Ok(name) => names.push(name),
            Err(raw) => skipped.push(raw.to_string_lossy().into_owned()),
        }
    }
    Ok((names, skipped))
}

/// An environment value as text: `Err` (with the lossy text, for the log)
/// when it is not valid UTF-8.
pub fn env_text(value: OsString) -> Result<String, String> {
    value
        .into_string()
        .map_err(|raw| raw.to_string_lossy().into_owned())
}

/// True the first time `name` is passed, so a warning about one variable or
/// file is logged once however often it is read (the environment is read
/// again on every refresh and reload).
pub fn first_report(name: &OsStr) -> bool {
    static REPORTED: Mutex<BTreeSet<OsString>> = Mutex::new(BTreeSet::new());
    let mut reported = match REPORTED.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    // Bounded by the variables and directory entries the profiler reads.
    reported.insert(name.to_os_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp() -> tempfile::TempDir {
        tempfile::tempdir().expect("temp dir")
    }

    fn path_text(path: &std::path::Path) -> String {
        path.to_string_lossy().into_owned()
    }

    #[test]
    fn regular_files_are_read_whole() {
        let dir = temp();
        let path = dir.path().join("a.xml");
        std::fs::write(&path, "<extension/>").expect("write");
        assert_eq!(
            read_regular_file(&path_text(&path), 100).expect("read"),
            b"<extension/>"
        );
        assert_eq!(
            read_regular_file(&path_text(&path), 12).expect("at the limit"),
            b"<extension/>"
        );
    }

    #[test]
    fn prefixes_stop_at_the_requested_length() {
        let dir = temp();
        let path = dir.path().join("agent.dll");
        std::fs::write(&path, b"MZ0123456789").expect("write");
        assert_eq!(
            read_regular_file_prefix(&path_text(&path), 4).expect("read"),
            b"MZ01"
        );
        assert_eq!(
            read_regular_file_prefix(&path_text(&path), 100)
                .expect("read")
                .len(),
            12
        );
        assert!(read_regular_file_prefix(&path_text(dir.path()), 4).is_err());
    }

    #[test]
    fn files_over_the_limit_are_refused() {
        let dir = temp();
        let path = dir.path().join("big.xml");
        std::fs::write(&path, vec![b'x'; 101]).expect("write");
        let error = read_regular_file(&path_text(&path), 100).expect_err("too big");
        assert_eq!(
            error.to_string(),
            "the file is 101 bytes long, more than the 100 bytes allowed"
        );
    }

    #[test]
    fn directories_devices_and_fifos_are_refused_without_blocking() {
        let dir = temp();
        let error = read_regular_file(&path_text(dir.path()), 100).expect_err("dir");
        assert_eq!(error.to_string(), "not a regular file");
        #[cfg(unix)]
        {
            let error = read_regular_file("/dev/zero", 100).expect_err("device");
            assert_eq!(error.to_string(), "not a regular file");
            let fifo = dir.path().join("pipe.xml");
            let status = std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .expect("mkfifo runs");
            assert!(status.success());
            let error = read_regular_file(&path_text(&fifo), 100).expect_err("fifo");
            assert_eq!(error.to_string(), "not a regular file");
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_fail_with_the_system_error() {
        let dir = temp();
        let a = dir.path().join("a.xml");
        let b = dir.path().join("b.xml");
        std::os::unix::fs::symlink(&b, &a).expect("symlink");
        std::os::unix::fs::symlink(&a, &b).expect("symlink");
        let error = read_regular_file(&path_text(&a), 100).expect_err("loop");
        assert_eq!(error.raw_os_error(), Some(libc::ELOOP));
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_names_are_skipped_and_reported() {
        use std::os::unix::ffi::OsStrExt;
        let dir = temp();
        std::fs::write(dir.path().join("ok.xml"), "").expect("write");
        std::fs::write(dir.path().join(OsStr::from_bytes(b"bad\xff.xml")), "").expect("write");
        let (names, skipped) = directory_names(&path_text(dir.path())).expect("list");
        assert_eq!(names, vec!["ok.xml"]);
        assert_eq!(skipped, vec!["bad\u{FFFD}.xml"]);
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_environment_values_are_errors() {
        use std::os::unix::ffi::OsStringExt;
        assert_eq!(env_text(OsString::from("/a/b")), Ok("/a/b".to_string()));
        assert_eq!(
            env_text(OsString::from_vec(b"/a/\xfe".to_vec())),
            Err("/a/\u{FFFD}".to_string())
        );
    }

    #[test]
    fn each_name_is_reported_once() {
        let name = OsStr::new("NEWRELIC_FILES_TEST_REPORT_ONCE");
        assert!(first_report(name));
        assert!(!first_report(name));
    }
}
