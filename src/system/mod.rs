//! Everything the profiler asks of the operating system, behind one trait so
//! the configuration, filter and logging rules are pure functions testable
//! with a mock (the original's `ISystemCalls`, reference-profiler §9).

pub mod env;
pub mod files;
#[cfg(test)]
pub mod mock;
pub mod strings;
#[cfg(unix)]
mod unix;
#[cfg(windows)]
mod windows;

use std::io;

/// How paths are joined on a platform (§9: `\` on Windows, `/` elsewhere).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathStyle {
    Windows,
    Unix,
}

impl PathStyle {
    /// The platform this binary runs on.
    pub const fn native() -> PathStyle {
        if cfg!(windows) {
            PathStyle::Windows
        } else {
            PathStyle::Unix
        }
    }

    pub fn separator(self) -> char {
        match self {
            PathStyle::Windows => '\\',
            PathStyle::Unix => '/',
        }
    }

    /// `base + separator + leaf`, verbatim: a trailing separator on `base`
    /// gives a doubled one, as in the original (§3.2).
    pub fn join(self, base: &str, leaf: &str) -> String {
        let mut out = String::with_capacity(base.len() + leaf.len() + 1);
        out.push_str(base);
        out.push(self.separator());
        out.push_str(leaf);
        out
    }

    /// Default log sub-directory under the agent home (§3.2).
    pub fn home_logs_directory_name(self) -> &'static str {
        match self {
            PathStyle::Windows => "Logs",
            PathStyle::Unix => "logs",
        }
    }
}

/// The operating-system queries the profiler makes.
pub trait SystemCalls: Send + Sync {
    /// An environment variable with the platform's empty-value rule applied
    /// (§2.2 QUIRK: on Windows an empty value is absent, on Linux present).
    fn env_var(&self, name: &str) -> Option<String>;
    /// Full path of the executable (`/proc/self/exe` on Linux, `.` if unknown).
    fn process_path(&self) -> String;
    /// Full path of the parent process (Windows); `.` on Linux.
    fn parent_process_path(&self) -> String;
    /// The command line as the original reconstructs it (§9).
    fn command_line(&self) -> String;
    /// Where a local `newrelic.config` is looked for: the executable's
    /// directory on Windows, `.` (the working directory) on Linux (§2.3).
    fn process_directory(&self) -> String;
    /// Application pool id from the `-ap` command-line argument (Windows only).
    fn app_pool_id_from_command_line(&self) -> Option<String>;
    /// `HKLM\Software\New Relic\.NET Agent` value `NewRelicHome` (Windows only).
    fn registry_home(&self) -> Option<String>;
    /// Common application data (`C:\ProgramData`); empty on Linux (§3.2).
    fn common_app_data(&self) -> String;
    /// A regular file exists at `path`.
    fn file_exists(&self, path: &str) -> bool;
    /// A directory exists at `path`.
    fn directory_exists(&self, path: &str) -> bool;
    /// Creates `path` and its parents.
    fn create_directory_all(&self, path: &str) -> io::Result<()>;
    /// Reads a file's bytes.
    fn read_file(&self, path: &str) -> io::Result<Vec<u8>>;
    /// The first `max` bytes of a file (all of it when shorter).
    fn read_file_prefix(&self, path: &str, max: usize) -> io::Result<Vec<u8>> {
        let mut bytes = self.read_file(path)?;
        bytes.truncate(max);
        Ok(bytes)
    }
    /// Names of the entries of `dir` (not recursive), unsorted.
    fn directory_entries(&self, dir: &str) -> io::Result<Vec<String>>;
    /// The current process id.
    fn process_id(&self) -> u32;
    /// Path joining rules of this platform.
    fn path_style(&self) -> PathStyle;
}

/// The real operating system.
#[derive(Debug, Default, Clone, Copy)]
pub struct RealSystem;

impl SystemCalls for RealSystem {
    /// A value that is not valid UTF-8 is treated as absent, with a Warn
    /// the first time: as a path it could only name a different,
    /// `U+FFFD`-mangled file (and .NET cannot open such a path to load the
    /// agent either); as anything else it matches nothing
    /// (docs/compatibility.md P4).
    fn env_var(&self, name: &str) -> Option<String> {
        let value = match files::env_text(std::env::var_os(name)?) {
            Ok(value) => value,
            Err(lossy) => {
                if files::first_report(std::ffi::OsStr::new(name)) {
                    crate::log_warn!(
                        "The environment variable {name} is not valid UTF-8 and is ignored: {lossy}"
                    );
                }
                return None;
            }
        };
        if cfg!(windows) && value.is_empty() {
            return None;
        }
        Some(value)
    }

    fn process_path(&self) -> String {
        #[cfg(unix)]
        return unix::process_path();
        #[cfg(windows)]
        return windows::process_path();
    }

    fn parent_process_path(&self) -> String {
        #[cfg(unix)]
        return ".".to_string();
        #[cfg(windows)]
        return windows::parent_process_path();
    }

    fn command_line(&self) -> String {
        #[cfg(unix)]
        return unix::command_line();
        #[cfg(windows)]
        return windows::command_line();
    }

