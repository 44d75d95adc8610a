//! An in-memory [`SystemCalls`] for the configuration targets: files and
//! environment variables come from the fuzz input, nothing touches the
//! machine. (The library's own mock is test-only.)

use std::collections::BTreeMap;
use std::io;
use NewRelicProfiler::system::{PathStyle, SystemCalls};

pub struct FakeSystem {
    pub style: PathStyle,
    pub env: BTreeMap<String, String>,
    pub files: BTreeMap<String, Vec<u8>>,
    pub process_path: String,
    pub process_directory: String,
}

impl FakeSystem {
    pub fn new(style: PathStyle) -> FakeSystem {
        let (process_path, process_directory) = match style {
            PathStyle::Unix => ("/app/App", "."),
            PathStyle::Windows => (r"C:\app\App.exe", r"C:\app"),
        };
        FakeSystem {
            style,
            env: BTreeMap::new(),
            files: BTreeMap::new(),
            process_path: process_path.to_string(),
            process_directory: process_directory.to_string(),
        }
    }
}

impl SystemCalls for FakeSystem {
    fn env_var(&self, name: &str) -> Option<String> {
        let value = self.env.get(name)?;
        if self.style == PathStyle::Windows && value.is_empty() {
            return None;
        }
        Some(value.clone())
    }
    fn process_path(&self) -> String {
        self.process_path.clone()
    }
    fn parent_process_path(&self) -> String {
        ".".to_string()
    }
    fn command_line(&self) -> String {
        format!("{} --fuzz", self.process_path)
    }
    fn process_directory(&self) -> String {
        self.process_directory.clone()
    }
    fn app_pool_id_from_command_line(&self) -> Option<String> {
        None
    }
    fn registry_home(&self) -> Option<String> {
        None
    }
    fn common_app_data(&self) -> String {
        String::new()
    }
    fn file_exists(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }
    fn directory_exists(&self, path: &str) -> bool {
        let prefix = format!("{path}{}", self.style.separator());
        self.files.keys().any(|file| file.starts_with(&prefix))
    }
    fn create_directory_all(&self, _path: &str) -> io::Result<()> {
        Ok(())
    }
    fn read_file(&self, path: &str) -> io::Result<Vec<u8>> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    }
    fn directory_entries(&self, dir: &str) -> io::Result<Vec<String>> {
        let prefix = format!("{dir}{}", self.style.separator());
        Ok(self
            .files
            .keys()
            .filter_map(|file| file.strip_prefix(&prefix))
            .filter(|rest| !rest.contains(self.style.separator()))
            .map(str::to_string)
            .collect())
    }
    fn process_id(&self) -> u32 {
        4242
    }
    fn path_style(&self) -> PathStyle {
        self.style
    }
}
