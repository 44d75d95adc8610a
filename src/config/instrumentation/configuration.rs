//! The whole instrumentation configuration: every point from every file,
//! the ignore list applied, and the indexes the rewriter's lookups use
//! (reference-profiler §4.4, §4.5, §4.8).
//!
//! Points are kept in file-then-document order (files in sorted path order,
//! as the original's `std::map` iterates them). When several points share a
//! match key, the first in that order whose version range accepts the
//! assembly wins. The original kept a set ordered by pointer address, which
//! made the winner effectively random (§4.4 QUIRK); we deliberately use the
//! stable order instead.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::discovery::XmlSet;
use super::parse::{parse_document, FileError};
use super::point::InstrumentationPoint;
use crate::config::ignore::IgnoreList;
use crate::config::{emit, LogMessage, Messages};
use crate::log::Level;

/// Paths containing one of these (case-insensitively) are skipped with a
/// Warn: they belong to wrappers the agent no longer ships (§4.1).
pub const DEPRECATED_FILES: [&str; 3] = [
    "NewRelic.Providers.Wrapper.Logging.Instrumentation.xml",
    "NewRelic.Providers.Wrapper.CastleMonoRail2.Instrumentation.xml",
    "NewRelic.Providers.Wrapper.Asp35.Instrumentation.xml",
];

/// Names the fast pre-filter always lets through besides the configured
/// ones: `mscorlib` and the .NET Framework helper methods the profiler
/// injects into it, and the exception type that hosts them (§4.8, §5.5).
pub const EXTRA_ASSEMBLY_NAMES: [&str; 1] = ["mscorlib"];
pub const EXTRA_METHOD_NAMES: [&str; 9] = [
    "GetAppDomainBoolean",
    "GetThreadLocalBoolean",
    "SetThreadLocalBoolean",
    "GetMethodFromAppDomainStorageOrReflectionOrThrow",
    "GetMethodFromAppDomainStorage",
    "GetMethodViaReflectionOrThrow",
    "GetTypeViaReflectionOrThrow",
    "LoadAssemblyOrThrow",
    "StoreMethodInAppDomainStorageOrThrow",
];
pub const EXTRA_CLASS_NAMES: [&str; 1] = ["System.CannotUnloadAppDomainException"];

/// All points and their indexes. Immutable once built (the Lambda point is
/// added during `Initialize`, before the rewriter sees it); a refresh builds
/// a new one and the rewriter swaps it in whole.
#[derive(Debug, Default)]
pub struct InstrumentationConfiguration {
    /// File-then-document order.
    pub(super) points: Vec<Arc<InstrumentationPoint>>,
    /// Match key → indexes into `points`, ascending.
    pub(super) by_key: HashMap<String, Vec<usize>>,
    /// Assembly name (case-sensitive) → indexes into `points`, ascending.
    pub(super) by_assembly: HashMap<String, Vec<usize>>,
    pub(super) assembly_names: HashSet<String>,
    pub(super) method_names: HashSet<String>,
    pub(super) class_names: HashSet<String>,
    /// Assembly name → the method names its points (and, for `mscorlib`, the
    /// helper methods) name: a per-assembly pre-filter step, so a method of
    /// a configured assembly whose name only other assemblies configure is
    /// dropped before any further metadata call (issue 18).
    pub(super) method_names_by_assembly: HashMap<String, HashSet<String>>,
    invalid_file_count: usize,
    /// Every instrumentation file offered to the build, in reading order.
    source_files: Vec<String>,
    ignore_list: IgnoreList,
    pub(super) lambda_point_added: bool,
}

impl InstrumentationConfiguration {
    /// No points; the pre-filter still knows the extra names.
    pub fn empty(ignore_list: IgnoreList) -> InstrumentationConfiguration {
        let mut configuration = InstrumentationConfiguration {
            ignore_list,
            ..InstrumentationConfiguration::default()
        };
        configuration.add_extra_names();
        configuration
    }

    /// Builds the configuration from documents keyed by file name (§4.4),
    /// writing the log lines to the global logger. Ends with the Info
    /// `Identified <n> Instrumentation points (not ignored) in .xml files`.
    pub fn from_xml_set(
        xml_set: &XmlSet,
        ignore_list: &IgnoreList,
    ) -> InstrumentationConfiguration {
        let (configuration, messages) = Self::from_xml_set_with_messages(xml_set, ignore_list);
        emit(&messages);
        configuration
    }

    /// [`Self::from_xml_set`] without logging; the lines come back in order.
    pub fn from_xml_set_with_messages(
        xml_set: &XmlSet,
        ignore_list: &IgnoreList,
    ) -> (InstrumentationConfiguration, Vec<LogMessage>) {
        let mut messages = Messages::default();
        let configuration = Self::build(xml_set, ignore_list, &mut messages);
        (configuration, messages.into_vec())
    }

