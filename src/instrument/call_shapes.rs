//! Callee signatures for the stack simulation, read from the module's
//! metadata (MethodDef, MemberRef, MethodSpec, and StandAloneSig for `calli`).

use crate::clr::metadata_import::MetadataImport;
use crate::il::signature::MethodSig;
use crate::il::{CallResolver, CallShape};

/// Resolves call tokens of one module's original code.
pub struct MetadataCalls<'a> {
    pub import: &'a MetadataImport,
}

impl MetadataCalls<'_> {
    fn signature_of(&self, token: u32, depth: u32) -> Option<Vec<u8>> {
        match token >> 24 {
            0x06 => self.import.method_props(token).ok().map(|p| p.signature),
            0x0A => self
                .import
                .member_ref_props(token)
                .ok()
                .map(|p| p.signature),
            0x11 => self.import.signature_from_token(token).ok(),
            0x2B if depth == 0 => {
                let (parent, _) = self.import.method_spec_props(token).ok()?;
                self.signature_of(parent, depth + 1)
            }
            _ => None,
        }
    }
}

impl CallResolver for MetadataCalls<'_> {
    fn call_shape(&self, token: u32) -> Option<CallShape> {
        let blob = crate::counters::runtime_call(|| self.signature_of(token, 0))?;
        MethodSig::parse(&blob).ok().map(|sig| sig.call_shape())
    }
}
