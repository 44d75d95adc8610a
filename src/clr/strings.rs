//! UTF-16 buffers across the ABI (prior-art §4.13): `WCHAR` is `u16` on
//! every platform, returned lengths usually count the terminator, and a
//! buffer may hold an embedded NUL — decoding stops at the first one.

use super::hresult::{ClrResult, HResult};
use crate::ffi::hresult::E_INSUFFICIENT_BUFFER;
use crate::ffi::types::HRESULT;

/// First attempt size: most names fit, so one call usually suffices.
const FIRST_TRY: usize = 256;
/// Upper bound on a name the runtime may report, to keep a corrupt length
/// from allocating without limit.
const MAX_CHARS: usize = 1 << 20;

/// Decodes up to the first NUL; unpaired surrogates become U+FFFD.
pub fn from_wide(buf: &[u16]) -> String {
    let end = buf.iter().position(|c| *c == 0).unwrap_or(buf.len());
    String::from_utf16_lossy(&buf[..end])
}

/// `s` as a NUL-terminated UTF-16 buffer.
pub fn to_wide_nul(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

/// The two-call buffer pattern: `call(capacity, &mut needed, buffer)` must
/// fill `buffer` (when large enough) and report the length it needs,
/// terminator included. The first call's HRESULT is checked — a failure is
/// an error, not a length (a bug prior-art §2(b) found in the Rust anchors).
pub fn read_wide_string(
    mut call: impl FnMut(u32, &mut u32, &mut [u16]) -> HRESULT,
) -> ClrResult<String> {
    // The first try uses the stack: this runs for every JIT-compiled
    // method that passes the assembly pre-filter (§4.8).
    let mut first = [0u16; FIRST_TRY];
    let mut needed = 0u32;
    let hr = call(FIRST_TRY as u32, &mut needed, &mut first);
    if hr < 0 && hr != E_INSUFFICIENT_BUFFER {
        return Err(HResult(hr));
    }
    let needed = needed as usize;
    if hr >= 0 && needed <= FIRST_TRY {
        return Ok(from_wide(&first[..needed]));
    }
    if needed > MAX_CHARS {
        return Err(HResult::UNEXPECTED);
    }
    let mut buf = vec![0u16; needed.max(1)];
    let mut again = 0u32;
    HResult::ok(call(buf.len() as u32, &mut again, &mut buf))?;
    buf.truncate((again as usize).min(buf.len()));
    Ok(from_wide(&buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime_like(value: &str) -> impl FnMut(u32, &mut u32, &mut [u16]) -> HRESULT + '_ {
        move |cap, needed, buf| {
            let wide = to_wide_nul(value);
            *needed = wide.len() as u32;
            if (cap as usize) < wide.len() {
                return 0x0013_1106; // CLDB_S_TRUNCATION: a success code
            }
            buf[..wide.len()].copy_from_slice(&wide);
            0
        }
    }

    #[test]
    fn short_and_long_names() {
        assert_eq!(
            read_wide_string(runtime_like("System.Private.CoreLib")).unwrap(),
            "System.Private.CoreLib"
        );
        let long = "N".repeat(1000);
        assert_eq!(read_wide_string(runtime_like(&long)).unwrap(), long);
        assert_eq!(read_wide_string(runtime_like("")).unwrap(), "");
        assert_eq!(read_wide_string(runtime_like("ホーム")).unwrap(), "ホーム");
    }

    #[test]
    fn failure_on_the_first_call_is_an_error() {
        let r = read_wide_string(|_, needed, _| {
            *needed = 12;
            crate::ffi::hresult::E_FAIL
        });
        assert_eq!(r, Err(HResult::FAIL));
    }

    #[test]
    fn embedded_nul_and_bad_surrogates() {
        assert_eq!(from_wide(&[0x61, 0, 0x62]), "a");
        assert_eq!(from_wide(&[0xD800, 0x61]), "\u{FFFD}a");
        assert_eq!(from_wide(&[0xD83D, 0xDE00]), "😀");
        assert_eq!(to_wide_nul("ab"), vec![0x61, 0x62, 0]);
    }

    #[test]
    fn absurd_lengths_are_refused() {
        let r = read_wide_string(|_, needed, _| {
            *needed = u32::MAX;
            0
        });
        assert!(r.is_err());
    }
}