    pub(super) fn build(
        xml_set: &XmlSet,
        ignore_list: &IgnoreList,
        messages: &mut Messages,
    ) -> InstrumentationConfiguration {
        let mut configuration = InstrumentationConfiguration::empty(ignore_list.clone());
        configuration.source_files = xml_set.keys().cloned().collect();
        for (path, text) in xml_set {
            if is_deprecated(path) {
                messages.warn(format!(
                    "Deprecated instrumentation file being ignored: {path}"
                ));
                continue;
            }
            // The original's text has no closing quote here; the spec's
            // catalogue (§3.6) has one, and the spec wins.
            messages.push(
                Level::Debug,
                format!("Parsing instrumentation file '{path}'"),
            );
            let result: Result<(), FileError> = parse_document(text, messages, &mut |point, m| {
                configuration.add_unless_ignored(point, m);
            });
            if let Err(error) = result {
                configuration.invalid_file_count += 1;
                messages.warn(format!(
                    "Exception thrown while attempting to parse instrumentation file '{path}'. Please validate your instrumentation files against extensions/extension.xsd or contact New Relic support."
                ));
                // Ours (docs/compatibility.md X7): the original never says
                // what is wrong with the file.
                messages.warn(format!(
                    "Instrumentation file '{path}' is invalid: {}",
                    error.reason()
                ));
            }
        }
        messages.info(format!(
            "Identified {} Instrumentation points (not ignored) in .xml files",
            configuration.points.len()
        ));
        configuration
    }

    /// Adds `point` unless the ignore list matches its assembly and class
    /// (§4.5), in which case the Debug line says so.
    fn add_unless_ignored(&mut self, point: InstrumentationPoint, messages: &mut Messages) {
        if self
            .ignore_list
            .matches(&point.assembly_name, &point.class_name)
        {
            messages.push(
                Level::Debug,
                format!(
                    "Instrumentation for {} is in the ignore list in the newrelic.config file and will be ignored.",
                    point.match_key()
                ),
            );
            return;
        }
        self.add(point);
    }

    /// Adds a point to the list and every index, bypassing the ignore list
    /// (the Lambda point, §4.7).
    pub(super) fn add(&mut self, point: InstrumentationPoint) {
        let index = self.points.len();
        self.by_key
            .entry(point.match_key())
            .or_default()
            .push(index);
        self.by_assembly
            .entry(point.assembly_name.clone())
            .or_default()
            .push(index);
        self.assembly_names.insert(point.assembly_name.clone());
        self.method_names.insert(point.method_name.clone());
        self.class_names.insert(point.class_name.clone());
        self.method_names_by_assembly
            .entry(point.assembly_name.clone())
            .or_default()
            .insert(point.method_name.clone());
        self.points.push(Arc::new(point));
    }

    fn add_extra_names(&mut self) {
        let owned = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        self.assembly_names.extend(owned(&EXTRA_ASSEMBLY_NAMES));
        self.method_names.extend(owned(&EXTRA_METHOD_NAMES));
        self.class_names.extend(owned(&EXTRA_CLASS_NAMES));
        for assembly in EXTRA_ASSEMBLY_NAMES {
            self.method_names_by_assembly
                .entry(assembly.to_string())
                .or_default()
                .extend(owned(&EXTRA_METHOD_NAMES));
        }
    }

    /// Every point, file-then-document order, the Lambda point last.
    pub fn points(&self) -> &[Arc<InstrumentationPoint>] {
        &self.points
    }

    /// How many points there are (the `Identified <n>` count, plus the
    /// Lambda point once added).
    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// Files that failed to parse (§4.4). At startup a non-zero count only
    /// warns; a refresh must refuse to install such a configuration.
    pub fn invalid_file_count(&self) -> usize {
        self.invalid_file_count
    }

    /// The ignore list this configuration was built with; a refresh without
    /// a config reload reuses it (§4.5).
    /// The instrumentation files this configuration was built from
    /// (deprecated and invalid ones included).
    pub fn source_files(&self) -> &[String] {
        &self.source_files
    }

    pub fn ignore_list(&self) -> &IgnoreList {
        &self.ignore_list
    }

    /// Whether the Lambda handler point was added (§4.7).
    pub fn has_lambda_point(&self) -> bool {
        self.lambda_point_added
    }
}

/// §4.1: a path naming one of the retired wrappers.
pub fn is_deprecated(path: &str) -> bool {
    DEPRECATED_FILES
        .iter()
        .any(|name| crate::system::strings::contains_ignore_case(path, name))
}
