//! Parsing signature blobs (ECMA-335 II.23.2). Parsers reject trailing
//! bytes, unknown element types and nesting deeper than [`MAX_DEPTH`].

use super::model::{
    conv, element as e, ArrayShape, FieldSig, LocalSig, MethodSig, MethodSpecSig, Primitive,
    PropertySig, Signature, TypeSig,
};
use crate::il::compressed::Reader;
use crate::il::error::{IlError, Result};

/// Deepest type nesting accepted; deeper blobs are malformed in practice and
/// recursion must stay bounded on small thread stacks (prior-art §4.17).
pub const MAX_DEPTH: u32 = 64;

/// Highest array rank accepted: the runtime's own limit (`MAX_RANK`, types
/// of higher rank fail to load). The rank is a 29-bit compressed integer,
/// and the §8.1 text writes one comma per dimension, so an unchecked rank
/// let a few bytes of blob make the renderer write gigabytes.
pub const MAX_ARRAY_RANK: u32 = 32;

fn finish<T>(r: &Reader<'_>, value: T) -> Result<T> {
    if r.is_empty() {
        Ok(value)
    } else {
        Err(IlError::TrailingBytes(r.remaining()))
    }
}

impl Signature {
    /// Parses any signature that starts with a calling-convention byte
    /// (everything but TypeSpec blobs).
    pub fn parse(blob: &[u8]) -> Result<Signature> {
        let first = *blob.first().ok_or(IlError::Truncated {
            what: "signature",
            offset: 0,
        })?;
        Ok(match first & conv::KIND_MASK {
            conv::FIELD => Signature::Field(FieldSig::parse(blob)?),
            conv::LOCAL_SIG => Signature::Locals(LocalSig::parse(blob)?),
            conv::PROPERTY => Signature::Property(PropertySig::parse(blob)?),
            conv::GENERIC_INST => Signature::MethodSpec(MethodSpecSig::parse(blob)?),
            _ => Signature::Method(MethodSig::parse(blob)?),
        })
    }
}

impl MethodSig {
    /// Parses a method signature blob.
    pub fn parse(blob: &[u8]) -> Result<MethodSig> {
        let mut r = Reader::new(blob);
        let sig = read_method(&mut r, 0)?;
        finish(&r, sig)
    }
}

impl FieldSig {
    /// Parses a field signature blob.
    pub fn parse(blob: &[u8]) -> Result<FieldSig> {
        let mut r = Reader::new(blob);
        let c = r.u8("calling convention")?;
        if c & conv::KIND_MASK != conv::FIELD {
            return Err(IlError::UnexpectedCallingConvention(c, "field"));
        }
        let ty = read_type(&mut r, 0)?;
        finish(
            &r,
            FieldSig {
                calling_convention: c,
                ty,
            },
        )
    }
}

impl PropertySig {
    /// Parses a property signature blob.
    pub fn parse(blob: &[u8]) -> Result<PropertySig> {
        let mut r = Reader::new(blob);
        let c = r.u8("calling convention")?;
        if c & conv::KIND_MASK != conv::PROPERTY {
            return Err(IlError::UnexpectedCallingConvention(c, "property"));
        }
        let count = r.compressed_u32()?;
        let ty = read_type(&mut r, 0)?;
        let params = read_types(&mut r, count)?;
        finish(
            &r,
            PropertySig {
                calling_convention: c,
                ty,
                params,
            },
        )
    }
}

impl LocalSig {
    /// Parses a local variable signature blob.
    pub fn parse(blob: &[u8]) -> Result<LocalSig> {
        let mut r = Reader::new(blob);
        let c = r.u8("calling convention")?;
        if c != conv::LOCAL_SIG {
            return Err(IlError::NotLocalSig(c));
        }
        let count = r.compressed_u32()?;
        let locals = read_types(&mut r, count)?;
        finish(&r, LocalSig { locals })
    }
}

impl MethodSpecSig {
    /// Parses a MethodSpec instantiation blob.
    pub fn parse(blob: &[u8]) -> Result<MethodSpecSig> {
        let mut r = Reader::new(blob);
        let c = r.u8("calling convention")?;
        if c != conv::GENERIC_INST {
            return Err(IlError::UnexpectedCallingConvention(c, "method spec"));
        }
        let count = r.compressed_u32()?;
        let args = read_types(&mut r, count)?;
        finish(&r, MethodSpecSig { args })
    }
}

impl TypeSig {
    /// Parses a TypeSpec blob (a single type, ECMA-335 II.23.2.14).
    pub fn parse(blob: &[u8]) -> Result<TypeSig> {
        let mut r = Reader::new(blob);
        let ty = read_type(&mut r, 0)?;
        finish(&r, ty)
    }
}

