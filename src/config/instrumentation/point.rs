//! One instrumentation point: "call tracer factory F for method M of class
//! C in assembly A" (reference-profiler §4.3).

use std::fmt;

use super::flags;
use super::version::AssemblyVersion;
use crate::system::strings::eq_ignore_case;

/// Used when `tracerFactory/@name` is absent or empty, and for methods
/// instrumented only because of `[Trace]`/`[Transaction]` (§4.2, §4.8).
pub const DEFAULT_TRACER_FACTORY: &str =
    "NewRelic.Agent.Core.Tracer.Factories.DefaultTracerFactory";

/// A point: what to match and what to tell the agent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InstrumentationPoint {
    /// `tracerFactory/@name` (defaulted), passed to the agent.
    pub tracer_factory_name: String,
    /// `match/@assemblyName`: the assembly's simple name, case-sensitive.
    pub assembly_name: String,
    /// One entry of `match/@className`: namespace-qualified, `+` for
    /// nesting, backtick arity for generics.
    pub class_name: String,
    /// `exactMethodMatcher/@methodName`, case-sensitive.
    pub method_name: String,
    /// `None`: every overload. `Some("")`: the parameterless overload.
    /// Otherwise the parameter-signature text with whitespace removed.
    pub parameters: Option<String>,
    /// The raw `tracerFactory/@metric` (kept for completeness; the flags
    /// already encode it).
    pub metric_type: String,
    /// `tracerFactory/@metricName`, verbatim, passed to the agent.
    pub metric_name: String,
    /// The XML part of `tracerArguments` (§4.3 layout); the per-method bits
    /// are added by [`flags::tracer_arguments`] without changing this.
    pub tracer_factory_args: u32,
    /// Inclusive lower bound on the assembly version.
    pub min_version: Option<AssemblyVersion>,
    /// Exclusive upper bound on the assembly version.
    pub max_version: Option<AssemblyVersion>,
}

/// Why a point's version range rejected an assembly version; each carries
/// the bound for the Debug line of §3.6.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionRejection {
    BelowMinimum(AssemblyVersion),
    AtOrAboveMaximum(AssemblyVersion),
}

impl InstrumentationPoint {
    /// The synthetic point for a method instrumented only because it carries
    /// `[Trace]`/`[Transaction]` (§4.8): default factory, empty metric
    /// name, and no XML flags at all (not even the defaults an XML point
    /// gets).
    pub fn for_api_attribute(assembly: &str, class: &str, method: &str) -> InstrumentationPoint {
        InstrumentationPoint {
            tracer_factory_name: DEFAULT_TRACER_FACTORY.to_string(),
            assembly_name: assembly.to_string(),
            class_name: class.to_string(),
            method_name: method.to_string(),
            ..InstrumentationPoint::default()
        }
    }

    /// The lookup key: `[Asm]Class.Method` when the point covers every
    /// overload, else `[Asm]Class.Method(<params>)`.
    pub fn match_key(&self) -> String {
        let mut key = String::new();
        write_match_key(
            &mut key,
            &self.assembly_name,
            &self.class_name,
            &self.method_name,
            self.parameters.as_deref(),
        );
        key
    }

    /// `min <= version < max`, each bound optional (§4.6).
    pub fn check_version(&self, version: AssemblyVersion) -> Result<(), VersionRejection> {
        if let Some(min) = self.min_version {
            if version < min {
                return Err(VersionRejection::BelowMinimum(min));
            }
        }
        if let Some(max) = self.max_version {
            if version >= max {
                return Err(VersionRejection::AtOrAboveMaximum(max));
            }
        }
        Ok(())
    }

    /// The `tracerArguments` for one method matched by this point.
    pub fn tracer_arguments(&self, method: &flags::MethodTraits) -> u32 {
        flags::tracer_arguments(self.tracer_factory_args, method)
    }

    /// The original's `operator==`, used only by its tests (§4.3): names
    /// equal case-insensitively; parameters equal if either side is unset,
    /// if equal case-insensitively, or if one is empty and the other `void`.
    /// Not `PartialEq`, because it is neither strict nor transitive.
    pub fn same_target(&self, other: &InstrumentationPoint) -> bool {
        eq_ignore_case(&self.assembly_name, &other.assembly_name)
            && eq_ignore_case(&self.class_name, &other.class_name)
            && eq_ignore_case(&self.method_name, &other.method_name)
            && parameters_match(self.parameters.as_deref(), other.parameters.as_deref())
    }
}

fn parameters_match(left: Option<&str>, right: Option<&str>) -> bool {
    match (left, right) {
        (None, _) | (_, None) => true,
        (Some(left), Some(right)) => {
            eq_ignore_case(left, right)
                || (left.is_empty() && eq_ignore_case(right, "void"))
                || (right.is_empty() && eq_ignore_case(left, "void"))
        }
    }
}

/// Appends a match key to `out` (shared by points and lookups so both sides
/// build byte-identical keys; the lookup reuses one buffer per thread).
pub(crate) fn write_match_key(
    out: &mut String,
    assembly: &str,
    class: &str,
    method: &str,
    parameters: Option<&str>,
) {
    out.reserve(assembly.len() + class.len() + method.len() + 4);
    out.push('[');
    out.push_str(assembly);
    out.push(']');
    out.push_str(class);
    out.push('.');
    out.push_str(method);
    if let Some(parameters) = parameters {
        out.push('(');
        out.push_str(parameters);
        out.push(')');
    }
}

/// `[Asm]Class.Method(params)`, with empty parentheses when every overload
/// is covered (the original's `ToString`).
impl fmt::Display for InstrumentationPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}]{}.{}({})",
            self.assembly_name,
            self.class_name,
            self.method_name,
            self.parameters.as_deref().unwrap_or("")
        )
    }
}
