//! Writing signatures (the inverse of [`super::parse`]), a small builder for
//! new method signatures, and appending locals to a local variable
//! signature (reference-profiler §5.2, §5.4).

use super::model::{
    conv, element as e, FieldSig, LocalSig, MethodSig, MethodSpecSig, PropertySig, Signature,
    TypeSig,
};
use crate::il::compressed::Reader;
use crate::il::compressed::{write_compressed_i32, write_compressed_u32, write_type_def_or_ref};
use crate::il::error::{IlError, Result};

/// Largest local count a method may have after appending
/// (reference-profiler §5.4: a count ≥ 0xFFFE aborts).
pub const MAX_LOCALS: u32 = 0xFFFE;

impl TypeSig {
    /// Appends the encoding of this type.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<()> {
        match self {
            TypeSig::Primitive(p) => out.push(p.byte()),
            TypeSig::Class(t) => {
                out.push(e::CLASS);
                write_type_def_or_ref(*t, out)?;
            }
            TypeSig::ValueType(t) => {
                out.push(e::VALUETYPE);
                write_type_def_or_ref(*t, out)?;
            }
            TypeSig::Var(n) => {
                out.push(e::VAR);
                write_compressed_u32(*n, out)?;
            }
            TypeSig::MVar(n) => {
                out.push(e::MVAR);
                write_compressed_u32(*n, out)?;
            }
            TypeSig::Ptr(t) => {
                out.push(e::PTR);
                t.write(out)?;
            }
            TypeSig::ByRef(t) => {
                out.push(e::BYREF);
                t.write(out)?;
            }
            TypeSig::Pinned(t) => {
                out.push(e::PINNED);
                t.write(out)?;
            }
            TypeSig::SzArray(t) => {
                out.push(e::SZARRAY);
                t.write(out)?;
            }
            TypeSig::Array(t, shape) => {
                out.push(e::ARRAY);
                t.write(out)?;
                write_compressed_u32(shape.rank, out)?;
                write_compressed_u32(shape.sizes.len() as u32, out)?;
                for &s in &shape.sizes {
                    write_compressed_u32(s, out)?;
                }
                write_compressed_u32(shape.lower_bounds.len() as u32, out)?;
                for &b in &shape.lower_bounds {
                    write_compressed_i32(b, out)?;
                }
            }
            TypeSig::GenericInst {
                value_type,
                base,
                args,
            } => {
                out.push(e::GENERICINST);
                out.push(if *value_type { e::VALUETYPE } else { e::CLASS });
                write_type_def_or_ref(*base, out)?;
                write_compressed_u32(args.len() as u32, out)?;
                for a in args {
                    a.write(out)?;
                }
            }
            TypeSig::FnPtr(m) => {
                out.push(e::FNPTR);
                m.write(out)?;
            }
            TypeSig::Modified {
                required,
                token,
                inner,
            } => {
                out.push(if *required { e::CMOD_REQD } else { e::CMOD_OPT });
                write_type_def_or_ref(*token, out)?;
                inner.write(out)?;
            }
        }
        Ok(())
    }

    /// The encoding of this type as a TypeSpec blob.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.write(&mut out)?;
        Ok(out)
    }
}

impl MethodSig {
    /// Appends the encoding of this signature.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<()> {
        out.push(self.calling_convention);
        if self.is_generic() {
            write_compressed_u32(self.generic_params, out)?;
        }
        write_compressed_u32(self.params.len() as u32, out)?;
        self.ret.write(out)?;
        for (i, p) in self.params.iter().enumerate() {
            if self.sentinel == Some(i) {
                out.push(e::SENTINEL);
            }
            p.write(out)?;
        }
        Ok(())
    }

    /// The encoded blob.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.write(&mut out)?;
        Ok(out)
    }
}

