//! Signatures (ECMA-335 II.23.2): model, parser, writer/builder and the
//! reference profiler's text rendering (reference-profiler §8.1).

pub mod build;
pub mod model;
pub mod parse;
pub mod render;

pub use build::{append_locals, AppendedLocals, MethodSigBuilder, MAX_LOCALS};
pub use model::{
    conv, element, ArrayShape, FieldSig, LocalSig, MethodSig, MethodSpecSig, Primitive,
    PropertySig, Signature, TypeSig,
};
pub use render::{render_parameters, render_type, TypeNameResolver};
