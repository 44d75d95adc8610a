//! Choosing methods and rewriting them (reference-profiler §4.8, §5): the
//! function identity, the per-module facts and tokens, and the wrappers
//! built with the IL engine.

pub mod agent_method;
pub mod api_wrapper;
pub mod byref_like;
pub mod call_shapes;
pub mod function;
pub mod helper_methods;
pub mod method_finder;
pub mod module_facts;
pub mod rewrite_error;
pub mod tokens;
pub mod tracer_request;
pub mod wrapper;
pub mod wrapper_tokens;

#[cfg(test)]
mod tests;
