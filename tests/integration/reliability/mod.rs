//! Issue 9 (hardening): load, faults and memory, against `tests/apps/StressApp`
//! and its generated methods. `scripts/reliability-report` runs these tests
//! and the longer measurements and writes `docs/reliability.md`.

pub mod app;

mod concurrency;
mod faults_config;
mod faults_files;
mod faults_live;
mod leaks;
mod memory;
mod raw_run;
pub mod record;