    fn process_directory(&self) -> String {
        #[cfg(unix)]
        return ".".to_string();
        #[cfg(windows)]
        return windows::process_directory();
    }

    fn app_pool_id_from_command_line(&self) -> Option<String> {
        #[cfg(unix)]
        return None;
        #[cfg(windows)]
        return windows::app_pool_id_from_command_line();
    }

    fn registry_home(&self) -> Option<String> {
        #[cfg(unix)]
        return None;
        #[cfg(windows)]
        return windows::registry_home();
    }

    fn common_app_data(&self) -> String {
        #[cfg(unix)]
        return String::new();
        #[cfg(windows)]
        return windows::common_app_data();
    }

    fn file_exists(&self, path: &str) -> bool {
        std::fs::metadata(path).is_ok_and(|m| m.is_file())
    }

    fn directory_exists(&self, path: &str) -> bool {
        std::fs::metadata(path).is_ok_and(|m| m.is_dir())
    }

    fn create_directory_all(&self, path: &str) -> io::Result<()> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o775)
                .create(path)
        }
        #[cfg(windows)]
        {
            std::fs::create_dir_all(path)
        }
    }

    /// Regular files of at most [`files::MAX_CONFIG_FILE_BYTES`] only.
    fn read_file(&self, path: &str) -> io::Result<Vec<u8>> {
        files::read_regular_file(path, files::MAX_CONFIG_FILE_BYTES)
    }

    fn read_file_prefix(&self, path: &str, max: usize) -> io::Result<Vec<u8>> {
        files::read_regular_file_prefix(path, max)
    }

    /// Entries whose names are not valid UTF-8 are left out, with a Warn.
    fn directory_entries(&self, dir: &str) -> io::Result<Vec<String>> {
        let (names, skipped) = files::directory_names(dir)?;
        for name in skipped {
            let path = self.path_style().join(dir, &name);
            if files::first_report(std::ffi::OsStr::new(&path)) {
                crate::log_warn!("Skipping {path}: the file name is not valid UTF-8.");
            }
        }
        Ok(names)
    }

    fn process_id(&self) -> u32 {
        std::process::id()
    }

    fn path_style(&self) -> PathStyle {
        PathStyle::native()
    }
}

/// Decodes a configuration file: UTF-8 with or without a BOM (the BOM is
/// consumed); invalid sequences become U+FFFD rather than failing.
pub fn decode_utf8_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

/// The application pool id after a `-ap` argument (Windows IIS worker
/// command lines), surrounding double quotes stripped (§2.2). Fewer than
/// three arguments → none.
pub fn app_pool_from_args(args: &[String]) -> Option<String> {
    if args.len() < 3 {
        return None;
    }
    let position = args.iter().position(|a| a == "-ap")?;
    let id = args.get(position + 1)?;
    if id.len() >= 3 && id.starts_with('"') {
        return Some(id.get(1..id.len() - 1).unwrap_or_default().to_string());
    }
    Some(id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_pool_argument() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            app_pool_from_args(&args(&["w3wp.exe", "-ap", "MyPool"])).as_deref(),
            Some("MyPool")
        );
        assert_eq!(
            app_pool_from_args(&args(&["w3wp.exe", "-ap", "\"My Pool\"", "-v"])).as_deref(),
            Some("My Pool")
        );
        assert_eq!(app_pool_from_args(&args(&["w3wp.exe", "-ap"])), None);
        assert_eq!(
            app_pool_from_args(&args(&["w3wp.exe", "-x", "y", "-ap"])),
            None
        );
        assert_eq!(app_pool_from_args(&args(&["w3wp.exe", "-v", "y"])), None);
    }

    #[test]
    fn join_is_verbatim() {
        assert_eq!(PathStyle::Windows.join(r"C:\Foo", "x.log"), r"C:\Foo\x.log");
        assert_eq!(
            PathStyle::Windows.join(r"C:\Foo\", "x.log"),
            r"C:\Foo\\x.log"
        );
        assert_eq!(PathStyle::Unix.join("/a/", "b"), "/a//b");
        assert_eq!(PathStyle::Unix.join("", "b"), "/b");
    }

    #[test]
    fn utf8_files_with_and_without_bom() {
        assert_eq!(decode_utf8_text(b"\xEF\xBB\xBFabc"), "abc");
        assert_eq!(decode_utf8_text("日本語".as_bytes()), "日本語");
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend_from_slice("Mixed 日本 text".as_bytes());
        assert_eq!(decode_utf8_text(&with_bom), "Mixed 日本 text");
        assert_eq!(decode_utf8_text(b"a\xFFb"), "a\u{FFFD}b");
    }

    #[test]
    fn real_system_reads_its_own_process() {
        let sys = RealSystem;
        assert!(sys.process_id() > 0);
        assert!(!sys.process_path().is_empty());
        assert!(!sys.command_line().is_empty());
        assert!(sys.file_exists(&sys.process_path()) || sys.process_path() == ".");
        assert!(sys.directory_exists("."));
        assert!(!sys.file_exists("."));
    }
}
