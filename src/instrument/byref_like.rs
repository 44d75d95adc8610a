//! Byref-like values (`ref struct`s: `Span<T>`, `ReadOnlySpan<T>`,
//! `Utf8JsonReader`, `TypedReference`, …) cannot be boxed: ECMA-335
//! II.10.1.6 (augmented for .NET by `IsByRefLikeAttribute`) forbids them on
//! the heap, and the JIT rejects a `box` of one with
//! `InvalidProgramException` when the method is called. The original boxes
//! every argument and the return value (reference-profiler §5.4.2), so a
//! method taking or returning a span breaks. Here such a value is passed to
//! the agent as `null`, as the original does for by-ref parameters
//! (docs/compatibility.md R9).
//!
//! What is byref-like is decided from metadata, never from a name alone:
//! a value type whose TypeDef carries
//! `System.Runtime.CompilerServices.IsByRefLikeAttribute` (the C# compiler
//! emits it for every `ref struct`), `TypedReference`, and a generic
//! parameter declared `allows ref struct` (`gpAllowByRefLike`, .NET 9),
//! whose instantiation may be byref-like. Looking the TypeDef up behind a
//! TypeRef is [`ByRefLikeFacts`]' job (the profiler resolves it through the
//! loaded modules' metadata, `profiler/byref_like.rs`).

use crate::il::signature::{MethodSig, Primitive, TypeSig};

/// The attribute the C# compiler puts on every `ref struct`.
pub const IS_BYREF_LIKE_ATTRIBUTE: &str = "System.Runtime.CompilerServices.IsByRefLikeAttribute";

/// `gpAllowByRefLike` (`CorGenericParamAttr`, the `allows ref struct` anti-constraint).
pub const GP_ALLOW_BYREF_LIKE: u32 = 0x0020;

/// Framework types known to be byref-like: used only when the defining
/// module of a TypeRef cannot be found, so an unresolvable reference to one
/// of them still does not produce an invalid `box`.
pub const KNOWN_BYREF_LIKE: [&str; 7] = [
    "System.Span`1",
    "System.ReadOnlySpan`1",
    "System.TypedReference",
    "System.ArgIterator",
    "System.RuntimeArgumentHandle",
    "System.Text.Json.Utf8JsonReader",
    "System.Runtime.CompilerServices.DefaultInterpolatedStringHandler",
];

/// Metadata answers the classification needs.
pub trait ByRefLikeFacts {
    /// Whether the value type named by `token` (a TypeDef or TypeRef of the
    /// method's module) is byref-like.
    fn is_byref_like_type(&self, token: u32) -> bool;
    /// Whether generic parameter `index` of the method (`method_param`) or
    /// of its declaring type allows byref-like instantiations.
    fn allows_byref_like(&self, method_param: bool, index: u32) -> bool;
}

/// No byref-like types at all (tests, and callers without metadata).
pub struct NoByRefLike;

impl ByRefLikeFacts for NoByRefLike {
    fn is_byref_like_type(&self, _token: u32) -> bool {
        false
    }
    fn allows_byref_like(&self, _method_param: bool, _index: u32) -> bool {
        false
    }
}

/// Which values of a method cannot be boxed for the agent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ByRefLikeMask {
    /// One entry per parameter (`MethodSig::params` order).
    pub params: Vec<bool>,
    pub ret: bool,
}

impl ByRefLikeMask {
    /// Classifies every parameter and the return type of `sig`.
    pub fn of(sig: &MethodSig, facts: &dyn ByRefLikeFacts) -> ByRefLikeMask {
        ByRefLikeMask {
            params: sig.params.iter().map(|p| is_byref_like(p, facts)).collect(),
            ret: is_byref_like(&sig.ret, facts),
        }
    }

    /// Whether parameter `index` must be passed as `null`.
    pub fn param(&self, index: usize) -> bool {
        self.params.get(index).copied().unwrap_or(false)
    }

    pub fn any(&self) -> bool {
        self.ret || self.params.iter().any(|p| *p)
    }
}

/// Whether a value of type `ty` is (or may be, for a generic parameter)
/// byref-like. By-ref and pointer types are not: they are never boxed anyway.
pub fn is_byref_like(ty: &TypeSig, facts: &dyn ByRefLikeFacts) -> bool {
    match ty.unmodified() {
        TypeSig::Primitive(Primitive::TypedByRef) => true,
        TypeSig::ValueType(token) => facts.is_byref_like_type(*token),
        TypeSig::GenericInst {
            value_type: true,
            base,
            ..
        } => facts.is_byref_like_type(*base),
        TypeSig::Var(index) => facts.allows_byref_like(false, *index),
        TypeSig::MVar(index) => facts.allows_byref_like(true, *index),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::il::signature::MethodSigBuilder;

    /// TypeRef 0x01000005 is `Span<T>`, TypeDef 0x02000003 a `ref struct`,
    /// method generic parameter 1 allows ref structs.
    struct Facts;

    impl ByRefLikeFacts for Facts {
        fn is_byref_like_type(&self, token: u32) -> bool {
            matches!(token, 0x0100_0005 | 0x0200_0003)
        }
        fn allows_byref_like(&self, method_param: bool, index: u32) -> bool {
            method_param && index == 1
        }
    }

    #[test]
    fn spans_ref_structs_typed_references_and_allowing_generics_are_byref_like() {
        let span_of_int = TypeSig::GenericInst {
            value_type: true,
            base: 0x0100_0005,
            args: vec![TypeSig::Primitive(Primitive::I4)],
        };
        let sig = MethodSigBuilder::new()
            .returns(span_of_int.clone())
            .param(TypeSig::Primitive(Primitive::I4))
            .param(span_of_int)
            .param(TypeSig::ValueType(0x0200_0003))
            .param(TypeSig::Primitive(Primitive::TypedByRef))
            .param(TypeSig::MVar(0))
            .param(TypeSig::MVar(1))
            .param(TypeSig::ByRef(Box::new(TypeSig::ValueType(0x0200_0003))))
            .param(TypeSig::ValueType(0x0200_0004))
            .build();
        let mask = ByRefLikeMask::of(&sig, &Facts);
        assert!(mask.ret);
        assert_eq!(
            mask.params,
            [false, true, true, true, false, true, false, false]
        );
        assert!(mask.any());
        assert!(!mask.param(99));
    }

    #[test]
    fn a_class_generic_instance_is_never_byref_like() {
        let list = TypeSig::GenericInst {
            value_type: false,
            base: 0x0100_0005,
            args: vec![TypeSig::Primitive(Primitive::I4)],
        };
        assert!(!is_byref_like(&list, &Facts));
        assert!(!is_byref_like(&TypeSig::Var(1), &Facts));
        let mask = ByRefLikeMask::of(&MethodSigBuilder::new().build(), &NoByRefLike);
        assert!(!mask.any());
    }
}
