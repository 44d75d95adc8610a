//! Safe wrapper over `IMetaDataEmit2` (cor.h): the tokens a rewritten body
//! refers to — type and member references, method specs, type specs, user
//! strings, local signatures (reference-profiler §5.7).

use super::com_ptr::ComPtr;
use super::hresult::{ClrResult, HResult};
use super::strings::to_wide_nul;
use crate::ffi::metadata::IMetaDataEmit2Vtbl;
use crate::ffi::types::*;
use std::ffi::c_void;

/// A module's metadata opened for writing.
#[derive(Clone)]
pub struct MetadataEmit {
    pub(super) emit: ComPtr<IMetaDataEmit2Vtbl>,
}

fn blob_len(blob: &[u8]) -> ClrResult<ULONG> {
    u32::try_from(blob.len()).map_err(|_| HResult::FAIL)
}

impl MetadataEmit {
    pub fn new(emit: ComPtr<IMetaDataEmit2Vtbl>) -> MetadataEmit {
        MetadataEmit { emit }
    }

    fn raw(&self) -> *mut c_void {
        self.emit.as_raw()
    }

    /// `DefineTypeRefByName(scope, name)` (returns the existing one when present).
    pub fn define_type_ref(&self, scope: mdToken, name: &str) -> ClrResult<mdTypeRef> {
        let wide = to_wide_nul(name);
        let mut token = 0u32;
        // SAFETY: `wide` is NUL-terminated; out-pointer refers to a local.
        HResult::ok(unsafe {
            (self.emit.vtbl().DefineTypeRefByName)(self.raw(), scope, wide.as_ptr(), &mut token)
        })?;
        Ok(token)
    }

    /// `DefineMemberRef(parent, name, signature)`.
    pub fn define_member_ref(
        &self,
        parent: mdToken,
        name: &str,
        signature: &[u8],
    ) -> ClrResult<mdMemberRef> {
        let wide = to_wide_nul(name);
        let len = blob_len(signature)?;
        let mut token = 0u32;
        // SAFETY: pointers valid for their lengths; out-pointer refers to a local.
        HResult::ok(unsafe {
            (self.emit.vtbl().DefineMemberRef)(
                self.raw(),
                parent,
                wide.as_ptr(),
                signature.as_ptr(),
                len,
                &mut token,
            )
        })?;
        Ok(token)
    }

    /// `DefineMethodSpec(generic method, instantiation blob)`.
    pub fn define_method_spec(
        &self,
        parent: mdToken,
        instantiation: &[u8],
    ) -> ClrResult<mdMethodSpec> {
        let len = blob_len(instantiation)?;
        let mut token = 0u32;
        // SAFETY: pointer valid for its length; out-pointer refers to a local.
        HResult::ok(unsafe {
            (self.emit.vtbl().DefineMethodSpec)(
                self.raw(),
                parent,
                instantiation.as_ptr(),
                len,
                &mut token,
            )
        })?;
        Ok(token)
    }

    /// `GetTokenFromTypeSpec(signature)`: arrays, generic instances, `!n`, `!!n`.
    pub fn type_spec_token(&self, signature: &[u8]) -> ClrResult<mdTypeSpec> {
        let len = blob_len(signature)?;
        let mut token = 0u32;
        // SAFETY: pointer valid for its length; out-pointer refers to a local.
        HResult::ok(unsafe {
            (self.emit.vtbl().GetTokenFromTypeSpec)(self.raw(), signature.as_ptr(), len, &mut token)
        })?;
        Ok(token)
    }

    /// `GetTokenFromSig(signature)`: a standalone signature (local variables).
    pub fn signature_token(&self, signature: &[u8]) -> ClrResult<mdSignature> {
        let len = blob_len(signature)?;
        let mut token = 0u32;
        // SAFETY: pointer valid for its length; out-pointer refers to a local.
        HResult::ok(unsafe {
            (self.emit.vtbl().GetTokenFromSig)(self.raw(), signature.as_ptr(), len, &mut token)
        })?;
        Ok(token)
    }

    /// `DefineUserString(text)`: the token `ldstr` loads.
    pub fn define_user_string(&self, text: &str) -> ClrResult<mdString> {
        let wide: Vec<u16> = text.encode_utf16().collect();
        let len = u32::try_from(wide.len()).map_err(|_| HResult::FAIL)?;
        let mut token = 0u32;
        // SAFETY: `wide` holds `len` units (no terminator needed); out-pointer refers to a local.
        HResult::ok(unsafe {
            (self.emit.vtbl().DefineUserString)(self.raw(), wide.as_ptr(), len, &mut token)
        })?;
        Ok(token)
    }
}
