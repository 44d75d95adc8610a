//! `newrelic-profiler`: runs a command under the profiler, like the agent's
//! `run.sh`, or — with no command — builds and runs the bundled demo.
//!
//! ```text
//! cargo run --release                                   # the demo
//! cargo run --release -- [--home DIR] [--log-dir DIR] [--log-level LEVEL] -- dotnet app.dll
//! ```

mod launcher;

fn main() {
    let code = match launcher::Options::parse(std::env::args().skip(1)) {
        Ok(options) => launcher::run(options),
        Err(message) => {
            eprintln!("newrelic-profiler: {message}\n\n{}", launcher::USAGE);
            2
        }
    };
    std::process::exit(code);
}
