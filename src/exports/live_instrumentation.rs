//! Live-instrumentation exports (reference-profiler §6.2): the agent calls
//! them when its extension files, its `newrelic.config` or its live
//! instrumentation documents change.

use super::with_active;
use crate::ffi::hresult::{E_FAIL, E_INVALIDARG};
use crate::ffi::types::HRESULT;
use crate::profiler::oversized_document;
use std::ffi::{c_char, CStr};

/// Re-reads the extension XML and re-instruments what changed (`S_FALSE`
/// when a file is invalid and nothing changed).
#[no_mangle]
pub extern "C" fn InstrumentationRefresh() -> HRESULT {
    crate::log_info!("Refreshing instrumentation");
    with_active(
        "InstrumentationRefresh",
        E_FAIL,
        Some("Unable to refresh instrumentation because the profiler reference is invalid."),
        |profiler, active| profiler.instrumentation_refresh(active),
    )
}

/// Re-reads `newrelic.config`, re-applies the log settings, then refreshes
/// with the new ignore list.
#[no_mangle]
pub extern "C" fn ReloadConfiguration() -> HRESULT {
    crate::log_info!("Reloading newrelic.config files.");
    with_active(
        "ReloadConfiguration",
        E_FAIL,
        Some("Unable to reload configuration because the profiler reference is invalid."),
        |profiler, active| profiler.reload_configuration(active),
    )
}

/// Stores a live-instrumentation document until `ApplyCustomInstrumentation`.
///
/// # Safety
/// `file_name` and `xml` must be null or NUL-terminated strings (the agent
/// marshals `string` arguments this way: UTF-8 on Linux, the ANSI code page
/// on Windows).
#[no_mangle]
pub unsafe extern "C" fn AddCustomInstrumentation(
    file_name: *const c_char,
    xml: *const c_char,
) -> HRESULT {
    crate::log_trace!("Adding custom instrumentation");
    with_active(
        "AddCustomInstrumentation",
        E_FAIL,
        Some("Unable to add custom instrumentation because the profiler reference is invalid."),
        |profiler, active| {
            // SAFETY: the caller passes NUL-terminated strings or null.
            let (Some(name), Some(text)) = (unsafe { bytes(file_name) }, unsafe { bytes(xml) })
            else {
                crate::log_error!(
                    "AddCustomInstrumentation: a null file name or document was passed"
                );
                return E_INVALIDARG;
            };
            // An oversized document is refused before it is copied
            // (docs/compatibility.md E5).
            let size = name.len().saturating_add(text.len());
            if let Some(reason) = oversized_document(size) {
                let shown = decode(name.get(..1024).unwrap_or(name));
                crate::log_error!(
                    "AddCustomInstrumentation: the document {shown} was refused: {reason}"
                );
                return E_INVALIDARG;
            }
            profiler.add_custom_instrumentation(active, decode(name), decode(text))
        },
    )
}

/// Makes the stored documents the live set and refreshes when it changed.
#[no_mangle]
pub extern "C" fn ApplyCustomInstrumentation() -> HRESULT {
    crate::log_trace!("Applying custom instrumentation");
    with_active(
        "ApplyCustomInstrumentation",
        E_FAIL,
        Some("Unable to apply custom instrumentation because the profiler reference is invalid."),
        |profiler, active| profiler.apply_custom_instrumentation(active),
    )
}

/// The bytes of a marshalled `string`, borrowed.
///
/// # Safety
/// `text` must be null or point at a NUL-terminated string that outlives
/// the returned slice (the call).
unsafe fn bytes<'a>(text: *const c_char) -> Option<&'a [u8]> {
    if text.is_null() {
        return None;
    }
    // SAFETY: non-null and NUL-terminated per the caller.
    Some(unsafe { CStr::from_ptr(text) }.to_bytes())
}

/// A marshalled `string`: UTF-8 on Linux; on Windows each byte is widened
/// to one character, as the original does (§6.2 QUIRK).
fn decode(bytes: &[u8]) -> String {
    if cfg!(windows) {
        bytes.iter().map(|b| char::from(*b)).collect()
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    }
}
