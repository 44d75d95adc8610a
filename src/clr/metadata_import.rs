//! Safe wrapper over `IMetaDataImport2` (cor.h): the names, signatures and
//! attributes of types and methods the profiler matches and rewrites.

use super::com_ptr::ComPtr;
use super::enumerator::drain_tokens;
use super::hresult::{ClrResult, HResult};
use super::strings::{read_wide_string, to_wide_nul};
use crate::ffi::hresult::{CLDB_E_RECORD_NOTFOUND, S_OK};
use crate::ffi::metadata::IMetaDataImport2Vtbl;
use crate::ffi::types::*;
use std::ffi::c_void;

/// The longest name (UTF-8 bytes) looked up in metadata. The runtime
/// converts a lookup name to UTF-8 on the calling thread's stack, so a
/// megabyte-long name from a hostile live-instrumentation document
/// overflowed the refresh thread's stack (found by
/// `integration::reliability::faults_live`). No type or member can have
/// such a name: the type loader refuses names over 1 024 bytes
/// (`MAX_CLASSNAME_LENGTH`) and compilers refuse longer metadata names
/// (C# CS7013), so a longer name is reported as not found without asking
/// the runtime (docs/compatibility.md X8).
pub const MAX_LOOKUP_NAME_BYTES: usize = 4096;

/// True when `name` cannot name anything in metadata (see
/// [`MAX_LOOKUP_NAME_BYTES`]).
fn unsearchable(name: &str) -> bool {
    name.len() > MAX_LOOKUP_NAME_BYTES
}

/// `GetTypeDefProps`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeDefProps {
    /// Namespace-qualified name as stored (nested types carry only their own name).
    pub name: String,
    /// `CorTypeAttr` flags.
    pub flags: u32,
    pub extends: mdToken,
}

/// `GetMethodProps`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodProps {
    pub class: mdTypeDef,
    pub name: String,
    /// `CorMethodAttr` flags.
    pub attributes: u32,
    /// The method signature blob (ECMA-335 II.23.2.1).
    pub signature: Vec<u8>,
    pub rva: u32,
    pub impl_flags: u32,
}

/// `GetMemberRefProps`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRefProps {
    pub parent: mdToken,
    pub name: String,
    pub signature: Vec<u8>,
}

/// A module's metadata, opened for reading (and writing, when requested).
#[derive(Clone)]
pub struct MetadataImport {
    import: ComPtr<IMetaDataImport2Vtbl>,
}

/// Copies a runtime-owned blob; a null pointer with a zero length is empty.
///
/// # Safety
/// `data` must be null or valid for `len` bytes.
pub(crate) unsafe fn copy_blob(data: *const u8, len: ULONG) -> Vec<u8> {
    if data.is_null() || len == 0 {
        return Vec::new();
    }
    // SAFETY: guaranteed by the caller.
    unsafe { std::slice::from_raw_parts(data, len as usize).to_vec() }
}

/// [`MethodProps`] before the signature is copied.
struct RawMethodProps {
    class: u32,
    name: String,
    attributes: u32,
    signature: *const u8,
    signature_len: ULONG,
    rva: u32,
    impl_flags: u32,
}

impl MetadataImport {
    pub fn new(import: ComPtr<IMetaDataImport2Vtbl>) -> MetadataImport {
        MetadataImport { import }
    }

    pub fn com(&self) -> &ComPtr<IMetaDataImport2Vtbl> {
        &self.import
    }

    fn raw(&self) -> *mut c_void {
        self.import.as_raw()
    }

    pub fn type_def_props(&self, type_def: mdTypeDef) -> ClrResult<TypeDefProps> {
        let v = self.import.vtbl();
        let (mut flags, mut extends) = (0u32, 0u32);
        let name = read_wide_string(|cap, needed, buf| {
            // SAFETY: `buf` holds `cap` units; out-pointers refer to locals.
            unsafe {
                (v.GetTypeDefProps)(
                    self.raw(),
                    type_def,
                    buf.as_mut_ptr(),
                    cap,
                    needed,
                    &mut flags,
                    &mut extends,
                )
            }
        })?;
        Ok(TypeDefProps {
            name,
            flags,
            extends,
        })
    }

