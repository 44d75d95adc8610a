//! Fake tokens for the wrapper builders, as the library's own wrapper unit
//! tests use: distinct tokens of the right table, remembered so the stack
//! simulation can resolve the reflection calls the wrapper adds.

use std::collections::HashMap;
use NewRelicProfiler::il::signature::TypeSig;
use NewRelicProfiler::il::{CallResolver, CallShape};
use NewRelicProfiler::instrument::tokens::{KnownMethod, TokenResult};
use NewRelicProfiler::instrument::wrapper_tokens::WrapperTokens;

#[derive(Default)]
pub struct FakeTokens {
    next: u32,
    types: HashMap<String, u32>,
    methods: HashMap<u32, KnownMethod>,
}

impl FakeTokens {
    /// Token numbers start high so they never collide with the call tokens
    /// of the original body (whose shapes come from the fuzz input).
    fn fresh(&mut self, table: u32) -> u32 {
        self.next += 1;
        (table << 24) | 0x00F0_0000 | self.next
    }
}

impl WrapperTokens for FakeTokens {
    fn framework_type(&mut self, type_name: &str) -> TokenResult<u32> {
        if let Some(t) = self.types.get(type_name) {
            return Ok(*t);
        }
        let t = self.fresh(0x01);
        self.types.insert(type_name.to_string(), t);
        Ok(t)
    }
    fn method(&mut self, method: KnownMethod) -> TokenResult<u32> {
        if let Some((t, _)) = self.methods.iter().find(|(_, m)| **m == method) {
            return Ok(*t);
        }
        let t = self.fresh(0x0A);
        self.methods.insert(t, method);
        Ok(t)
    }
    fn action_of_object_exception(&mut self) -> TokenResult<u32> {
        Ok(0x1BF0_0001)
    }
    fn finish_tracer_func(&mut self) -> TokenResult<u32> {
        Ok(0x1BF0_0003)
    }
    fn user_string(&mut self, _text: &str) -> TokenResult<u32> {
        Ok(self.fresh(0x70))
    }
    fn box_token(&mut self, ty: &TypeSig) -> TokenResult<Option<u32>> {
        Ok(match ty.unmodified() {
            TypeSig::ByRef(_) | TypeSig::Ptr(_) => None,
            TypeSig::Class(t) | TypeSig::ValueType(t) => Some(*t),
            _ => Some(self.fresh(0x1B)),
        })
    }
    fn type_token(&mut self, ty: &TypeSig) -> TokenResult<u32> {
        Ok(self.box_token(ty)?.unwrap_or(0x1BF0_0002))
    }
    fn local_signature(&mut self, _blob: &[u8]) -> TokenResult<u32> {
        Ok(0x11F0_0042)
    }
    fn known_call_shape(&self, token: u32) -> Option<CallShape> {
        self.methods.get(&token).map(|m| m.shape())
    }
}

/// The wrapped body's calls: the wrapper's reflection methods, then the
/// original body's callees.
pub struct WrappedCalls<'a> {
    pub tokens: &'a FakeTokens,
    pub inner: &'a dyn CallResolver,
}

impl CallResolver for WrappedCalls<'_> {
    fn call_shape(&self, token: u32) -> Option<CallShape> {
        self.tokens
            .known_call_shape(token)
            .or_else(|| self.inner.call_shape(token))
    }
}
