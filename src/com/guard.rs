//! The panic firewall around every entry point the runtime or the agent
//! calls (prior-art §4.14). A panic never unwinds into the host: it is
//! caught, logged with its message and location, and turned into a return
//! value the caller already handles (an HRESULT for COM and most exports).

use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// Depth of guarded calls on this thread.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    /// Message and location of the last panic caught on this thread.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Test hook: panic at the start of the next guarded call.
    #[cfg(test)]
    static INJECT: Cell<bool> = const { Cell::new(false) };
}

static HOOK: Once = Once::new();

/// Routes panics raised inside a guard to the profiler log instead of the
/// application's stderr; panics elsewhere go to the previous hook. The hook
/// belongs to this library's copy of std, so other Rust code in the process
/// is unaffected.
pub fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if DEPTH.with(Cell::get) > 0 {
                let location = info
                    .location()
                    .map(|l| format!(" at {}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                let message = payload_text(info.payload());
                LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{message}{location}")));
            } else {
                previous(info);
            }
        }));
    });
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Runs `body`; a panic inside it is logged as an error naming `entry` and
/// `on_panic` is returned instead.
pub fn guard<T>(entry: &'static str, on_panic: T, body: impl FnOnce() -> T) -> T {
    install_panic_hook();
    DEPTH.with(|d| d.set(d.get() + 1));
    let result = catch_unwind(AssertUnwindSafe(|| {
        #[cfg(test)]
        if INJECT.with(|i| i.replace(false)) {
            panic!("injected fault in {entry}");
        }
        body()
    }));
    DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    match result {
        Ok(value) => value,
        Err(payload) => {
            let detail = LAST_PANIC
                .with(|p| p.borrow_mut().take())
                .unwrap_or_else(|| payload_text(payload.as_ref()));
            crate::log_error!(
                "An unexpected error occurred in {entry} and was contained: {detail}"
            );
            on_panic
        }
    }
}

/// Makes the next guarded call on this thread panic (tests only).
#[cfg(test)]
pub fn inject_panic_in_next_call() {
    INJECT.with(|i| i.set(true));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::hresult::{E_FAIL, S_OK};

    #[test]
    fn a_panic_becomes_the_fallback_value() {
        assert_eq!(guard("Test", E_FAIL, || S_OK), S_OK);
        assert_eq!(guard("Test", E_FAIL, || -> i32 { panic!("boom") }), E_FAIL);
        let text = "formatted";
        assert_eq!(guard("Test", 7u32, || -> u32 { panic!("{text} boom") }), 7);
        // The thread is still usable and later calls run normally.
        assert_eq!(guard("Test", E_FAIL, || S_OK), S_OK);
    }

    #[test]
    fn nested_guards_recover_independently() {
        let outer = guard("Outer", 1, || {
            let inner = guard("Inner", 2, || -> i32 { panic!("inner") });
            inner + 10
        });
        assert_eq!(outer, 12);
    }

    #[test]
    fn injected_fault_is_contained() {
        inject_panic_in_next_call();
        assert_eq!(guard("Injected", E_FAIL, || S_OK), E_FAIL);
        assert_eq!(guard("Injected", E_FAIL, || S_OK), S_OK);
    }
}
