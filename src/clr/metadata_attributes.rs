//! Custom-attribute rows of a module (`EnumCustomAttributes`,
//! `GetCustomAttributeProps`): what module-load scanning needs to find the
//! methods that carry an attribute without asking every method.

use super::enumerator::drain_tokens;
use super::hresult::{ClrResult, HResult};
use super::metadata_import::MetadataImport;
use crate::ffi::types::*;
use std::ffi::c_void;

impl MetadataImport {
    /// Every custom attribute of the module (`EnumCustomAttributes` with no
    /// owner and no type: the type filter does not narrow by a MemberRef
    /// constructor, so callers filter with [`Self::custom_attribute_owner`]).
    pub fn custom_attributes(&self) -> ClrResult<Vec<mdToken>> {
        let com = self.com();
        let v = com.vtbl();
        drain_tokens(
            64,
            // SAFETY: `buffer` holds `len` tokens; the cursor and count are locals of the drain loop.
            |cursor, buffer, fetched| unsafe {
                (v.EnumCustomAttributes)(
                    com.as_raw(),
                    cursor,
                    0,
                    0,
                    buffer.as_mut_ptr(),
                    buffer.len() as ULONG,
                    fetched,
                )
            },
            // SAFETY: closes the cursor this enumeration opened.
            |cursor| unsafe { (v.CloseEnum)(com.as_raw(), cursor) },
        )
    }

    /// The owner (the token the attribute is applied to) and the
    /// constructor of custom attribute `attribute`.
    pub fn custom_attribute_owner(&self, attribute: mdToken) -> ClrResult<(mdToken, mdToken)> {
        let com = self.com();
        let (mut owner, mut constructor): (mdToken, mdToken) = (0, 0);
        let (mut blob, mut size): (*const c_void, ULONG) = (std::ptr::null(), 0);
        // SAFETY: out-pointers refer to locals; the blob is not read.
        HResult::ok(unsafe {
            (com.vtbl().GetCustomAttributeProps)(
                com.as_raw(),
                attribute,
                &mut owner,
                &mut constructor,
                &mut blob,
                &mut size,
            )
        })?;
        Ok((owner, constructor))
    }
}