    /// The enclosing type of a nested type; `None` when `type_def` is not nested.
    pub fn enclosing_class(&self, type_def: mdTypeDef) -> ClrResult<Option<mdTypeDef>> {
        let mut enclosing: mdTypeDef = 0;
        // SAFETY: out-pointer refers to a local.
        let hr = unsafe {
            (self.import.vtbl().GetNestedClassProps)(self.raw(), type_def, &mut enclosing)
        };
        match hr {
            S_OK if enclosing & 0x00FF_FFFF != 0 => Ok(Some(enclosing)),
            S_OK | CLDB_E_RECORD_NOTFOUND => Ok(None),
            hr => Err(HResult(hr)),
        }
    }

    /// `(resolution scope, name)` of a TypeRef.
    pub fn type_ref_props(&self, type_ref: mdTypeRef) -> ClrResult<(mdToken, String)> {
        let v = self.import.vtbl();
        let mut scope = 0u32;
        let name = read_wide_string(|cap, needed, buf| {
            // SAFETY: `buf` holds `cap` units; out-pointers refer to locals.
            unsafe {
                (v.GetTypeRefProps)(
                    self.raw(),
                    type_ref,
                    &mut scope,
                    buf.as_mut_ptr(),
                    cap,
                    needed,
                )
            }
        })?;
        Ok((scope, name))
    }

    pub fn method_props(&self, method: mdMethodDef) -> ClrResult<MethodProps> {
        let raw = self.raw_method_props(method)?;
        // SAFETY: the runtime returns a signature blob valid for the module's lifetime.
        let signature = unsafe { copy_blob(raw.signature, raw.signature_len) };
        Ok(MethodProps {
            class: raw.class,
            name: raw.name,
            attributes: raw.attributes,
            signature,
            rva: raw.rva,
            impl_flags: raw.impl_flags,
        })
    }

    /// Only the name of a method: what the name pre-filter (§4.8) needs,
    /// without copying the signature blob [`Self::method_props`] copies.
    pub fn method_name(&self, method: mdMethodDef) -> ClrResult<String> {
        Ok(self.raw_method_props(method)?.name)
    }

    /// `GetMethodProps`, the signature left where the runtime keeps it.
    fn raw_method_props(&self, method: mdMethodDef) -> ClrResult<RawMethodProps> {
        let v = self.import.vtbl();
        let (mut class, mut attributes, mut rva, mut impl_flags) = (0u32, 0u32, 0u32, 0u32);
        let (mut sig, mut sig_len): (*const u8, ULONG) = (std::ptr::null(), 0);
        let name = read_wide_string(|cap, needed, buf| {
            // SAFETY: `buf` holds `cap` units; out-pointers refer to locals.
            unsafe {
                (v.GetMethodProps)(
                    self.raw(),
                    method,
                    &mut class,
                    buf.as_mut_ptr(),
                    cap,
                    needed,
                    &mut attributes,
                    &mut sig,
                    &mut sig_len,
                    &mut rva,
                    &mut impl_flags,
                )
            }
        })?;
        Ok(RawMethodProps {
            class,
            name,
            attributes,
            signature: sig,
            signature_len: sig_len,
            rva,
            impl_flags,
        })
    }

    pub fn member_ref_props(&self, member_ref: mdMemberRef) -> ClrResult<MemberRefProps> {
        let v = self.import.vtbl();
        let mut parent = 0u32;
        let (mut sig, mut sig_len): (*const u8, ULONG) = (std::ptr::null(), 0);
        let name = read_wide_string(|cap, needed, buf| {
            // SAFETY: `buf` holds `cap` units; out-pointers refer to locals.
            unsafe {
                (v.GetMemberRefProps)(
                    self.raw(),
                    member_ref,
                    &mut parent,
                    buf.as_mut_ptr(),
                    cap,
                    needed,
                    &mut sig,
                    &mut sig_len,
                )
            }
        })?;
        // SAFETY: as for method_props.
        let signature = unsafe { copy_blob(sig, sig_len) };
        Ok(MemberRefProps {
            parent,
            name,
            signature,
        })
    }

