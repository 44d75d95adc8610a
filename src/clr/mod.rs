//! Safe wrappers over the runtime's COM interfaces: `Result<T, HResult>`,
//! `Option` where the runtime may leave an out-parameter empty, owned UTF-16
//! decoding. Code above this layer never touches a raw pointer.

pub mod assembly_metadata;
pub mod com_ptr;
pub mod enumerator;
#[cfg(all(test, not(all(windows, target_arch = "x86"))))]
pub mod fake_info;
pub mod function_control;
pub mod hresult;
pub mod info;
pub mod info_module;
pub mod info_rejit;
pub mod info_snapshot;
pub mod metadata_attributes;
pub mod metadata_define;
pub mod metadata_emit;
pub mod metadata_import;
pub mod strings;

pub use com_ptr::{ComPtr, Interface};
pub use hresult::{ClrResult, HResult};
pub use info::{ProfilerInfo, RuntimeInformation};