impl Signature {
    /// The encoded blob.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        match self {
            Signature::Method(m) => m.write(&mut out)?,
            Signature::Field(FieldSig {
                calling_convention,
                ty,
            }) => {
                out.push(*calling_convention);
                ty.write(&mut out)?;
            }
            Signature::Property(PropertySig {
                calling_convention,
                ty,
                params,
            }) => {
                out.push(*calling_convention);
                write_compressed_u32(params.len() as u32, &mut out)?;
                ty.write(&mut out)?;
                for p in params {
                    p.write(&mut out)?;
                }
            }
            Signature::Locals(LocalSig { locals }) => {
                out.push(conv::LOCAL_SIG);
                write_compressed_u32(locals.len() as u32, &mut out)?;
                for l in locals {
                    l.write(&mut out)?;
                }
            }
            Signature::MethodSpec(MethodSpecSig { args }) => {
                out.push(conv::GENERIC_INST);
                write_compressed_u32(args.len() as u32, &mut out)?;
                for a in args {
                    a.write(&mut out)?;
                }
            }
        }
        Ok(out)
    }
}

/// Builds a method signature step by step (the shapes Sicily produces,
/// reference-profiler §8.2).
#[derive(Clone, Debug)]
pub struct MethodSigBuilder {
    sig: MethodSig,
}

impl Default for MethodSigBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl MethodSigBuilder {
    /// A static, non-generic `void()` signature.
    pub fn new() -> Self {
        MethodSigBuilder {
            sig: MethodSig {
                calling_convention: conv::DEFAULT,
                generic_params: 0,
                ret: TypeSig::Primitive(super::model::Primitive::Void),
                params: Vec::new(),
                sentinel: None,
            },
        }
    }

    /// Sets `HASTHIS` (an instance method).
    pub fn instance(mut self) -> Self {
        self.sig.calling_convention |= conv::HAS_THIS;
        self
    }

    /// Makes the method generic with `count` type parameters.
    pub fn generic(mut self, count: u32) -> Self {
        self.sig.calling_convention |= conv::GENERIC;
        self.sig.generic_params = count;
        self
    }

    /// Sets the return type.
    pub fn returns(mut self, ty: TypeSig) -> Self {
        self.sig.ret = ty;
        self
    }

    /// Appends a parameter.
    pub fn param(mut self, ty: TypeSig) -> Self {
        self.sig.params.push(ty);
        self
    }

    /// The signature.
    pub fn build(self) -> MethodSig {
        self.sig
    }
}

/// Result of [`append_locals`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppendedLocals {
    /// The new local variable signature blob.
    pub blob: Vec<u8>,
    /// Slot index of the first appended local.
    pub first_index: u16,
}

/// Appends locals to a local variable signature. `original` is the blob of
/// the method's current signature (`None` when its token is 0: a new
/// `07 00` signature is started, reference-profiler §5.2). Only the count
/// is re-encoded; the existing local types are copied byte for byte.
pub fn append_locals(original: Option<&[u8]>, new_locals: &[TypeSig]) -> Result<AppendedLocals> {
    let empty = [conv::LOCAL_SIG, 0];
    let blob = original.unwrap_or(&empty);
    let mut r = Reader::new(blob);
    let c = r.u8("local signature")?;
    if c != conv::LOCAL_SIG {
        return Err(IlError::NotLocalSig(c));
    }
    let count = r.compressed_u32()?;
    if count >= MAX_LOCALS {
        return Err(IlError::LocalCountTooBig(count));
    }
    let added = new_locals.len() as u32;
    let total = count
        .checked_add(added)
        .filter(|&t| t <= MAX_LOCALS)
        .ok_or(IlError::LocalCountOverflow {
            original: count,
            added,
        })?;
    let rest = blob.get(r.pos()..).unwrap_or(&[]);
    let mut out = Vec::with_capacity(blob.len() + 4 + 4 * new_locals.len());
    out.push(conv::LOCAL_SIG);
    write_compressed_u32(total, &mut out)?;
    out.extend_from_slice(rest);
    for l in new_locals {
        l.write(&mut out)?;
    }
    Ok(AppendedLocals {
        blob: out,
        first_index: count as u16,
    })
}
