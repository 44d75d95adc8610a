//! Finding, by metadata alone, the methods of a module the rewriter may
//! instrument (issue 18): the methods named by instrumentation points
//! (reference-profiler §6.1 `GetMethodDefs`, here also for nested classes),
//! the methods carrying the agent API's `[Trace]`/`[Transaction]`
//! attributes (§4.8), and the API methods that are redirected to the agent
//! (§5.6). With ReadyToRun code kept, precompiled methods raise no
//! `JITCompilationStarted`, so these lists are what module load re-JITs.
//! Which of the found methods are really rewritten is still decided by the
//! JIT/ReJIT pipeline (`profiler/jit.rs`): a found method is only a
//! candidate.

use crate::clr::metadata_import::MetadataImport;
use crate::clr::ClrResult;
use crate::ffi::types::{mdMethodDef, mdToken, mdTypeDef};
use std::collections::BTreeSet;

/// The API type whose methods are redirected to the agent (§5.6).
pub const API_TYPE: &str = "NewRelic.Api.Agent.NewRelic";
/// The API's assembly, never pre-filtered (§4.8).
pub const API_ASSEMBLY: &str = "NewRelic.Api.Agent";
/// API methods the API instrumentor leaves alone (§5.6, §5.8 item 9).
pub const API_METHODS_NOT_REWRITTEN: [&str; 2] = [".cctor", "GetAgent"];
pub const TRANSACTION_ATTRIBUTE: &str = "NewRelic.Api.Agent.TransactionAttribute";
pub const TRACE_ATTRIBUTE: &str = "NewRelic.Api.Agent.TraceAttribute";
/// The attributes, in the order the matcher looks for them (§4.8).
pub const API_ATTRIBUTES: [&str; 2] = [TRANSACTION_ATTRIBUTE, TRACE_ATTRIBUTE];

/// Nesting deeper than this is treated as corrupt metadata.
const MAX_NESTING: usize = 64;

/// Attribute scanning is skipped for assemblies whose name starts
/// (case-sensitively) with `System.`, `Microsoft.` or `NewRelic.` (§4.8).
pub fn scans_attributes(assembly: &str) -> bool {
    !(assembly.starts_with("System.")
        || assembly.starts_with("Microsoft.")
        || assembly.starts_with("NewRelic."))
}

/// How a point's class name is looked up in a module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClassLookup {
    /// The original's `FindTypeDefByName` on the whole name: a nested class
    /// (`Outer+Inner`) is not found (§5.8 item 11) and is left to the
    /// JIT → ReJIT path.
    TopLevelOnly,
    /// `Outer+Inner` is followed through the enclosing types, so nested
    /// classes are found too (needed when their code may be precompiled).
    Nested,
}

/// The TypeDef a point's class name denotes: `Namespace.Outer+Inner+…`
/// (§4.8 type-name form: the namespace belongs to the outermost type; every
/// nested name is looked up inside the one before it).
pub fn find_class(
    import: &MetadataImport,
    class_name: &str,
    lookup: ClassLookup,
) -> ClrResult<Option<mdTypeDef>> {
    if lookup == ClassLookup::TopLevelOnly {
        return import.find_type_def(class_name, 0);
    }
    let mut enclosing: mdToken = 0;
    for (depth, part) in class_name.split('+').enumerate() {
        if depth >= MAX_NESTING || part.is_empty() {
            return Ok(None);
        }
        match import.find_type_def(part, enclosing)? {
            Some(type_def) => enclosing = type_def,
            None => return Ok(None),
        }
    }
    Ok(Some(enclosing))
}

/// The methods of the module's `NewRelic.Api.Agent.NewRelic` type that the
/// API instrumentor rewrites (all but `.cctor` and `GetAgent`), empty when
/// the module does not define the type. Any assembly may (§5.1: the type is
/// matched by name alone).
pub fn api_methods(import: &MetadataImport) -> ClrResult<Vec<mdMethodDef>> {
    let Some(api_type) = import.find_type_def(API_TYPE, 0)? else {
        return Ok(Vec::new());
    };
    let mut rewritten = Vec::new();
    for method in import.methods(api_type)? {
        let name = import.method_name(method)?;
        if !API_METHODS_NOT_REWRITTEN.contains(&name.as_str()) {
            rewritten.push(method);
        }
    }
    Ok(rewritten)
}

/// The constructors through which a custom attribute of a type named one of
/// `names` can be applied in this module: the `.ctor` MemberRefs of every
/// TypeRef with that name (whatever assembly it resolves to — the
/// original's `GetCustomAttributeByName` matches by name) and the `.ctor`
/// methods of a TypeDef with that name.
pub fn attribute_constructors(
    import: &MetadataImport,
    names: &[&str],
) -> ClrResult<BTreeSet<mdToken>> {
    let mut constructors = BTreeSet::new();
    for name in names {
        if let Some(type_def) = import.find_type_def(name, 0)? {
            constructors.extend(import.methods_named(type_def, ".ctor")?);
        }
    }
    for type_ref in import.type_refs()? {
        let (_, name) = import.type_ref_props(type_ref)?;
        if names.contains(&name.as_str()) {
            for member_ref in import.member_refs(type_ref)? {
                if import.member_ref_props(member_ref)?.name == ".ctor" {
                    constructors.insert(member_ref);
                }
            }
        }
    }
    Ok(constructors)
}

/// The methods of this module that carry an attribute applied through one
/// of `constructors` (see [`attribute_constructors`]).
pub fn methods_with_attributes(
    import: &MetadataImport,
    constructors: &BTreeSet<mdToken>,
) -> ClrResult<BTreeSet<mdMethodDef>> {
    let mut methods = BTreeSet::new();
    if constructors.is_empty() {
        return Ok(methods);
    }
    for attribute in import.custom_attributes()? {
        let (owner, constructor) = import.custom_attribute_owner(attribute)?;
        if owner >> 24 == 0x06 && constructors.contains(&constructor) {
            methods.insert(owner);
        }
    }
    Ok(methods)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_scanning_skips_the_framework_and_agent_prefixes_case_sensitively() {
        assert!(!scans_attributes("System.Private.CoreLib"));
        assert!(!scans_attributes("Microsoft.AspNetCore.Mvc.Core"));
        assert!(!scans_attributes("NewRelic.Api.Agent"));
        assert!(scans_attributes("system.Lowercase"));
        assert!(scans_attributes("System"));
        assert!(scans_attributes("MyApp"));
    }
}
