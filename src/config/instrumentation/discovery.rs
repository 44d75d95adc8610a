//! Finding and reading the extension XML files (reference-profiler §4.1),
//! and overlaying the agent's live ("custom") instrumentation documents on
//! them (§4.4, §6.2).

use std::collections::{BTreeMap, BTreeSet};

use crate::config::{emit, LogMessage, Messages};
use crate::runtime::RuntimeKind;
use crate::system::strings::ends_with_ignore_case;
use crate::system::{decode_utf8_text, PathStyle, SystemCalls};

/// Documents keyed by file name (the full path for files from disk), in key
/// order, which is the order they are parsed in (the original's
/// `std::map<xstring_t, xstring_t>`; on Windows it ordered by UTF-16 code
/// units, which differs from this code-point order only for characters
/// outside the Basic Multilingual Plane).
pub type XmlSet = BTreeMap<String, String>;

/// The extensions directory under the agent home.
pub const EXTENSIONS_DIRECTORY: &str = "extensions";

/// The full paths of the instrumentation files, sorted and de-duplicated:
/// `<home>/extensions`, then `<home>/extensions/<netcore|netframework>` if
/// that exists (§4.1). Logs the missing-directory Warn or
/// `Loading instrumentation from <dir>` for each directory scanned.
pub fn extension_file_paths(
    sys: &dyn SystemCalls,
    home: &str,
    runtime: RuntimeKind,
) -> BTreeSet<String> {
    let mut messages = Messages::default();
    let paths = extension_file_paths_collecting(sys, home, runtime, &mut messages);
    emit(&messages.into_vec());
    paths
}

pub(super) fn extension_file_paths_collecting(
    sys: &dyn SystemCalls,
    home: &str,
    runtime: RuntimeKind,
    messages: &mut Messages,
) -> BTreeSet<String> {
    let style = sys.path_style();
    let root = style.join(home, EXTENSIONS_DIRECTORY);
    if sys.directory_exists(&root) {
        messages.info(format!("Loading instrumentation from {root}"));
    } else {
        // The scan still runs (and finds nothing), as in the original.
        messages.warn(format!(
            "Unable to find the New Relic Agent extensions directory ({root}).  No methods will be instrumented except those decorated with [Transaction] or [Trace] attributes in conjunction with the New Relic agent API."
        ));
    }
    let mut paths = xml_files_in_directory_collecting(sys, &root, messages);

    let runtime_directory = style.join(&root, runtime.directory_name());
    if sys.directory_exists(&runtime_directory) {
        messages.info(format!("Loading instrumentation from {runtime_directory}"));
        paths.extend(xml_files_in_directory_collecting(
            sys,
            &runtime_directory,
            messages,
        ));
    }
    paths
}

/// The instrumentation files directly in `directory` (not recursive), as
/// full paths. Linux: every entry whose name ends with the three characters
/// `xml`, case-sensitively, no dot needed (§4.1 QUIRK kept: `fooxml` is
/// read, `FOO.XML` is not). Windows: `*.xml` (case-insensitive), and the
/// Warn `No instrumentation files found.` when nothing matches or the
/// directory cannot be listed. Directories with such names are returned
/// too, as in the original; reading them fails and is logged.
pub fn xml_files_in_directory(sys: &dyn SystemCalls, directory: &str) -> BTreeSet<String> {
    let mut messages = Messages::default();
    let paths = xml_files_in_directory_collecting(sys, directory, &mut messages);
    emit(&messages.into_vec());
    paths
}

fn xml_files_in_directory_collecting(
    sys: &dyn SystemCalls,
    directory: &str,
    messages: &mut Messages,
) -> BTreeSet<String> {
    let style = sys.path_style();
    let names = sys.directory_entries(directory).unwrap_or_default();
    let paths: BTreeSet<String> = names
        .iter()
        .filter(|name| is_instrumentation_file_name(style, name))
        .map(|name| style.join(directory, name))
        .collect();
    if style == PathStyle::Windows && paths.is_empty() {
        messages.warn("No instrumentation files found.");
    }
    paths
}

/// The per-platform file-name rule of §4.1 step 3.
pub fn is_instrumentation_file_name(style: PathStyle, name: &str) -> bool {
    match style {
        PathStyle::Unix => name.ends_with("xml"),
        PathStyle::Windows => ends_with_ignore_case(name, ".xml"),
    }
}

/// Reads each file (UTF-8, BOM consumed) into an [`XmlSet`]. A file that
/// cannot be read is logged at Error and skipped (§4.1 step 4).
pub fn read_xml_files(sys: &dyn SystemCalls, paths: &BTreeSet<String>) -> XmlSet {
    let mut messages = Messages::default();
    let set = read_xml_files_collecting(sys, paths, &mut messages);
    emit(&messages.into_vec());
    set
}

pub(super) fn read_xml_files_collecting(
    sys: &dyn SystemCalls,
    paths: &BTreeSet<String>,
    messages: &mut Messages,
) -> XmlSet {
    let mut set = XmlSet::new();
    for path in paths {
        match sys.read_file(path) {
            Ok(bytes) => {
                set.insert(path.clone(), decode_utf8_text(&bytes));
            }
            Err(error) => {
                // The first line is the file reader's own (with the reason
                // added), the second the caller's catch.
                messages.error(format!("Unable to open file. File path: {path} ({error})"));
                messages.error(format!(
                    "An exception was thrown while reading instrumentation file: {path} - ignoring this file."
                ));
            }
        }
    }
    set
}

/// Discovery and reading together: the documents from disk for `home`.
pub fn read_xml_set(sys: &dyn SystemCalls, home: &str, runtime: RuntimeKind) -> XmlSet {
    let (set, messages) = read_xml_set_with_messages(sys, home, runtime);
    emit(&messages);
    set
}

/// [`read_xml_set`] without logging.
pub fn read_xml_set_with_messages(
    sys: &dyn SystemCalls,
    home: &str,
    runtime: RuntimeKind,
) -> (XmlSet, Vec<LogMessage>) {
    let mut messages = Messages::default();
    let paths = extension_file_paths_collecting(sys, home, runtime, &mut messages);
    let set = read_xml_files_collecting(sys, &paths, &mut messages);
    (set, messages.into_vec())
}

/// Overlays the agent's live-instrumentation documents on the disk set by
/// key (§4.4): a custom document replaces a disk one only when its file
/// name string equals that file's full path; otherwise it is added, and
/// takes its place in key order.
pub fn overlay_custom(disk: &mut XmlSet, custom: &XmlSet) {
    for (name, text) in custom {
        disk.insert(name.clone(), text.clone());
    }
}