/// Reads `count` types; the count is checked against the remaining bytes
/// (each type takes at least one) before allocating.
fn read_types(r: &mut Reader<'_>, count: u32) -> Result<Vec<TypeSig>> {
    let count = count as usize;
    if count > r.remaining() {
        return Err(IlError::Truncated {
            what: "signature types",
            offset: r.pos(),
        });
    }
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        out.push(read_type(r, 0)?);
    }
    Ok(out)
}

fn read_method(r: &mut Reader<'_>, depth: u32) -> Result<MethodSig> {
    let calling_convention = r.u8("calling convention")?;
    match calling_convention & conv::KIND_MASK {
        conv::FIELD | conv::LOCAL_SIG | conv::PROPERTY | conv::GENERIC_INST => {
            return Err(IlError::UnexpectedCallingConvention(
                calling_convention,
                "method",
            ))
        }
        _ => {}
    }
    let generic_params = if calling_convention & conv::GENERIC != 0 {
        r.compressed_u32()?
    } else {
        0
    };
    let count = r.compressed_u32()? as usize;
    if count > r.remaining() {
        return Err(IlError::Truncated {
            what: "parameters",
            offset: r.pos(),
        });
    }
    let ret = read_type(r, depth + 1)?;
    let mut params = Vec::with_capacity(count);
    let mut sentinel = None;
    while params.len() < count {
        if r.peek() == Some(e::SENTINEL) && sentinel.is_none() {
            r.u8("sentinel")?;
            sentinel = Some(params.len());
            continue;
        }
        params.push(read_type(r, depth + 1)?);
    }
    Ok(MethodSig {
        calling_convention,
        generic_params,
        ret,
        params,
        sentinel,
    })
}

fn read_type(r: &mut Reader<'_>, depth: u32) -> Result<TypeSig> {
    if depth > MAX_DEPTH {
        return Err(IlError::SignatureTooDeep);
    }
    let d = depth + 1;
    let b = r.u8("element type")?;
    if let Some(p) = Primitive::from_byte(b) {
        return Ok(TypeSig::Primitive(p));
    }
    Ok(match b {
        e::CLASS => TypeSig::Class(r.type_def_or_ref()?),
        e::VALUETYPE => TypeSig::ValueType(r.type_def_or_ref()?),
        e::VAR => TypeSig::Var(r.compressed_u32()?),
        e::MVAR => TypeSig::MVar(r.compressed_u32()?),
        e::PTR => TypeSig::Ptr(Box::new(read_type(r, d)?)),
        e::BYREF => TypeSig::ByRef(Box::new(read_type(r, d)?)),
        e::PINNED => TypeSig::Pinned(Box::new(read_type(r, d)?)),
        e::SZARRAY => TypeSig::SzArray(Box::new(read_type(r, d)?)),
        e::ARRAY => {
            let element = read_type(r, d)?;
            let rank = r.compressed_u32()?;
            if rank > MAX_ARRAY_RANK {
                return Err(IlError::TooLarge {
                    what: "array rank",
                    value: u64::from(rank),
                });
            }
            let n_sizes = r.compressed_u32()? as usize;
            if n_sizes > r.remaining() {
                return Err(IlError::Truncated {
                    what: "array sizes",
                    offset: r.pos(),
                });
            }
            let mut sizes = Vec::with_capacity(n_sizes);
            for _ in 0..n_sizes {
                sizes.push(r.compressed_u32()?);
            }
            let n_bounds = r.compressed_u32()? as usize;
            if n_bounds > r.remaining() {
                return Err(IlError::Truncated {
                    what: "array bounds",
                    offset: r.pos(),
                });
            }
            let mut lower_bounds = Vec::with_capacity(n_bounds);
            for _ in 0..n_bounds {
                lower_bounds.push(r.compressed_i32()?);
            }
            TypeSig::Array(
                Box::new(element),
                ArrayShape {
                    rank,
                    sizes,
                    lower_bounds,
                },
            )
        }
        e::GENERICINST => {
            let kind = r.u8("generic instance kind")?;
            let value_type = match kind {
                e::CLASS => false,
                e::VALUETYPE => true,
                other => return Err(IlError::UnexpectedElementType(other)),
            };
            let base = r.type_def_or_ref()?;
            let count = r.compressed_u32()? as usize;
            if count > r.remaining() {
                return Err(IlError::Truncated {
                    what: "generic arguments",
                    offset: r.pos(),
                });
            }
            let mut args = Vec::with_capacity(count);
            for _ in 0..count {
                args.push(read_type(r, d)?);
            }
            TypeSig::GenericInst {
                value_type,
                base,
                args,
            }
        }
        e::FNPTR => TypeSig::FnPtr(Box::new(read_method(r, d)?)),
        e::CMOD_REQD | e::CMOD_OPT => {
            let token = r.type_def_or_ref()?;
            TypeSig::Modified {
                required: b == e::CMOD_REQD,
                token,
                inner: Box::new(read_type(r, d)?),
            }
        }
        other => return Err(IlError::UnexpectedElementType(other)),
    })
}
