//! The `tracerArguments` bits handed to the managed agent (reference-profiler
//! §4.3). The layout must stay in sync with the agent's own `TracerFlags`, so
//! every bit is a named constant here and nowhere else.
//!
//! Two halves make the value: what the XML `tracerFactory` says (computed
//! once per point by [`xml_tracer_arguments`]) and what the method itself
//! carries (async state machine, `[Trace]`/`[Transaction]`, computed per
//! method by [`MethodTraits::flags`]). [`tracer_arguments`] combines them
//! without touching the shared point: the original OR-ed the method bits
//! into the point, so they leaked into later methods matched by the same
//! point (§4.3 QUIRK); we deliberately do not reproduce that.

use crate::system::strings::{eq_ignore_case, stoi};

/// Bit 23: the method has `System.Runtime.CompilerServices.AsyncStateMachineAttribute`.
pub const ASYNC_METHOD: u32 = 1 << 23;
/// Bit 22: `NewRelic.Api.Agent.TransactionAttribute` without `Web = true`.
pub const OTHER_TRANSACTION: u32 = 1 << 22;
/// Bit 21: `TransactionAttribute` with `Web = true`.
pub const WEB_TRANSACTION: u32 = 1 << 21;
/// Bit 20: the method has `[Transaction]` or `[Trace]`.
pub const ATTRIBUTE_INSTRUMENTATION: u32 = 1 << 20;
/// Bit 15: `metricName="instance"`.
pub const USE_INVOCATION_TARGET_CLASS_NAME: u32 = 1 << 15;
/// Bit 14: a non-empty `metricName`.
pub const CUSTOM_METRIC_NAME: u32 = 1 << 14;
/// Bit 13: on unless the attribute says otherwise.
pub const SUPPRESS_RECURSIVE_CALLS: u32 = 1 << 13;
/// Bit 12: on for an absent `metric`, `scoped` or `both`.
pub const GENERATE_SCOPED_METRIC: u32 = 1 << 12;
/// Bit 11: `metric` `unscoped` or `both`.
pub const GENERATE_UNSCOPED_METRIC: u32 = 1 << 11;
/// Bit 10: on unless `transactionTraceSegment` says otherwise.
pub const TRANSACTION_TRACER_SEGMENT: u32 = 1 << 10;
/// Bit 9: part of the agent's layout; the profiler never sets it.
pub const COMBINE_MULTIPLE_INVOCATIONS: u32 = 1 << 9;
/// Bit 8: part of the agent's layout; the profiler never sets it.
pub const FULL_CLASS_MATCH: u32 = 1 << 8;

/// Bits 16–18 hold the 3-bit `level`.
pub const LEVEL_SHIFT: u32 = 16;
/// Bits 24–26 hold the 3-bit `transactionNamingPriority`.
pub const TRANSACTION_NAMING_PRIORITY_SHIFT: u32 = 24;

/// An XML point with no optional attributes:
/// `GenerateScopedMetric | SuppressRecursiveCalls | TransactionTracerSegment`.
pub const XML_DEFAULT: u32 =
    GENERATE_SCOPED_METRIC | SUPPRESS_RECURSIVE_CALLS | TRANSACTION_TRACER_SEGMENT;

/// The `tracerFactory` attributes that feed the flags, as read from the XML
/// (`None` = attribute absent).
#[derive(Clone, Copy, Debug, Default)]
pub struct TracerAttributes<'a> {
    pub metric: Option<&'a str>,
    pub metric_name: Option<&'a str>,
    pub level: Option<&'a str>,
    pub suppress_recursive_calls: Option<&'a str>,
    pub transaction_trace_segment: Option<&'a str>,
    pub transaction_naming_priority: Option<&'a str>,
}

/// A numeric attribute (`level` or `transactionNamingPriority`) was not a
/// number. The original's `stoi` throws, which abandons the rest of the file
/// and counts it invalid (§4.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotANumber {
    pub attribute: &'static str,
    pub value: String,
}

