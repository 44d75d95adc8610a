#!/usr/bin/env bash
# The "instrument everything" run (issue 9 item 1) with a larger corpus than
# `cargo test` uses: every method of Newtonsoft.Json 13.0.3, System.Text.Json
# and the workload's own shapes is selected; the workload runs with and
# without the (release-built) profiler; the test checks the output is
# byte-identical and every JIT-compiled method is instrumented or skipped
# with a logged reason, prints the counts and writes
# target/reliability/instrument-everything.json.
#
#   scripts/instrument-everything.sh [documents-per-corpus]   (default 200)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export EVERYTHING_SIZE="${1:-200}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
cargo test --release --test integration everything:: -- --nocapture --test-threads=1
echo "report: target/reliability/instrument-everything.json"
