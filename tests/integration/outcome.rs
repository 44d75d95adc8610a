//! What a profiled process left behind: its exit status and output
//! (`Outcome`) and its profiler log (`Log`), with the assertions the
//! integration tests make on them. Re-exported by `support`.

use std::path::{Path, PathBuf};

/// What the process did.
pub struct Outcome {
    pub status: std::process::ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// The pid the test app printed on its first line.
    pub fn pid(&self) -> u32 {
        self.stdout
            .lines()
            .find_map(|l| l.strip_prefix("PID="))
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| {
                panic!(
                    "no PID line in output:\n{}\nstderr:\n{}",
                    self.stdout, self.stderr
                )
            })
    }

    /// Asserts a zero exit code, showing the output otherwise.
    pub fn assert_success(&self) -> &Outcome {
        assert!(
            self.status.success(),
            "process failed ({:?})\nstdout:\n{}\nstderr:\n{}",
            self.status,
            self.stdout,
            self.stderr
        );
        self
    }

    /// The test app ran to completion (its normal output is present).
    pub fn assert_app_ran(&self) -> &Outcome {
        self.assert_success();
        assert!(
            self.stdout.contains("ProfilerTestApp: hello"),
            "app output missing:\n{}",
            self.stdout
        );
        self
    }

    /// `dir/NewRelic.Profiler.<pid>.log`.
    pub fn log_path(&self, dir: &Path) -> PathBuf {
        dir.join(format!("NewRelic.Profiler.{}.log", self.pid()))
    }

    /// The profiler log of this process in `dir`; panics if absent.
    pub fn log(&self, dir: &Path) -> Log {
        let path = self.log_path(dir);
        let text = read_text(&path).unwrap_or_else(|e| {
            panic!(
                "no profiler log at {}: {e}\nfiles: {:?}\nstdout:\n{}\nstderr:\n{}",
                path.display(),
                std::fs::read_dir(dir)
                    .map(|d| d.flatten().map(|e| e.file_name()).collect::<Vec<_>>()),
                self.stdout,
                self.stderr
            )
        });
        Log { text }
    }
}

/// A text file the target wrote, with Windows line ends made `\n`.
pub fn read_text(path: &Path) -> std::io::Result<String> {
    std::fs::read_to_string(path).map(|text| text.replace("\r\n", "\n"))
}

/// A profiler log's text with assertion helpers.
pub struct Log {
    pub text: String,
}

impl Log {
    /// The messages (text after the 28-character `[Level] timestamp ` prefix).
    pub fn messages(&self) -> Vec<&str> {
        self.text
            .lines()
            .map(|l| l.get(28..).unwrap_or(l))
            .collect()
    }

    pub fn has(&self, message: &str) -> bool {
        self.messages().contains(&message)
    }

    pub fn has_prefix(&self, prefix: &str) -> bool {
        self.messages().iter().any(|m| m.starts_with(prefix))
    }

    pub fn assert_has(&self, message: &str) -> &Log {
        assert!(self.has(message), "log lacks {message:?}:\n{}", self.text);
        self
    }

    pub fn assert_has_prefix(&self, prefix: &str) -> &Log {
        assert!(
            self.has_prefix(prefix),
            "log lacks a line starting {prefix:?}:\n{}",
            self.text
        );
        self
    }

    /// The §2.5 line of a process excluded by name:
    /// `Process <name> excluded by configuration.`
    pub fn assert_excluded_by_configuration(&self) -> &Log {
        assert!(
            self.messages()
                .iter()
                .any(|m| m.starts_with("Process ") && m.ends_with(" excluded by configuration.")),
            "log lacks `Process … excluded by configuration.`:\n{}",
            self.text
        );
        self
    }

    pub fn assert_lacks(&self, message: &str) -> &Log {
        assert!(
            !self.has(message),
            "log unexpectedly has {message:?}:\n{}",
            self.text
        );
        self
    }
}

/// Files named `NewRelic.Profiler.*.log` in `dir`.
pub fn log_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("NewRelic.Profiler.") && n.ends_with(".log"))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}
