//! One folder of `../shared/reference-runs/`: the original profiler's log
//! (`original.log`), what the application printed under it
//! (`stdout-original.txt`), and — for a log that was cut because it was
//! over 300 KB — the list of its lines that are not per-function noise,
//! kept in `differences.md` (the folder's README explains the cut).

use super::lines::{is_noise, mask_ids};
use std::path::{Path, PathBuf};

/// Where the recordings live: `../shared/reference-runs` beside the
/// repository, as `.ci/run` expects `../shared`.
pub fn root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference-runs");
    assert!(
        root.join("README.md").is_file(),
        "the reference runs are missing: expected {} (the `shared` folder beside the repository, \
         as .ci/run uses it). These tests compare our log with the original profiler's recorded \
         logs and cannot run without them.",
        root.display()
    );
    root
}

/// The scenario folders present, sorted.
pub fn folders() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root())
        .expect("read the reference-runs folder")
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    names.sort();
    names
}

/// What the original wrote in one scenario.
pub struct Recording {
    pub name: String,
    /// `original.log` with function ids masked; for a cut log, the kept
    /// head and tail without the cut marker.
    pub lines: Vec<String>,
    /// Present when the log was cut.
    pub cut: Option<Cut>,
    /// `stdout-original.txt`, line by line.
    pub stdout: Vec<String>,
}

/// A log that was cut: the first `head` and last `tail` lines are in
/// [`Recording::lines`]; `differences.md` lists every line of the full log
/// that is not per-function noise.
pub struct Cut {
    pub head: usize,
    pub tail: usize,
    /// Lines in the full log.
    pub total: usize,
    /// The full log's non-noise lines, in order (ids masked).
    pub skeleton: Vec<String>,
}

impl Recording {
    pub fn load(name: &str) -> Recording {
        let dir = root().join(name);
        let read = |file: &str| {
            std::fs::read_to_string(dir.join(file))
                .unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()))
        };
        let log = read("original.log");
        let mut lines = Vec::new();
        let mut cut = None;
        for (index, line) in log.lines().enumerate() {
            if let Some(rest) = line.strip_prefix("[... ") {
                cut = Some(parse_cut_marker(rest, index, &dir));
                continue;
            }
            lines.push(mask_ids(line));
        }
        if let Some(cut) = cut.as_mut() {
            cut.tail = lines.len() - cut.head;
            cut.skeleton = skeleton_listing(&read("differences.md"));
            assert!(
                cut.skeleton.iter().all(|l| !is_noise(l)),
                "{name}: the differences.md listing holds noise lines"
            );
        }
        Recording {
            name: name.to_string(),
            lines,
            cut,
            stdout: read("stdout-original.txt")
                .lines()
                .map(str::to_string)
                .collect(),
        }
    }

    /// The recorded standard output as a recording of its own, so it can be
    /// compared with the same engine.
    pub fn stdout_only(original: &Recording) -> Recording {
        Recording {
            name: original.name.clone(),
            lines: original.stdout.iter().map(|l| mask_ids(l)).collect(),
            cut: None,
            stdout: Vec::new(),
        }
    }

    /// The original's non-noise lines in order: from the listing when the
    /// log was cut, else from the log itself.
    pub fn skeleton(&self) -> Vec<String> {
        match &self.cut {
            Some(cut) => cut.skeleton.clone(),
            None => self
                .lines
                .iter()
                .filter(|l| !is_noise(l))
                .cloned()
                .collect(),
        }
    }
}

/// `5545 lines cut here (lines 401-5945 of 6145); see differences.md ...]`.
fn parse_cut_marker(rest: &str, index: usize, dir: &Path) -> Cut {
    let total = rest
        .split(" of ")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{}: unreadable cut marker {rest:?}", dir.display()));
    Cut {
        head: index,
        tail: 0,
        total,
        skeleton: Vec::new(),
    }
}

/// The fenced block after `## original.log was cut` in `differences.md`.
fn skeleton_listing(differences: &str) -> Vec<String> {
    let section = differences
        .split("## original.log was cut")
        .nth(1)
        .expect("differences.md has no `original.log was cut` section");
    let block = section
        .split("```")
        .nth(1)
        .expect("no fenced listing in the cut section");
    block
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(mask_ids)
        .collect()
}
