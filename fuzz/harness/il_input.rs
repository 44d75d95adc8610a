//! The `il_wrap` input format: a method as the rewriter sees it.
//!
//! ```text
//! u16 LE  signature length, signature blob (MethodDef signature)
//! u16 LE  local signature length (0xFFFF: no local signature), blob
//! u16 LE  number of call shapes, then per shape u32 LE token + u8 shape
//!         (bits 0-5 parameters, bit 6 implicit this, bit 7 returns a value)
//! rest    the method body as GetILFunctionBody returns it
//! ```
//!
//! Input too short for the prefix is taken as a bare body of a
//! `static void ()` method, so any byte string is a valid input. The
//! seeding tool writes framework methods in this format.

use std::collections::HashMap;
use NewRelicProfiler::il::{CallResolver, CallShape};

/// `u16::MAX` as the local signature length: the method has no locals token.
pub const NO_LOCALS: u16 = u16::MAX;

/// `static void ()`.
pub const VOID_SIGNATURE: [u8; 3] = [0x00, 0x00, 0x01];

pub struct Method<'a> {
    pub signature: &'a [u8],
    pub locals: Option<&'a [u8]>,
    pub shapes: Shapes,
    pub body: &'a [u8],
}

/// Call shapes by token, from the input.
#[derive(Default)]
pub struct Shapes(pub HashMap<u32, CallShape>);

impl CallResolver for Shapes {
    fn call_shape(&self, token: u32) -> Option<CallShape> {
        self.0.get(&token).copied()
    }
}

pub fn shape_byte(shape: CallShape) -> u8 {
    let params = u8::try_from(shape.params.min(63)).unwrap_or(63);
    params | (u8::from(shape.implicit_this) << 6) | (u8::from(shape.returns_value) << 7)
}

fn shape_from_byte(byte: u8) -> CallShape {
    CallShape {
        params: u32::from(byte & 63),
        implicit_this: byte & 64 != 0,
        returns_value: byte & 128 != 0,
    }
}

struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, tail) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = tail;
        Some(head)
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
}

pub fn parse(data: &[u8]) -> Method<'_> {
    parse_prefix(data).unwrap_or(Method {
        signature: &VOID_SIGNATURE,
        locals: None,
        shapes: Shapes::default(),
        body: data,
    })
}

fn parse_prefix(data: &[u8]) -> Option<Method<'_>> {
    let mut c = Cursor(data);
    let sig_len = c.u16()?;
    let signature = c.take(usize::from(sig_len))?;
    let locals = match c.u16()? {
        NO_LOCALS => None,
        n => Some(c.take(usize::from(n))?),
    };
    let mut shapes = Shapes::default();
    for _ in 0..c.u16()? {
        let token = c.u32()?;
        let byte = c.take(1)?.first().copied()?;
        shapes.0.insert(token, shape_from_byte(byte));
    }
    Some(Method {
        signature,
        locals,
        shapes,
        body: c.0,
    })
}

/// Writes a method in this format (the seeding tool's side).
pub fn write(
    signature: &[u8],
    locals: Option<&[u8]>,
    shapes: &[(u32, CallShape)],
    body: &[u8],
) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len() + signature.len() + 16);
    out.extend_from_slice(&u16::try_from(signature.len()).ok()?.to_le_bytes());
    out.extend_from_slice(signature);
    match locals {
        Some(l) if l.len() < usize::from(NO_LOCALS) => {
            out.extend_from_slice(&u16::try_from(l.len()).ok()?.to_le_bytes());
            out.extend_from_slice(l);
        }
        Some(_) => return None,
        None => out.extend_from_slice(&NO_LOCALS.to_le_bytes()),
    }
    out.extend_from_slice(&u16::try_from(shapes.len()).ok()?.to_le_bytes());
    for (token, shape) in shapes {
        out.extend_from_slice(&token.to_le_bytes());
        out.push(shape_byte(*shape));
    }
    out.extend_from_slice(body);
    Some(out)
}