    /// A standalone signature (`mdtSignature`, e.g. a method's locals).
    pub fn signature_from_token(&self, token: mdSignature) -> ClrResult<Vec<u8>> {
        let (mut sig, mut len): (*const u8, ULONG) = (std::ptr::null(), 0);
        // SAFETY: out-pointers refer to locals.
        HResult::ok(unsafe {
            (self.import.vtbl().GetSigFromToken)(self.raw(), token, &mut sig, &mut len)
        })?;
        // SAFETY: valid for the module's lifetime.
        Ok(unsafe { copy_blob(sig, len) })
    }

    /// A TypeSpec's signature blob.
    pub fn type_spec_signature(&self, token: mdTypeSpec) -> ClrResult<Vec<u8>> {
        let (mut sig, mut len): (*const u8, ULONG) = (std::ptr::null(), 0);
        // SAFETY: out-pointers refer to locals.
        HResult::ok(unsafe {
            (self.import.vtbl().GetTypeSpecFromToken)(self.raw(), token, &mut sig, &mut len)
        })?;
        // SAFETY: valid for the module's lifetime.
        Ok(unsafe { copy_blob(sig, len) })
    }

    /// `(parent, instantiation blob)` of a MethodSpec.
    pub fn method_spec_props(&self, token: mdMethodSpec) -> ClrResult<(mdToken, Vec<u8>)> {
        let mut parent = 0u32;
        let (mut sig, mut len): (*const u8, ULONG) = (std::ptr::null(), 0);
        // SAFETY: out-pointers refer to locals.
        HResult::ok(unsafe {
            (self.import.vtbl().GetMethodSpecProps)(
                self.raw(),
                token,
                &mut parent,
                &mut sig,
                &mut len,
            )
        })?;
        // SAFETY: valid for the module's lifetime.
        Ok((parent, unsafe { copy_blob(sig, len) }))
    }

    /// The blob of custom attribute `name` on `owner`, or `None`. Only an
    /// exact `S_OK` counts as found, as in the original (§4.8).
    pub fn custom_attribute(&self, owner: mdToken, name: &str) -> ClrResult<Option<Vec<u8>>> {
        if unsearchable(name) {
            return Ok(None);
        }
        let wide = to_wide_nul(name);
        let (mut data, mut len): (*mut c_void, ULONG) = (std::ptr::null_mut(), 0);
        // SAFETY: `wide` is NUL-terminated; out-pointers refer to locals.
        let hr = unsafe {
            (self.import.vtbl().GetCustomAttributeByName)(
                self.raw(),
                owner,
                wide.as_ptr(),
                &mut data,
                &mut len,
            )
        };
        match hr {
            // SAFETY: the blob is valid for the module's lifetime.
            S_OK => Ok(Some(unsafe { copy_blob(data as *const u8, len) })),
            hr if hr >= 0 || hr == CLDB_E_RECORD_NOTFOUND => Ok(None),
            hr => Err(HResult(hr)),
        }
    }

    /// `FindTypeDefByName`; `None` when there is no such type.
    pub fn find_type_def(&self, name: &str, enclosing: mdToken) -> ClrResult<Option<mdTypeDef>> {
        if unsearchable(name) {
            return Ok(None);
        }
        let wide = to_wide_nul(name);
        let mut token = 0u32;
        // SAFETY: `wide` is NUL-terminated; out-pointer refers to a local.
        let hr = unsafe {
            (self.import.vtbl().FindTypeDefByName)(self.raw(), wide.as_ptr(), enclosing, &mut token)
        };
        match hr {
            CLDB_E_RECORD_NOTFOUND => Ok(None),
            hr => HResult::ok(hr).map(|_| Some(token)),
        }
    }

