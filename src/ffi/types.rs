//! Raw ABI types of the CLR profiling API, with the PAL's Windows widths on
//! every platform (prior-art §4.13): `WCHAR` is 16-bit, `ULONG`/`DWORD` are
//! 32-bit and `BOOL` is a 4-byte integer even where C's `long`/`wchar_t` differ.

use std::ffi::c_void;

/// `HRESULT`: a signed 32-bit status; negative values are failures.
pub type HRESULT = i32;
/// `ULONG` (32-bit on every platform, unlike C `unsigned long` on LP64).
pub type ULONG = u32;
/// `DWORD`.
pub type DWORD = u32;
/// `BOOL`: 4 bytes, non-zero is true.
pub type BOOL = i32;
/// `WCHAR`: one UTF-16 code unit.
pub type WCHAR = u16;
/// `LPCWSTR` / `WCHAR*` buffers.
pub type LPCWSTR = *const WCHAR;
/// `ULONG32`.
pub type ULONG32 = u32;
/// `UINT_PTR`.
pub type UINT_PTR = usize;
/// `SIZE_T`.
pub type SIZE_T = usize;
/// `BYTE`.
pub type BYTE = u8;
/// `COR_SIGNATURE` blobs are byte arrays.
pub type PCCOR_SIGNATURE = *const u8;
/// Opaque interface pointer as passed through vtables.
pub type RawPtr = *mut c_void;

/// Profiler identifiers: opaque pointer-sized handles minted by the runtime.
pub type ClassID = usize;
pub type FunctionID = usize;
pub type ModuleID = usize;
pub type AssemblyID = usize;
pub type AppDomainID = usize;
pub type ThreadID = usize;
pub type ObjectID = usize;
pub type ContextID = usize;
pub type GCHandleID = usize;
pub type ReJITID = usize;
pub type ProcessID = usize;

/// Metadata tokens (ECMA-335 II.22: table number in the high byte, row index below).
pub type mdToken = u32;
pub type mdModule = mdToken;
pub type mdTypeRef = mdToken;
pub type mdTypeDef = mdToken;
pub type mdFieldDef = mdToken;
pub type mdMethodDef = mdToken;
pub type mdParamDef = mdToken;
pub type mdInterfaceImpl = mdToken;
pub type mdMemberRef = mdToken;
pub type mdCustomAttribute = mdToken;
pub type mdPermission = mdToken;
pub type mdSignature = mdToken;
pub type mdEvent = mdToken;
pub type mdProperty = mdToken;
pub type mdModuleRef = mdToken;
pub type mdAssembly = mdToken;
pub type mdAssemblyRef = mdToken;
pub type mdFile = mdToken;
pub type mdExportedType = mdToken;
pub type mdManifestResource = mdToken;
pub type mdTypeSpec = mdToken;
pub type mdGenericParam = mdToken;
pub type mdMethodSpec = mdToken;
pub type mdGenericParamConstraint = mdToken;
pub type mdString = mdToken;
pub type mdToken_nil = mdToken;

/// `HCORENUM`: an opaque enumeration cursor owned by the metadata API.
pub type HCORENUM = *mut c_void;

/// A COM GUID: `{u32, u16, u16, [u8; 8]}` with the first three fields in
/// native (little-endian) order — compared by fields, never as RFC-4122 bytes
/// (prior-art §4.3).
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct GUID {
    pub data1: u32,
    pub data2: u16,
    pub data3: u16,
    pub data4: [u8; 8],
}

impl GUID {
    /// Builds a GUID from its canonical text fields (`data1-data2-data3-data4`).
    pub const fn new(data1: u32, data2: u16, data3: u16, data4: [u8; 8]) -> Self {
        GUID {
            data1,
            data2,
            data3,
            data4,
        }
    }

    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, optionally in braces.
    pub fn parse(text: &str) -> Option<GUID> {
        let t = text.trim();
        let t = t.strip_prefix('{').unwrap_or(t);
        let t = t.strip_suffix('}').unwrap_or(t);
        let parts: Vec<&str> = t.split('-').collect();
        if parts.len() != 5
            || parts[0].len() != 8
            || parts[1].len() != 4
            || parts[2].len() != 4
            || parts[3].len() != 4
            || parts[4].len() != 12
        {
            return None;
        }
        let data1 = u32::from_str_radix(parts[0], 16).ok()?;
        let data2 = u16::from_str_radix(parts[1], 16).ok()?;
        let data3 = u16::from_str_radix(parts[2], 16).ok()?;
        let tail = format!("{}{}", parts[3], parts[4]);
        let mut data4 = [0u8; 8];
        for (i, byte) in data4.iter_mut().enumerate() {
            *byte = u8::from_str_radix(tail.get(i * 2..i * 2 + 2)?, 16).ok()?;
        }
        Some(GUID {
            data1,
            data2,
            data3,
            data4,
        })
    }
}

impl std::fmt::Display for GUID {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = &self.data4;
        write!(
            f,
            "{:08x}-{:04x}-{:04x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
            self.data1, self.data2, self.data3, d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]
        )
    }
}

/// `COR_PRF_FUNCTION_ARGUMENT_INFO` and friends are not used; the structs the
/// profiler does read are declared next to the interfaces that return them.
///
/// `COR_IL_MAP` (ICorProfilerInfo::SetILInstrumentedCodeMap).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct COR_IL_MAP {
    pub oldOffset: ULONG32,
    pub newOffset: ULONG32,
    pub fAccurate: BOOL,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_parses_and_prints_canonically() {
        let g = GUID::parse("{36032161-FFC0-4B61-B559-F6C5D41BAE5A}").unwrap();
        assert_eq!(g.data1, 0x3603_2161);
        assert_eq!(g.data2, 0xffc0);
        assert_eq!(g.data3, 0x4b61);
        assert_eq!(g.data4, [0xb5, 0x59, 0xf6, 0xc5, 0xd4, 0x1b, 0xae, 0x5a]);
        assert_eq!(g.to_string(), "36032161-ffc0-4b61-b559-f6c5d41bae5a");
        assert!(GUID::parse("36032161-FFC0-4B61-B559").is_none());
        assert!(GUID::parse("3603216Z-FFC0-4B61-B559-F6C5D41BAE5A").is_none());
    }

    #[test]
    fn pal_widths_match_windows() {
        assert_eq!(std::mem::size_of::<WCHAR>(), 2);
        assert_eq!(std::mem::size_of::<ULONG>(), 4);
        assert_eq!(std::mem::size_of::<BOOL>(), 4);
        assert_eq!(std::mem::size_of::<GUID>(), 16);
        assert_eq!(
            std::mem::size_of::<FunctionID>(),
            std::mem::size_of::<usize>()
        );
    }
}
