//! Instrumentation configuration (reference-profiler §4): which methods the
//! profiler rewrites and what it tells the agent about each.
//!
//! * [`discovery`] finds `<home>/extensions/*xml` (and the runtime
//!   sub-directory) and reads them; [`discovery::overlay_custom`] lays the
//!   agent's live-instrumentation documents over them.
//! * [`parse`] turns one document into [`InstrumentationPoint`]s with every
//!   attribute rule of §4.2; [`flags`] holds the `tracerArguments` layout.
//! * [`InstrumentationConfiguration`] holds all points in file-then-document
//!   order with the ignore list applied, plus the hash indexes the
//!   rewriter's hot-path lookups use ([`lookup`]), and the AWS Lambda point
//!   ([`lambda`]).
//!
//! Entry points:
//! * `Initialize`: [`load`] (discovery, parsing, the startup log lines, the
//!   Lambda point).
//! * The rewriter: [`InstrumentationConfiguration::passes_prefilter`],
//!   [`InstrumentationConfiguration::find_point`],
//!   [`InstrumentationConfiguration::points_for_assembly`],
//!   [`InstrumentationPoint::tracer_arguments`].
//! * A refresh (later issue): [`discovery::read_xml_set`],
//!   [`discovery::overlay_custom`], [`InstrumentationConfiguration::from_xml_set`].

pub mod configuration;
pub mod discovery;
pub mod flags;
pub mod lambda;
pub mod lookup;
pub mod parse;
pub mod point;
pub mod version;

#[cfg(test)]
mod tests;

pub use configuration::InstrumentationConfiguration;
pub use discovery::XmlSet;
pub use flags::{ApiAttribute, MethodTraits};
pub use lookup::MethodIdentity;
pub use point::InstrumentationPoint;
pub use version::AssemblyVersion;

use super::ignore::IgnoreList;
use super::{emit, LogMessage, Messages};
use crate::runtime::RuntimeKind;
use crate::system::SystemCalls;

/// `InitializeInstrumentationConfig` plus the Lambda check, as `Initialize`
/// runs them (§2.1, §4): discover and read the files under `home`, build the
/// configuration with `ignore_list`, warn if any file was invalid, Trace
/// `Read <n> instrumentation files`, then add the Lambda handler point from
/// the environment. Every line goes to the global logger.
pub fn load(
    sys: &dyn SystemCalls,
    home: &str,
    runtime: RuntimeKind,
    ignore_list: &IgnoreList,
) -> InstrumentationConfiguration {
    let (configuration, messages) = load_with_messages(sys, home, runtime, ignore_list);
    emit(&messages);
    configuration
}

/// [`load`] without logging; the lines come back in reference order.
pub fn load_with_messages(
    sys: &dyn SystemCalls,
    home: &str,
    runtime: RuntimeKind,
    ignore_list: &IgnoreList,
) -> (InstrumentationConfiguration, Vec<LogMessage>) {
    let mut messages = Messages::default();
    let paths = discovery::extension_file_paths_collecting(sys, home, runtime, &mut messages);
    let xml_set = discovery::read_xml_files_collecting(sys, &paths, &mut messages);
    let mut configuration =
        InstrumentationConfiguration::build(&xml_set, ignore_list, &mut messages);
    if configuration.invalid_file_count() > 0 {
        messages.warn(
            "Unable to parse one or more instrumentation files.  Live instrumentation reloading will not work until the unparsable file(s) are corrected or removed.",
        );
    }
    messages.trace(format!("Read {} instrumentation files", xml_set.len()));
    configuration.add_lambda_point_from_environment_collecting(sys, &mut messages);
    (configuration, messages.into_vec())
}
