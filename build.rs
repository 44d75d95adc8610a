//! Link settings of the profiler library.
//!
//! Linux: the managed agent P/Invokes the already-loaded profiler by the
//! short name `NewRelicProfiler`, which resolves to the loaded image only
//! if it carries `DT_SONAME = libNewRelicProfiler.so`; without it the agent
//! would load a second, uninitialised copy (reference-profiler §1.1). A Rust
//! cdylib gets no SONAME by default.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" || os == "android" || os.ends_with("bsd") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libNewRelicProfiler.so");
    }
}
