//! The tokens the wrappers need, as a trait so the wrapper builders can be
//! tested without a runtime. [`super::tokens::Tokenizer`] is the real one;
//! its calls are timed as runtime calls for the rewrite counters.

use super::tokens::{KnownMethod, TokenResult, Tokenizer};
use crate::counters::runtime_call;
use crate::il::signature::TypeSig;
use crate::il::CallShape;

pub trait WrapperTokens {
    fn framework_type(&mut self, type_name: &str) -> TokenResult<u32>;
    fn method(&mut self, method: KnownMethod) -> TokenResult<u32>;
    fn action_of_object_exception(&mut self) -> TokenResult<u32>;
    /// The typed delegate over `GetFinishTracerDelegate` (cached lookup).
    fn finish_tracer_func(&mut self) -> TokenResult<u32>;
    fn user_string(&mut self, text: &str) -> TokenResult<u32>;
    fn box_token(&mut self, ty: &TypeSig) -> TokenResult<Option<u32>>;
    fn type_token(&mut self, ty: &TypeSig) -> TokenResult<u32>;
    fn local_signature(&mut self, blob: &[u8]) -> TokenResult<u32>;
    /// The shape of a reflection method this tokenizer handed out.
    fn known_call_shape(&self, token: u32) -> Option<CallShape>;
}

impl WrapperTokens for Tokenizer<'_> {
    fn framework_type(&mut self, type_name: &str) -> TokenResult<u32> {
        runtime_call(|| Tokenizer::framework_type(self, type_name))
    }
    fn method(&mut self, method: KnownMethod) -> TokenResult<u32> {
        runtime_call(|| Tokenizer::method(self, method))
    }
    fn action_of_object_exception(&mut self) -> TokenResult<u32> {
        runtime_call(|| Tokenizer::action_of_object_exception(self))
    }
    fn finish_tracer_func(&mut self) -> TokenResult<u32> {
        runtime_call(|| Tokenizer::finish_tracer_func(self))
    }
    fn user_string(&mut self, text: &str) -> TokenResult<u32> {
        runtime_call(|| Tokenizer::user_string(self, text))
    }
    fn box_token(&mut self, ty: &TypeSig) -> TokenResult<Option<u32>> {
        runtime_call(|| Tokenizer::box_token(self, ty))
    }
    fn type_token(&mut self, ty: &TypeSig) -> TokenResult<u32> {
        runtime_call(|| match ty.unmodified() {
            TypeSig::Class(token) | TypeSig::ValueType(token) => Ok(*token),
            other => match self.box_token(other)? {
                Some(token) => Ok(token),
                None => self.type_spec(other),
            },
        })
    }
    fn local_signature(&mut self, blob: &[u8]) -> TokenResult<u32> {
        runtime_call(|| Tokenizer::local_signature(self, blob))
    }
    fn known_call_shape(&self, token: u32) -> Option<CallShape> {
        Tokenizer::known_call_shape(self, token)
    }
}