    /// `FindTypeRef`; `None` when absent.
    pub fn find_type_ref(&self, scope: mdToken, name: &str) -> ClrResult<Option<mdTypeRef>> {
        if unsearchable(name) {
            return Ok(None);
        }
        let wide = to_wide_nul(name);
        let mut token = 0u32;
        // SAFETY: `wide` is NUL-terminated; out-pointer refers to a local.
        let hr = unsafe {
            (self.import.vtbl().FindTypeRef)(self.raw(), scope, wide.as_ptr(), &mut token)
        };
        match hr {
            CLDB_E_RECORD_NOTFOUND => Ok(None),
            hr => HResult::ok(hr).map(|_| Some(token)),
        }
    }

    /// `FindMemberRef` under `parent` with exactly this name and signature.
    pub fn find_member_ref(
        &self,
        parent: mdToken,
        name: &str,
        signature: &[u8],
    ) -> ClrResult<Option<mdMemberRef>> {
        if unsearchable(name) {
            return Ok(None);
        }
        let wide = to_wide_nul(name);
        let mut token = 0u32;
        let len = u32::try_from(signature.len()).map_err(|_| HResult::FAIL)?;
        // SAFETY: pointers are valid for the stated lengths; out-pointer refers to a local.
        let hr = unsafe {
            (self.import.vtbl().FindMemberRef)(
                self.raw(),
                parent,
                wide.as_ptr(),
                signature.as_ptr(),
                len,
                &mut token,
            )
        };
        match hr {
            CLDB_E_RECORD_NOTFOUND => Ok(None),
            hr => HResult::ok(hr).map(|_| Some(token)),
        }
    }

    /// `FindMethod` on a local TypeDef with exactly this name and signature.
    pub fn find_method(
        &self,
        type_def: mdTypeDef,
        name: &str,
        signature: &[u8],
    ) -> ClrResult<Option<mdMethodDef>> {
        if unsearchable(name) {
            return Ok(None);
        }
        let wide = to_wide_nul(name);
        let mut token = 0u32;
        let len = u32::try_from(signature.len()).map_err(|_| HResult::FAIL)?;
        // SAFETY: pointers are valid for the stated lengths; out-pointer refers to a local.
        let hr = unsafe {
            (self.import.vtbl().FindMethod)(
                self.raw(),
                type_def,
                wide.as_ptr(),
                signature.as_ptr(),
                len,
                &mut token,
            )
        };
        match hr {
            CLDB_E_RECORD_NOTFOUND => Ok(None),
            hr => HResult::ok(hr).map(|_| Some(token)),
        }
    }

    /// All methods of `type_def` named `name` (every overload), fetched in
    /// batches of 5 as the original does (§6.1).
    pub fn methods_named(&self, type_def: mdTypeDef, name: &str) -> ClrResult<Vec<mdMethodDef>> {
        if unsearchable(name) {
            return Ok(Vec::new());
        }
        let wide = to_wide_nul(name);
        let v = self.import.vtbl();
        drain_tokens(
            5,
            |cursor, buffer, fetched| {
                // SAFETY: `buffer` holds `len` tokens; the cursor and count are locals of the drain loop.
                unsafe {
                    (v.EnumMethodsWithName)(
                        self.raw(),
                        cursor,
                        type_def,
                        wide.as_ptr(),
                        buffer.as_mut_ptr(),
                        buffer.len() as ULONG,
                        fetched,
                    )
                }
            },
            // SAFETY: closes the cursor this enumeration opened.
            |cursor| unsafe { (v.CloseEnum)(self.raw(), cursor) },
        )
    }

    /// All methods of `type_def`.
    pub fn methods(&self, type_def: mdTypeDef) -> ClrResult<Vec<mdMethodDef>> {
        let v = self.import.vtbl();
        drain_tokens(
            64,
            // SAFETY: as in methods_named.
            |cursor, buffer, fetched| unsafe {
                (v.EnumMethods)(
                    self.raw(),
                    cursor,
                    type_def,
                    buffer.as_mut_ptr(),
                    buffer.len() as ULONG,
                    fetched,
                )
            },
            // SAFETY: closes the cursor this enumeration opened.
            |cursor| unsafe { (v.CloseEnum)(self.raw(), cursor) },
        )
    }

