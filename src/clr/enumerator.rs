//! Metadata enumerations (`Enum*` with an `HCORENUM` cursor): fetched in
//! batches until the runtime returns `S_FALSE` or nothing, and the cursor is
//! always closed, also on error.

use super::hresult::{ClrResult, HResult};
use crate::ffi::hresult::S_FALSE;
use crate::ffi::types::{HCORENUM, HRESULT, ULONG};

/// Collects every token an enumeration yields. `next(cursor, buffer,
/// fetched)` is one `Enum*` call; `close(cursor)` is the interface's
/// `CloseEnum`.
pub fn drain_tokens(
    batch: usize,
    mut next: impl FnMut(&mut HCORENUM, &mut [u32], &mut ULONG) -> HRESULT,
    close: impl FnOnce(HCORENUM),
) -> ClrResult<Vec<u32>> {
    let mut cursor: HCORENUM = std::ptr::null_mut();
    let mut all = Vec::new();
    let mut buffer = vec![0u32; batch.max(1)];
    let result = loop {
        let mut fetched: ULONG = 0;
        let hr = next(&mut cursor, &mut buffer, &mut fetched);
        if hr < 0 {
            break Err(HResult(hr));
        }
        let fetched = (fetched as usize).min(buffer.len());
        all.extend_from_slice(&buffer[..fetched]);
        if hr == S_FALSE || fetched == 0 {
            break Ok(all);
        }
    };
    if !cursor.is_null() {
        close(cursor);
    }
    result
}

/// Collects every item an `ICorProfiler*Enum` cursor yields (modules,
/// threads, methods): `next(buffer, fetched)` is one `Next` call on the
/// cursor, which the caller owns and releases. Stops at `S_FALSE` or an
/// empty batch; a failing `Next` is the error.
pub fn drain_items<T: Copy + Default>(
    batch: usize,
    mut next: impl FnMut(&mut [T], &mut ULONG) -> HRESULT,
) -> ClrResult<Vec<T>> {
    let mut all = Vec::new();
    let mut buffer = vec![T::default(); batch.max(1)];
    loop {
        let mut fetched: ULONG = 0;
        let hr = next(&mut buffer, &mut fetched);
        HResult::ok(hr)?;
        let fetched = (fetched as usize).min(buffer.len());
        all.extend_from_slice(&buffer[..fetched]);
        if hr == S_FALSE || fetched == 0 {
            return Ok(all);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::hresult::{E_FAIL, S_OK};

    #[test]
    fn drains_in_batches_and_closes() {
        let source: Vec<u32> = (1..=12).collect();
        let mut position = 0usize;
        let mut closed = false;
        let tokens = drain_tokens(
            5,
            |cursor, buffer, fetched| {
                *cursor = 1 as HCORENUM;
                let n = (source.len() - position).min(buffer.len());
                buffer[..n].copy_from_slice(&source[position..position + n]);
                position += n;
                *fetched = n as ULONG;
                if n == 0 {
                    S_FALSE
                } else {
                    S_OK
                }
            },
            |_| closed = true,
        )
        .unwrap();
        assert_eq!(tokens, source);
        assert!(closed);
    }

    #[test]
    fn an_error_still_closes_the_cursor() {
        let mut closed = false;
        let r = drain_tokens(
            5,
            |cursor, _, _| {
                *cursor = 1 as HCORENUM;
                E_FAIL
            },
            |_| closed = true,
        );
        assert_eq!(r, Err(HResult::FAIL));
        assert!(closed);
    }
    #[test]
    fn items_are_drained_until_s_false_and_a_failure_is_the_error() {
        let mut calls = 0;
        let items = drain_items::<usize>(2, |buffer, fetched| {
            calls += 1;
            let n = if calls < 3 { 2 } else { 1 };
            for (i, slot) in buffer.iter_mut().take(n).enumerate() {
                *slot = calls * 10 + i;
            }
            *fetched = n as ULONG;
            if calls < 3 {
                S_OK
            } else {
                S_FALSE
            }
        })
        .unwrap();
        assert_eq!(items, vec![10, 11, 20, 21, 30]);
        assert_eq!(drain_items::<usize>(2, |_, _| E_FAIL), Err(HResult::FAIL));
    }
}
