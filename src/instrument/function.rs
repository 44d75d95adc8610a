//! The identity of a JIT-compiled function as the matcher and the log see
//! it (reference-profiler §4.8 "Identity used for matching", §3.6 `<fn>`).

use super::module_facts::ModuleFacts;
use crate::clr::metadata_import::{MetadataImport, MethodProps};
use crate::clr::ClrResult;
use crate::ffi::types::{mdMethodDef, mdToken, mdTypeDef, FunctionID};
use crate::il::signature::{render_parameters, MethodSig};
use crate::il::IlError;
use std::fmt;
use std::sync::Arc;

/// Nesting deeper than this is treated as corrupt metadata.
const MAX_NESTING: usize = 64;

/// `CorMethodAttr` bits the skip rules read (corhdr.h).
pub const MD_STATIC: u32 = 0x0010;
pub const MD_SPECIAL_NAME: u32 = 0x0800;
pub const MD_PINVOKE_IMPL: u32 = 0x2000;
pub const MD_UNMANAGED_EXPORT: u32 = 0x0008;
/// `CorTypeAttr` layout bits.
pub const TD_LAYOUT_MASK: u32 = 0x0018;
pub const TD_SEQUENTIAL_LAYOUT: u32 = 0x0008;

/// Everything known about one function being considered for rewriting.
pub struct FunctionIdentity {
    pub function_id: FunctionID,
    pub module: Arc<ModuleFacts>,
    /// The AppDomain's name when this function was identified (§3.6 `<fn>`;
    /// see [`ModuleFacts::app_domain_name`]).
    pub app_domain: String,
    pub method_token: mdMethodDef,
    pub method: MethodProps,
    /// `Outer+Inner`, namespace-qualified, backtick arity kept.
    pub type_name: String,
    pub type_flags: u32,
    /// The parsed method signature.
    pub signature: MethodSig,
    /// The §8.1 parameter text (`System.String,!!0`).
    pub parameters: String,
}

impl FunctionIdentity {
    pub fn class_token(&self) -> mdTypeDef {
        self.method.class
    }

    pub fn is_static(&self) -> bool {
        self.method.attributes & MD_STATIC != 0
    }
}

/// `(Module: <path>, AppDomain: <name>)[<assembly>]<type>.<method>(<parameters>)` (§3.6).
impl fmt::Display for FunctionIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "(Module: {}, AppDomain: {})[{}]{}.{}({})",
            self.module.path,
            self.app_domain,
            self.module.assembly_name,
            self.type_name,
            self.method.name,
            self.parameters
        )
    }
}

/// The matching name of a type: its own name, prefixed by its enclosing
/// types joined with `+` (§4.8). Also returns the type's own flags.
pub fn type_name_and_flags(
    import: &MetadataImport,
    type_def: mdTypeDef,
) -> ClrResult<(String, u32)> {
    let props = import.type_def_props(type_def)?;
    let mut name = props.name;
    let mut current = type_def;
    for _ in 0..MAX_NESTING {
        match import.enclosing_class(current)? {
            Some(enclosing) => {
                let outer = import.type_def_props(enclosing)?.name;
                name = format!("{outer}+{name}");
                current = enclosing;
            }
            None => break,
        }
    }
    Ok((name, props.flags))
}

/// Whether `type_def` is a value type: it extends `System.ValueType` or
/// `System.Enum` (ECMA-335 II.13) and is not `System.Enum` itself. The
/// original only skips sequential-layout types (§5.8), but a value type of
/// any layout (explicit, or auto like the compiler's async state machines)
/// receives `this` as a managed pointer, which the wrapper cannot pass as
/// `object` (compatibility R10).
pub fn is_value_type(import: &MetadataImport, type_def: mdTypeDef) -> ClrResult<bool> {
    let props = import.type_def_props(type_def)?;
    let base = signature_type_name(import, props.extends).unwrap_or_default();
    Ok(match base.as_str() {
        "System.ValueType" => props.name != "System.Enum",
        "System.Enum" => true,
        _ => false,
    })
}

/// The name a signature uses for a TypeDef or TypeRef token (§8.1):
/// `GetTypeDefProps`/`GetTypeRefProps` name (a nested TypeDef gives only its
/// own name). TypeSpecs are rejected by the renderer.
pub fn signature_type_name(import: &MetadataImport, token: mdToken) -> Option<String> {
    match token >> 24 {
        0x02 => import.type_def_props(token).ok().map(|p| p.name),
        0x01 => import.type_ref_props(token).ok().map(|(_, name)| name),
        _ => None,
    }
}

/// Parses the method signature and renders its parameter text.
pub fn parameter_text(
    import: &MetadataImport,
    signature: &[u8],
) -> Result<(MethodSig, String), IlError> {
    let sig = MethodSig::parse(signature)?;
    let resolver = |token: u32| signature_type_name(import, token);
    let text = render_parameters(&sig, &resolver)?;
    Ok((sig, text))
}
