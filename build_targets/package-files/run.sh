#!/bin/sh
# Runs one command with the New Relic profiler attached, like the agent's
# run.sh:   ./run.sh dotnet MyApp.dll
# The agent home is CORECLR_NEWRELIC_HOME, else CORECLR_NEW_RELIC_HOME, else
# the folder this script is in. The home goes first on LD_LIBRARY_PATH:
# musl's dlopen does not bind the agent's DllImport("NewRelicProfiler") to
# the loaded profiler by its SONAME, as glibc's does (see setenv.sh).
if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]   (e.g. $0 dotnet MyApp.dll)" >&2
  exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
NRHOME="${CORECLR_NEWRELIC_HOME:-${CORECLR_NEW_RELIC_HOME:-$here}}"
CORECLR_ENABLE_PROFILING=1 \
CORECLR_PROFILER='{36032161-FFC0-4B61-B559-F6C5D41BAE5A}' \
CORECLR_NEW_RELIC_HOME="$NRHOME" \
CORECLR_PROFILER_PATH="$NRHOME/libNewRelicProfiler.so" \
LD_LIBRARY_PATH="$NRHOME${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
exec "$@"
