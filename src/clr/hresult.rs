//! `HResult`: a failed runtime call as a Rust error value.

use crate::ffi::hresult;
use crate::ffi::types::HRESULT;
use std::fmt;

/// An HRESULT returned by the runtime. `Display` prints it as a signed
/// decimal integer, the way the original profiler logs HRESULTs
/// (reference-profiler §3.4); `{:#x}` gives the conventional hex form.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct HResult(pub HRESULT);

/// Result of a call into the runtime.
pub type ClrResult<T> = Result<T, HResult>;

impl HResult {
    pub const FAIL: HResult = HResult(hresult::E_FAIL);
    pub const UNEXPECTED: HResult = HResult(hresult::E_UNEXPECTED);
    pub const POINTER: HResult = HResult(hresult::E_POINTER);

    /// `Ok(code)` for success codes (keeping `S_FALSE` distinguishable),
    /// `Err` for failures.
    pub fn check(code: HRESULT) -> ClrResult<HRESULT> {
        if hresult::succeeded(code) {
            Ok(code)
        } else {
            Err(HResult(code))
        }
    }

    /// `Ok(())` on any success code.
    pub fn ok(code: HRESULT) -> ClrResult<()> {
        HResult::check(code).map(|_| ())
    }
}

impl fmt::Display for HResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Debug for HResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HResult({:#010x})", self.0 as u32)
    }
}

impl fmt::LowerHex for HResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::LowerHex::fmt(&(self.0 as u32), f)
    }
}

impl std::error::Error for HResult {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_the_original() {
        let hr = HResult(hresult::E_NOINTERFACE);
        assert_eq!(hr.to_string(), "-2147467262");
        assert_eq!(format!("{hr:#x}"), "0x80004002");
        assert_eq!(HResult::check(hresult::S_FALSE), Ok(1));
        assert_eq!(HResult::check(hresult::E_FAIL), Err(HResult::FAIL));
    }
}