    /// All MemberRefs whose parent is `parent`.
    pub fn member_refs(&self, parent: mdToken) -> ClrResult<Vec<mdMemberRef>> {
        let v = self.import.vtbl();
        drain_tokens(
            64,
            // SAFETY: as in methods_named.
            |cursor, buffer, fetched| unsafe {
                (v.EnumMemberRefs)(
                    self.raw(),
                    cursor,
                    parent,
                    buffer.as_mut_ptr(),
                    buffer.len() as ULONG,
                    fetched,
                )
            },
            // SAFETY: closes the cursor this enumeration opened.
            |cursor| unsafe { (v.CloseEnum)(self.raw(), cursor) },
        )
    }

    /// All TypeRefs of the module.
    pub fn type_refs(&self) -> ClrResult<Vec<mdTypeRef>> {
        let v = self.import.vtbl();
        drain_tokens(
            64,
            // SAFETY: as in methods_named.
            |cursor, buffer, fetched| unsafe {
                (v.EnumTypeRefs)(
                    self.raw(),
                    cursor,
                    buffer.as_mut_ptr(),
                    buffer.len() as ULONG,
                    fetched,
                )
            },
            // SAFETY: closes the cursor this enumeration opened.
            |cursor| unsafe { (v.CloseEnum)(self.raw(), cursor) },
        )
    }

    /// The generic parameters of a TypeDef or MethodDef as `(index, flags)`
    /// (`EnumGenericParams` + `GetGenericParamProps`; `CorGenericParamAttr`
    /// flags, ECMA-335 II.23.1.7, plus `gpAllowByRefLike` 0x0020 since .NET 9).
    pub fn generic_params(&self, owner: mdToken) -> ClrResult<Vec<(u32, u32)>> {
        let v = self.import.vtbl();
        let tokens = drain_tokens(
            16,
            // SAFETY: as in methods_named.
            |cursor, buffer, fetched| unsafe {
                (v.EnumGenericParams)(
                    self.raw(),
                    cursor,
                    owner,
                    buffer.as_mut_ptr(),
                    buffer.len() as ULONG,
                    fetched,
                )
            },
            // SAFETY: closes the cursor this enumeration opened.
            |cursor| unsafe { (v.CloseEnum)(self.raw(), cursor) },
        )?;
        tokens
            .into_iter()
            .map(|token| {
                let (mut index, mut flags, mut owner_out, mut reserved, mut len) =
                    (0u32, 0u32, 0u32, 0u32, 0u32);
                // SAFETY: out-pointers refer to locals; the name is not requested
                // (null buffer of length 0, the runtime only reports its length).
                HResult::ok(unsafe {
                    (v.GetGenericParamProps)(
                        self.raw(),
                        token,
                        &mut index,
                        &mut flags,
                        &mut owner_out,
                        &mut reserved,
                        std::ptr::null_mut(),
                        0,
                        &mut len,
                    )
                })?;
                Ok((index, flags))
            })
            .collect()
    }

    /// The module's name as recorded in its metadata (`GetScopeProps`).
    pub fn scope_name(&self) -> ClrResult<String> {
        let v = self.import.vtbl();
        read_wide_string(|cap, needed, buf| {
            // SAFETY: `buf` holds `cap` units; the MVID is not requested.
            unsafe {
                (v.GetScopeProps)(
                    self.raw(),
                    buf.as_mut_ptr(),
                    cap,
                    needed,
                    std::ptr::null_mut(),
                )
            }
        })
    }
}

#[cfg(test)]
mod name_limit_tests {
    use super::*;

    #[test]
    fn names_longer_than_any_metadata_name_are_not_looked_up() {
        assert!(!unsearchable(&"a".repeat(MAX_LOOKUP_NAME_BYTES)));
        assert!(unsearchable(&"a".repeat(MAX_LOOKUP_NAME_BYTES + 1)));
        assert!(unsearchable(&"é".repeat(MAX_LOOKUP_NAME_BYTES / 2 + 1)));
    }
}
