//! Safe wrappers over `IMetaDataAssemblyImport` and `IMetaDataAssemblyEmit`:
//! the module's own assembly identity and its assembly references
//! (reference-profiler §4.6 versions, §5.7 assembly refs).

use super::com_ptr::ComPtr;
use super::enumerator::drain_tokens;
use super::hresult::{ClrResult, HResult};
use super::metadata_import::copy_blob;
use super::strings::{from_wide, read_wide_string, to_wide_nul};
use crate::ffi::hresult::CLDB_E_RECORD_NOTFOUND;
use crate::ffi::metadata::{
    IMetaDataAssemblyEmitVtbl, IMetaDataAssemblyImportVtbl, ASSEMBLYMETADATA,
};
use crate::ffi::types::*;
use std::ffi::c_void;

/// Four-part assembly version.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version4 {
    pub major: u16,
    pub minor: u16,
    pub build: u16,
    pub revision: u16,
}

/// An assembly definition or reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssemblyIdentity {
    pub name: String,
    pub version: Version4,
    /// `None` for culture-neutral assemblies (a null `szLocale`, prior-art §4.12).
    pub locale: Option<String>,
    /// Public key (definitions) or key or token (references).
    pub public_key: Vec<u8>,
    pub flags: u32,
}

/// Capacity for the locale buffer the runtime fills.
const LOCALE_CAPACITY: usize = 64;

fn metadata_with_locale(locale: &mut [u16]) -> ASSEMBLYMETADATA {
    ASSEMBLYMETADATA {
        szLocale: locale.as_mut_ptr(),
        cbLocale: locale.len() as ULONG,
        ..ASSEMBLYMETADATA::default()
    }
}

fn identity(
    name: String,
    meta: &ASSEMBLYMETADATA,
    locale: &[u16],
    public_key: Vec<u8>,
    flags: u32,
) -> AssemblyIdentity {
    let locale_text = if meta.cbLocale == 0 {
        String::new()
    } else {
        from_wide(locale)
    };
    AssemblyIdentity {
        name,
        version: Version4 {
            major: meta.usMajorVersion,
            minor: meta.usMinorVersion,
            build: meta.usBuildNumber,
            revision: meta.usRevisionNumber,
        },
        locale: (!locale_text.is_empty()).then_some(locale_text),
        public_key,
        flags,
    }
}

/// A module's assembly-level metadata.
#[derive(Clone)]
pub struct AssemblyImport {
    import: ComPtr<IMetaDataAssemblyImportVtbl>,
}

impl AssemblyImport {
    pub fn new(import: ComPtr<IMetaDataAssemblyImportVtbl>) -> AssemblyImport {
        AssemblyImport { import }
    }

    fn raw(&self) -> *mut c_void {
        self.import.as_raw()
    }

    /// The assembly this module belongs to (`GetAssemblyFromScope` + `GetAssemblyProps`).
    pub fn assembly(&self) -> ClrResult<AssemblyIdentity> {
        let v = self.import.vtbl();
        let mut token: mdAssembly = 0;
        // SAFETY: out-pointer refers to a local.
        HResult::ok(unsafe { (v.GetAssemblyFromScope)(self.raw(), &mut token) })?;
        let mut locale = [0u16; LOCALE_CAPACITY];
        let mut meta = metadata_with_locale(&mut locale);
        let (mut key, mut key_len, mut hash_alg, mut flags): (*mut c_void, ULONG, ULONG, DWORD) =
            (std::ptr::null_mut(), 0, 0, 0);
        let name = read_wide_string(|cap, needed, buf| {
            meta = metadata_with_locale(&mut locale);
            // SAFETY: every pointer refers to a local or a buffer of the stated size.
            unsafe {
                (v.GetAssemblyProps)(
                    self.raw(),
                    token,
                    &mut key,
                    &mut key_len,
                    &mut hash_alg,
                    buf.as_mut_ptr(),
                    cap,
                    needed,
                    &mut meta,
                    &mut flags,
                )
            }
        })?;
        // SAFETY: the key blob is valid for the module's lifetime.
        let key = unsafe { copy_blob(key as *const u8, key_len) };
        Ok(identity(name, &meta, &locale, key, flags))
    }

