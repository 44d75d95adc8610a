//! An in-memory [`SystemCalls`] for unit tests (the original's
//! `MockSystemCalls`): environment, files and process facts are plain maps.

use super::{PathStyle, SystemCalls};
use parking_lot::Mutex;
use std::collections::{BTreeMap, BTreeSet};
use std::io;

pub struct MockSystem {
    style: PathStyle,
    env: BTreeMap<String, String>,
    files: BTreeMap<String, Vec<u8>>,
    directories: Mutex<BTreeSet<String>>,
    pub process_path: String,
    pub parent_process_path: String,
    pub command_line: String,
    pub process_directory: String,
    pub app_pool_from_command_line: Option<String>,
    pub registry_home: Option<String>,
    pub common_app_data: String,
    pub pid: u32,
    /// Directories whose creation fails.
    pub uncreatable: BTreeSet<String>,
}

impl Default for MockSystem {
    fn default() -> Self {
        MockSystem::new()
    }
}

impl MockSystem {
    /// A Linux-like system.
    pub fn new() -> MockSystem {
        MockSystem {
            style: PathStyle::Unix,
            env: BTreeMap::new(),
            files: BTreeMap::new(),
            directories: Mutex::new(BTreeSet::new()),
            process_path: "/usr/bin/dotnet".to_string(),
            parent_process_path: ".".to_string(),
            command_line: "dotnet app.dll ".to_string(),
            process_directory: ".".to_string(),
            app_pool_from_command_line: None,
            registry_home: None,
            common_app_data: String::new(),
            pid: 1234,
            uncreatable: BTreeSet::new(),
        }
    }

    /// A Windows-like system (empty variables are absent, `\` separators).
    pub fn windows() -> MockSystem {
        MockSystem {
            style: PathStyle::Windows,
            process_path: r"C:\app\app.exe".to_string(),
            process_directory: r"C:\app".to_string(),
            command_line: r"C:\app\app.exe".to_string(),
            common_app_data: r"C:\Common\AppData\FolderPath".to_string(),
            ..MockSystem::new()
        }
    }

    pub fn with_env(mut self, name: &str, value: &str) -> MockSystem {
        self.env.insert(name.to_string(), value.to_string());
        self
    }

    pub fn with_file(mut self, path: &str, contents: &str) -> MockSystem {
        self.files
            .insert(path.to_string(), contents.as_bytes().to_vec());
        self
    }

    pub fn with_directory(self, path: &str) -> MockSystem {
        self.directories.lock().insert(path.to_string());
        self
    }

    /// Directories created so far (and pre-existing ones).
    pub fn directories(&self) -> BTreeSet<String> {
        self.directories.lock().clone()
    }
}

impl SystemCalls for MockSystem {
    fn env_var(&self, name: &str) -> Option<String> {
        let value = self.env.get(name)?.clone();
        if self.style == PathStyle::Windows && value.is_empty() {
            return None;
        }
        Some(value)
    }

    fn process_path(&self) -> String {
        self.process_path.clone()
    }

    fn parent_process_path(&self) -> String {
        self.parent_process_path.clone()
    }

    fn command_line(&self) -> String {
        self.command_line.clone()
    }

    fn process_directory(&self) -> String {
        self.process_directory.clone()
    }

    fn app_pool_id_from_command_line(&self) -> Option<String> {
        self.app_pool_from_command_line.clone()
    }

    fn registry_home(&self) -> Option<String> {
        self.registry_home.clone()
    }

    fn common_app_data(&self) -> String {
        self.common_app_data.clone()
    }

    fn file_exists(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    fn directory_exists(&self, path: &str) -> bool {
        self.directories.lock().contains(path)
    }

    fn create_directory_all(&self, path: &str) -> io::Result<()> {
        if self.uncreatable.contains(path) {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "mock: cannot create",
            ));
        }
        self.directories.lock().insert(path.to_string());
        Ok(())
    }

    fn read_file(&self, path: &str) -> io::Result<Vec<u8>> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "mock: no such file"))
    }

    fn directory_entries(&self, dir: &str) -> io::Result<Vec<String>> {
        if !self.directory_exists(dir) {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "mock: no such directory",
            ));
        }
        let prefix = format!("{dir}{}", self.style.separator());
        Ok(self
            .files
            .keys()
            .filter_map(|p| p.strip_prefix(&prefix))
            .filter(|rest| !rest.contains(self.style.separator()))
            .map(str::to_string)
            .collect())
    }

    fn process_id(&self) -> u32 {
        self.pid
    }

    fn path_style(&self) -> PathStyle {
        self.style
    }
}
