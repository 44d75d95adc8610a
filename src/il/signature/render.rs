//! Text form of types and parameter lists in the reference profiler's exact
//! format (reference-profiler §8.1), used for `parameters` matching (§4.8)
//! and the `argumentSignature` passed to the agent (§5.4).

use super::model::{MethodSig, Primitive, TypeSig};
use crate::il::compressed::table;
use crate::il::error::{IlError, Result};

/// Names TypeDef and TypeRef tokens (namespace-qualified; a nested TypeDef
/// gives only its own name, as `GetTypeDefProps` does).
pub trait TypeNameResolver {
    /// The name of the type, or `None` if unknown.
    fn type_name(&self, token: u32) -> Option<String>;
}

impl<F: Fn(u32) -> Option<String>> TypeNameResolver for F {
    fn type_name(&self, token: u32) -> Option<String> {
        self(token)
    }
}

/// The parameter list: each parameter rendered, joined by `,` without
/// spaces; `...` stands for the vararg sentinel; empty for no parameters.
pub fn render_parameters(sig: &MethodSig, names: &dyn TypeNameResolver) -> Result<String> {
    let mut out = String::new();
    write_params(sig, names, &mut out)?;
    Ok(out)
}

/// One type in the §8.1 text form.
pub fn render_type(ty: &TypeSig, names: &dyn TypeNameResolver) -> Result<String> {
    let mut out = String::new();
    write_type(ty, names, &mut out)?;
    Ok(out)
}

fn write_params(sig: &MethodSig, names: &dyn TypeNameResolver, out: &mut String) -> Result<()> {
    let mut first = true;
    for (i, p) in sig.params.iter().enumerate() {
        if sig.sentinel == Some(i) {
            if !first {
                out.push(',');
            }
            out.push_str("...");
            first = false;
        }
        if !first {
            out.push(',');
        }
        write_type(p, names, out)?;
        first = false;
    }
    Ok(())
}

fn primitive_name(p: Primitive) -> &'static str {
    match p {
        Primitive::Void => "void",
        Primitive::Boolean => "System.Boolean",
        Primitive::Char => "System.Char",
        Primitive::I1 => "System.SByte",
        Primitive::U1 => "System.Byte",
        Primitive::I2 => "System.Int16",
        Primitive::U2 => "System.UInt16",
        Primitive::I4 => "System.Int32",
        Primitive::U4 => "System.UInt32",
        Primitive::I8 => "System.Int64",
        Primitive::U8 => "System.UInt64",
        Primitive::R4 => "System.Single",
        Primitive::R8 => "System.Double",
        Primitive::I => "System.IntPtr",
        Primitive::U => "System.UIntPtr",
        Primitive::String => "System.String",
        Primitive::Object => "System.Object",
        Primitive::TypedByRef => "System.TypedReference",
    }
}

fn type_name(token: u32, names: &dyn TypeNameResolver) -> Result<String> {
    if token >> 24 == table::TYPE_SPEC {
        return Err(IlError::TypeSpecNotSupported);
    }
    names
        .type_name(token)
        .ok_or(IlError::UnresolvedTypeName(token))
}

fn write_type(ty: &TypeSig, names: &dyn TypeNameResolver, out: &mut String) -> Result<()> {
    match ty {
        TypeSig::Primitive(p) => out.push_str(primitive_name(*p)),
        TypeSig::Class(t) | TypeSig::ValueType(t) => out.push_str(&type_name(*t, names)?),
        TypeSig::Var(n) => {
            out.push('!');
            out.push_str(&n.to_string());
        }
        TypeSig::MVar(n) => {
            out.push_str("!!");
            out.push_str(&n.to_string());
        }
        TypeSig::Ptr(t) => {
            write_type(t, names, out)?;
            out.push('*');
        }
        TypeSig::ByRef(t) => {
            write_type(t, names, out)?;
            out.push('&');
        }
        TypeSig::SzArray(t) => {
            write_type(t, names, out)?;
            out.push_str("[]");
        }
        TypeSig::Array(t, shape) => {
            write_type(t, names, out)?;
            out.push('[');
            for dim in 0..shape.rank as usize {
                if dim > 0 {
                    out.push(',');
                }
                if let Some(&size) = shape.sizes.get(dim) {
                    let lo = i64::from(shape.lower_bounds.get(dim).copied().unwrap_or(0));
                    let hi = lo + i64::from(size) - 1;
                    out.push_str(&format!("{lo}...{hi}"));
                }
            }
            out.push(']');
        }
        TypeSig::GenericInst { base, args, .. } => {
            out.push_str(&type_name(*base, names)?);
            out.push('[');
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_type(a, names, out)?;
            }
            out.push(']');
        }
        TypeSig::FnPtr(m) => {
            out.push('(');
            write_type(&m.ret, names, out)?;
            out.push_str(")(");
            write_params(m, names, out)?;
            out.push(')');
        }
        TypeSig::Modified { inner, .. } | TypeSig::Pinned(inner) => write_type(inner, names, out)?,
    }
    Ok(())
}
