//! `IMetaDataEmit` calls that add definitions rather than references: a new
//! method on an existing type, a custom attribute on it and a declarative
//! security permission set (reference-profiler §5.5, the .NET Framework
//! helper methods injected into mscorlib). Kept apart from
//! `metadata_emit.rs`, which holds the reference-making calls every rewrite
//! uses.

use super::hresult::{ClrResult, HResult};
use super::metadata_emit::MetadataEmit;
use super::strings::to_wide_nul;
use crate::ffi::types::*;

/// `CorDeclSecurity::dclAssert` (corhdr.h).
pub const DCL_ASSERT: DWORD = 3;

fn blob_len(blob: &[u8]) -> ClrResult<ULONG> {
    u32::try_from(blob.len()).map_err(|_| HResult::FAIL)
}

/// A method to define on an existing type (`DefineMethod` arguments).
pub struct MethodDefinition<'a> {
    pub owner: mdTypeDef,
    pub name: &'a str,
    /// `CorMethodAttr` bits.
    pub attributes: DWORD,
    pub signature: &'a [u8],
    /// RVA of the body the method starts with (a placeholder until the
    /// profiler supplies the real body at the method's first JIT).
    pub code_rva: ULONG,
    /// `CorMethodImpl` bits.
    pub impl_flags: DWORD,
}

impl MetadataEmit {
    /// `DefineMethod`: a new MethodDef on `definition.owner`.
    pub fn define_method(&self, definition: &MethodDefinition<'_>) -> ClrResult<mdMethodDef> {
        let wide = to_wide_nul(definition.name);
        let len = blob_len(definition.signature)?;
        let mut token = 0u32;
        // SAFETY: `wide` is NUL-terminated, the signature pointer is valid
        // for `len` bytes, and the out-pointer refers to a local.
        HResult::ok(unsafe {
            (self.emit.vtbl().DefineMethod)(
                self.emit.as_raw(),
                definition.owner,
                wide.as_ptr(),
                definition.attributes,
                definition.signature.as_ptr(),
                len,
                definition.code_rva,
                definition.impl_flags,
                &mut token,
            )
        })?;
        Ok(token)
    }

    /// `DefineCustomAttribute(owner, constructor, value blob)`.
    pub fn define_custom_attribute(
        &self,
        owner: mdToken,
        constructor: mdToken,
        value: &[u8],
    ) -> ClrResult<mdCustomAttribute> {
        let len = blob_len(value)?;
        let mut token = 0u32;
        // SAFETY: the blob pointer is valid for `len` bytes (the runtime
        // copies it); the out-pointer refers to a local.
        HResult::ok(unsafe {
            (self.emit.vtbl().DefineCustomAttribute)(
                self.emit.as_raw(),
                owner,
                constructor,
                value.as_ptr().cast(),
                len,
                &mut token,
            )
        })?;
        Ok(token)
    }

    /// `DefinePermissionSet(owner, action, permission blob)` (ECMA-335
    /// II.22.11, DeclSecurity).
    pub fn define_permission_set(
        &self,
        owner: mdToken,
        action: DWORD,
        permission: &[u8],
    ) -> ClrResult<mdPermission> {
        let len = blob_len(permission)?;
        let mut token = 0u32;
        // SAFETY: the blob pointer is valid for `len` bytes (the runtime
        // copies it); the out-pointer refers to a local.
        HResult::ok(unsafe {
            (self.emit.vtbl().DefinePermissionSet)(
                self.emit.as_raw(),
                owner,
                action,
                permission.as_ptr().cast(),
                len,
                &mut token,
            )
        })?;
        Ok(token)
    }
}