/// The flags an XML point carries (§4.2 attribute table, §4.3 layout).
/// Empty attributes count as absent, as in the original. Comparisons are
/// case-insensitive (ASCII-xor).
///
/// `SuppressRecursiveCalls` is read from the `suppressRecursiveCalls`
/// attribute, as the spec says and as the original does at the spec's
/// commit 2d17f05 (older sources took its text from `level`; see
/// docs/compatibility.md X3, which records that there is no difference).
pub fn xml_tracer_arguments(attributes: &TracerAttributes<'_>) -> Result<u32, NotANumber> {
    let mut flags = 0u32;

    flags |= match present(attributes.metric) {
        None => GENERATE_SCOPED_METRIC,
        Some(metric) if eq_ignore_case(metric, "both") => {
            GENERATE_SCOPED_METRIC | GENERATE_UNSCOPED_METRIC
        }
        Some(metric) if eq_ignore_case(metric, "scoped") => GENERATE_SCOPED_METRIC,
        Some(metric) if eq_ignore_case(metric, "unscoped") => GENERATE_UNSCOPED_METRIC,
        // Any other value (e.g. `none`) generates neither metric.
        Some(_) => 0,
    };

    if let Some(name) = present(attributes.metric_name) {
        if eq_ignore_case(name, "instance") {
            flags |= USE_INVOCATION_TARGET_CLASS_NAME;
        }
        flags |= CUSTOM_METRIC_NAME;
    }

    if let Some(level) = present(attributes.level) {
        flags |= three_bits("level", level)? << LEVEL_SHIFT;
    }

    flags |= default_on(
        attributes.suppress_recursive_calls,
        SUPPRESS_RECURSIVE_CALLS,
    );
    flags |= default_on(
        attributes.transaction_trace_segment,
        TRANSACTION_TRACER_SEGMENT,
    );

    if let Some(priority) = present(attributes.transaction_naming_priority) {
        flags |=
            three_bits("transactionNamingPriority", priority)? << TRANSACTION_NAMING_PRIORITY_SHIFT;
    }
    Ok(flags)
}

/// Empty attributes are treated as absent.
fn present(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}

/// Absent/empty → `flag`; present → `flag` only for `true`.
fn default_on(value: Option<&str>, flag: u32) -> u32 {
    match present(value) {
        None => flag,
        Some(value) if eq_ignore_case(value, "true") => flag,
        Some(_) => 0,
    }
}

/// `stoi(value) & 7`: a negative value keeps its low three bits (`-1` → 7).
fn three_bits(attribute: &'static str, value: &str) -> Result<u32, NotANumber> {
    let number = stoi(value).ok_or_else(|| NotANumber {
        attribute,
        value: value.to_string(),
    })?;
    Ok((number & 7).unsigned_abs())
}

/// Which New Relic API attribute a method carries. The original looks for
/// `TransactionAttribute` first and only then for `TraceAttribute`, so a
/// method with both is a transaction (§4.3, §4.8).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ApiAttribute {
    #[default]
    None,
    Trace,
    Transaction {
        web: bool,
    },
}

impl ApiAttribute {
    /// A `TransactionAttribute` from its custom-attribute blob: `Web = true`
    /// is recognised exactly as the original does, by an 11-byte blob whose
    /// byte 10 is 1.
    pub fn transaction_from_blob(blob: &[u8]) -> ApiAttribute {
        let web = blob.len() == 11 && blob.get(10) == Some(&1);
        ApiAttribute::Transaction { web }
    }
}

/// What the rewriter learns about one method that affects its flags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MethodTraits {
    /// Carries `AsyncStateMachineAttribute`.
    pub is_async: bool,
    /// `[Transaction]` / `[Trace]` (never looked for in assemblies whose
    /// name starts with `System.`, `Microsoft.` or `NewRelic.`).
    pub attribute: ApiAttribute,
}

impl MethodTraits {
    /// Bits 20–23 for this method.
    pub fn flags(&self) -> u32 {
        let attribute = match self.attribute {
            ApiAttribute::None => 0,
            ApiAttribute::Trace => ATTRIBUTE_INSTRUMENTATION,
            ApiAttribute::Transaction { web: false } => {
                ATTRIBUTE_INSTRUMENTATION | OTHER_TRANSACTION
            }
            ApiAttribute::Transaction { web: true } => ATTRIBUTE_INSTRUMENTATION | WEB_TRANSACTION,
        };
        let asynchronous = if self.is_async { ASYNC_METHOD } else { 0 };
        attribute | asynchronous
    }
}

/// The `tracerArguments` the wrapper passes for one method: the point's own
/// bits plus this method's. Pure: the point is never modified, so one
/// method's async or attribute bits cannot leak into another's (§4.3 QUIRK
/// not reproduced). For attribute-driven methods without an XML point, pass
/// the synthetic point's 0.
pub fn tracer_arguments(point_arguments: u32, method: &MethodTraits) -> u32 {
    point_arguments | method.flags()
}
