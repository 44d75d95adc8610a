//! The COM objects the runtime calls into — class factory, callback object —
//! and the panic guard every entry point runs under. Hand-built
//! `#[repr(C)]` vtables; no COM crate.

pub mod callback_object;
mod callbacks;
mod callbacks_noop;
pub mod class_factory;
pub mod entry;
pub mod guard;
