//! The IL engine: method bodies, instructions, exception clauses and
//! signatures, read and written exactly (issue 3).
//!
//! Design (prior-art §1.6, §2(c)): instructions have identity ([`Label`]);
//! branch/switch targets and exception-clause boundaries are labels, never
//! offsets. Offsets are computed only when encoding, with iterative
//! short→long branch widening. An unedited body encodes to its original
//! bytes; edits (insert, replace, `ret` retargeting, wrapping in new
//! protected regions) keep branches and clauses consistent by construction.
//!
//! Typical rewriter flow (reference-profiler §5.2–5.4):
//! 1. [`MethodBody::decode`] the bytes from `GetILFunctionBody`;
//! 2. [`append_locals`] to the method's local signature;
//! 3. [`MethodBody::retarget_returns`], [`MethodBody::create`] +
//!    [`MethodBody::insert_before`]/[`MethodBody::insert_after`],
//!    [`MethodBody::wrap_range`];
//! 4. set [`Header::max_stack`] from [`MethodBody::compute_max_stack`] and
//!    the new local signature token, then [`MethodBody::encode_with`].
//!
//! Nothing here panics on input data: malformed bytes are an [`IlError`].

pub mod body;
pub mod compressed;
pub mod decode;
pub mod edit;
pub mod eh;
pub mod encode;
pub mod error;
pub mod instruction;
pub mod max_stack;
pub mod opcodes;
pub mod signature;

pub use body::{Header, HeaderForm, MethodBody, RawSection};
pub use edit::WrappedRegion;
pub use eh::{ExceptionClause, Handler};
pub use encode::{EncodeOptions, Layout};
pub use error::{IlError, Result};
pub use instruction::{Instruction, Label, Operand};
pub use max_stack::{CallResolver, CallShape, NoCallResolver, StackReport};
pub use opcodes::{FlowControl, OpCode, OperandKind, StackCount};
pub use signature::{
    append_locals, render_parameters, render_type, AppendedLocals, MethodSig, MethodSigBuilder,
    Signature, TypeNameResolver, TypeSig,
};

#[cfg(test)]
mod tests;