    /// The AssemblyRef tokens of this module.
    pub fn assembly_refs(&self) -> ClrResult<Vec<mdAssemblyRef>> {
        let v = self.import.vtbl();
        drain_tokens(
            32,
            // SAFETY: `buffer` holds `len` tokens; the cursor and count are the drain loop's locals.
            |cursor, buffer, fetched| unsafe {
                (v.EnumAssemblyRefs)(
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

    pub fn assembly_ref(&self, token: mdAssemblyRef) -> ClrResult<AssemblyIdentity> {
        let v = self.import.vtbl();
        let mut locale = [0u16; LOCALE_CAPACITY];
        let mut meta = metadata_with_locale(&mut locale);
        let (mut key, mut key_len, mut hash, mut hash_len, mut flags): (
            *mut c_void,
            ULONG,
            *mut c_void,
            ULONG,
            DWORD,
        ) = (std::ptr::null_mut(), 0, std::ptr::null_mut(), 0, 0);
        let name = read_wide_string(|cap, needed, buf| {
            meta = metadata_with_locale(&mut locale);
            // SAFETY: every pointer refers to a local or a buffer of the stated size.
            unsafe {
                (v.GetAssemblyRefProps)(
                    self.raw(),
                    token,
                    &mut key,
                    &mut key_len,
                    buf.as_mut_ptr(),
                    cap,
                    needed,
                    &mut meta,
                    &mut hash,
                    &mut hash_len,
                    &mut flags,
                )
            }
        })?;
        // SAFETY: the key blob is valid for the module's lifetime.
        let key = unsafe { copy_blob(key as *const u8, key_len) };
        Ok(identity(name, &meta, &locale, key, flags))
    }

    /// Where a type this assembly forwards (an `ExportedType` row, ECMA-335
    /// II.22.14) is implemented: `FindExportedTypeByName` +
    /// `GetExportedTypeProps`, giving the implementation token (an
    /// AssemblyRef for a type forwarder, a File or an enclosing ExportedType
    /// otherwise). `None` when the assembly exports no such type.
    /// `enclosing` is the ExportedType of the enclosing type, or 0.
    pub fn exported_type(&self, name: &str, enclosing: mdToken) -> ClrResult<Option<ExportedType>> {
        let v = self.import.vtbl();
        let wide = to_wide_nul(name);
        let mut token: mdExportedType = 0;
        // SAFETY: `wide` is NUL-terminated; the out-pointer refers to a local.
        let hr =
            unsafe { (v.FindExportedTypeByName)(self.raw(), wide.as_ptr(), enclosing, &mut token) };
        match hr {
            CLDB_E_RECORD_NOTFOUND => return Ok(None),
            hr => HResult::ok(hr)?,
        }
        let (mut implementation, mut type_def, mut flags): (mdToken, mdTypeDef, DWORD) = (0, 0, 0);
        let name = read_wide_string(|cap, needed, buf| {
            // SAFETY: `buf` holds `cap` units; the out-pointers refer to locals.
            unsafe {
                (v.GetExportedTypeProps)(
                    self.raw(),
                    token,
                    buf.as_mut_ptr(),
                    cap,
                    needed,
                    &mut implementation,
                    &mut type_def,
                    &mut flags,
                )
            }
        })?;
        Ok(Some(ExportedType {
            token,
            name,
            implementation,
        }))
    }
}

/// An `ExportedType` row: a type this assembly forwards or exports from another file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportedType {
    pub token: mdExportedType,
    pub name: String,
    /// AssemblyRef (forwarder), File, or enclosing ExportedType.
    pub implementation: mdToken,
}

/// A module's assembly-level metadata, for writing.
#[derive(Clone)]
pub struct AssemblyEmit {
    emit: ComPtr<IMetaDataAssemblyEmitVtbl>,
}

impl AssemblyEmit {
    pub fn new(emit: ComPtr<IMetaDataAssemblyEmitVtbl>) -> AssemblyEmit {
        AssemblyEmit { emit }
    }

    /// `DefineAssemblyRef(name, version, public key or token, flags)`; no culture, no hash.
    pub fn define_assembly_ref(
        &self,
        name: &str,
        version: Version4,
        public_key_or_token: &[u8],
        flags: u32,
    ) -> ClrResult<mdAssemblyRef> {
        let wide = to_wide_nul(name);
        let mut meta = ASSEMBLYMETADATA {
            usMajorVersion: version.major,
            usMinorVersion: version.minor,
            usBuildNumber: version.build,
            usRevisionNumber: version.revision,
            ..ASSEMBLYMETADATA::default()
        };
        let mut key = public_key_or_token.to_vec();
        let key_ptr = if key.is_empty() {
            std::ptr::null_mut()
        } else {
            key.as_mut_ptr().cast()
        };
        let key_len = u32::try_from(key.len()).map_err(|_| HResult::FAIL)?;
        let mut token = 0u32;
        // SAFETY: every pointer refers to a local or an owned buffer of the stated size.
        HResult::ok(unsafe {
            (self.emit.vtbl().DefineAssemblyRef)(
                self.emit.as_raw(),
                key_ptr,
                key_len,
                wide.as_ptr(),
                &mut meta,
                std::ptr::null_mut(),
                0,
                flags,
                &mut token,
            )
        })?;
        Ok(token)
    }
}
