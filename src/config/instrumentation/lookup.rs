//! The lookups the rewriter makes on the JIT hot path (reference-profiler
//! §4.8, §6.1): the fast pre-filter, the point for a method (exact
//! parameter match first, then the all-overloads point, then the version
//! range), and the points naming an assembly for eager ReJIT at module
//! load. Hash lookups only; the match key is built in a per-thread buffer so
//! a lookup does not allocate.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

use super::configuration::InstrumentationConfiguration;
use super::point::{write_match_key, InstrumentationPoint, VersionRejection};
use super::version::AssemblyVersion;
use crate::config::LogMessage;
use crate::log::Level;

/// How the rewriter names a method (§4.8 "Identity used for matching").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MethodIdentity<'a> {
    /// The assembly's simple name (no version or culture).
    pub assembly: &'a str,
    /// Namespace-qualified type name, `Outer+Inner` for nesting, backtick
    /// arity, no generic arguments.
    pub type_name: &'a str,
    /// Metadata name (`.ctor`, `get_X`, …).
    pub method: &'a str,
    /// The parameter-signature text, parameters joined by `,` without
    /// spaces; `""` for a parameterless method.
    pub parameters: &'a str,
}

thread_local! {
    static KEY_BUFFER: RefCell<String> = const { RefCell::new(String::new()) };
}

impl InstrumentationConfiguration {
    /// The fast pre-filter of `Function::Create` (§4.8), in its order:
    /// assembly, then method, then type, each an exact case-sensitive set
    /// lookup that also admits the extra helper names. The caller skips it
    /// at TRACE level, for `[Trace]`/`[Transaction]` methods and for the
    /// `NewRelic.Api.Agent` assembly.
    pub fn passes_prefilter(&self, assembly: &str, method: &str, type_name: &str) -> bool {
        self.should_instrument_assembly(assembly)
            && self.should_instrument_method(method)
            && self.should_instrument_type(type_name)
    }

    /// Pre-filter step 1; also the "instrumented assembly" test at module
    /// load (§6.1).
    pub fn should_instrument_assembly(&self, assembly: &str) -> bool {
        self.assembly_names.contains(assembly)
    }

    /// Pre-filter step 2.
    pub fn should_instrument_method(&self, method: &str) -> bool {
        self.method_names.contains(method)
    }

    /// Pre-filter steps 1 and 2 narrowed to one assembly: whether any point
    /// of `assembly` (or, for `mscorlib`, a helper method) is named `method`.
    /// Stricter than step 2 alone but never drops a method that has a
    /// point, since points are looked up by assembly anyway (§4.8): what it
    /// drops earlier would otherwise end as "No instrumentation point",
    /// which is only logged at TRACE, where the pre-filter is off.
    pub fn should_instrument_method_of(&self, assembly: &str, method: &str) -> bool {
        self.method_names_by_assembly
            .get(assembly)
            .is_some_and(|names| names.contains(method))
    }

    /// Pre-filter step 3.
    pub fn should_instrument_type(&self, type_name: &str) -> bool {
        self.class_names.contains(type_name)
    }

    /// The points whose `AssemblyName` equals `assembly` (case-sensitive),
    /// in configuration order, regardless of parameters and versions: the
    /// methods to ReJIT eagerly when that assembly's module loads (§6.1).
    pub fn points_for_assembly<'a>(
        &'a self,
        assembly: &str,
    ) -> impl Iterator<Item = &'a Arc<InstrumentationPoint>> + 'a {
        let indexes = self
            .by_assembly
            .get(assembly)
            .map(Vec::as_slice)
            .unwrap_or_default();
        indexes.iter().filter_map(|&index| self.points.get(index))
    }

    /// The point for a method, or `None` (§4.8 lookup): the points keyed
    /// `[Asm]Type.Method(<parameters>)` if there are any, otherwise those
    /// keyed `[Asm]Type.Method`; among them the first in configuration
    /// order whose version range accepts `version`. Each rejection is
    /// logged at Debug (§3.6).
    pub fn find_point(
        &self,
        method: &MethodIdentity<'_>,
        version: AssemblyVersion,
    ) -> Option<&Arc<InstrumentationPoint>> {
        self.select(method, version, |args| crate::log_debug!("{}", args))
    }

    /// [`Self::find_point`] with the Debug lines returned instead of logged.
    pub fn find_point_with_messages(
        &self,
        method: &MethodIdentity<'_>,
        version: AssemblyVersion,
    ) -> (Option<&Arc<InstrumentationPoint>>, Vec<LogMessage>) {
        let mut messages = Vec::new();
        let found = self.select(method, version, |args| {
            messages.push(LogMessage {
                level: Level::Debug,
                text: args.to_string(),
            });
        });
        (found, messages)
    }

    /// The candidates for a method before the version filter: the points
    /// keyed with exactly these parameters if any, else the all-overloads
    /// points. Both keys are built in one buffer (the second is a prefix of
    /// the first).
    fn candidates(&self, method: &MethodIdentity<'_>) -> &[usize] {
        let search = |buffer: &mut String| {
            buffer.clear();
            write_match_key(
                buffer,
                method.assembly,
                method.type_name,
                method.method,
                Some(method.parameters),
            );
            let exact = self.indexes_by_key(buffer);
            if !exact.is_empty() {
                return exact;
            }
            // `[Asm]Type.Method(<parameters>)` minus `(<parameters>)`.
            buffer.truncate(buffer.len().saturating_sub(method.parameters.len() + 2));
            self.indexes_by_key(buffer)
        };
        let pooled = KEY_BUFFER.try_with(|cell| {
            let mut buffer = cell.try_borrow_mut().ok()?;
            Some(search(&mut buffer))
        });
        match pooled {
            Ok(Some(found)) => found,
            // The thread-local is gone (thread teardown) or in use.
            _ => search(&mut String::new()),
        }
    }

    fn select(
        &self,
        method: &MethodIdentity<'_>,
        version: AssemblyVersion,
        mut debug: impl FnMut(fmt::Arguments<'_>),
    ) -> Option<&Arc<InstrumentationPoint>> {
        for &index in self.candidates(method) {
            let Some(point) = self.points.get(index) else {
                continue;
            };
            match point.check_version(version) {
                Ok(()) => return Some(point),
                Err(VersionRejection::BelowMinimum(min)) => debug(format_args!(
                    "{} version {version} does not meet minimum version {min}",
                    method.assembly
                )),
                Err(VersionRejection::AtOrAboveMaximum(max)) => debug(format_args!(
                    "{} version {version} exceeds maximum version {max}",
                    method.assembly
                )),
            }
        }
        None
    }

    fn indexes_by_key(&self, key: &str) -> &[usize] {
        self.by_key.get(key).map(Vec::as_slice).unwrap_or_default()
    }
}
