//! HRESULT values the profiler returns or inspects. Values come from the
//! Windows SDK (`winerror.h`) and the runtime's `corerror.h`; on Linux the
//! PAL uses the same numbers.

use super::types::HRESULT;

/// Reinterprets the conventional unsigned spelling of an HRESULT.
const fn hr(value: u32) -> HRESULT {
    value as HRESULT
}

pub const S_OK: HRESULT = 0;
pub const S_FALSE: HRESULT = 1;
pub const E_NOTIMPL: HRESULT = hr(0x8000_4001);
pub const E_NOINTERFACE: HRESULT = hr(0x8000_4002);
pub const E_POINTER: HRESULT = hr(0x8000_4003);
pub const E_ABORT: HRESULT = hr(0x8000_4004);
pub const E_FAIL: HRESULT = hr(0x8000_4005);
pub const E_UNEXPECTED: HRESULT = hr(0x8000_FFFF);
pub const E_ILLEGAL_METHOD_CALL: HRESULT = hr(0x8000_000E);
pub const E_OUTOFMEMORY: HRESULT = hr(0x8007_000E);
pub const E_INVALIDARG: HRESULT = hr(0x8007_0057);
/// `HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER)`: a two-call sizing answer.
pub const E_INSUFFICIENT_BUFFER: HRESULT = hr(0x8007_007A);
pub const CLASS_E_NOAGGREGATION: HRESULT = hr(0x8004_0110);
pub const CLASS_E_CLASSNOTAVAILABLE: HRESULT = hr(0x8004_0111);
/// Returned from `Initialize` to make the runtime detach the profiler
/// (reference-profiler §2.1).
pub const CORPROF_E_PROFILER_CANCEL_ACTIVATION: HRESULT = hr(0x8013_1375);
/// `GetFunctionFromToken` on a generic method or a method of a generic type
/// (reference-profiler §6.1).
pub const CORPROF_E_FUNCTION_IS_PARAMETERIZED: HRESULT = hr(0x8013_135D);
/// Metadata lookups that find nothing (`FindTypeDefByName`, `GetCustomAttributeByName` returns S_FALSE instead).
pub const CLDB_E_RECORD_NOTFOUND: HRESULT = hr(0x8013_1130);

/// True for success codes (`SUCCEEDED`), including `S_FALSE`.
pub const fn succeeded(value: HRESULT) -> bool {
    value >= 0
}
