# Source this file (`. ./setenv.sh`) to attach the New Relic profiler to every
# .NET (Core) process started from this shell. POSIX sh: works with bash,
# dash and Alpine's busybox ash.
#
# The agent home is CORECLR_NEWRELIC_HOME, else CORECLR_NEW_RELIC_HOME, else
# the folder this package was unpacked into (the original's setenv.sh
# requires one of the two variables; the fallback is this package's own).
if [ -z "${CORECLR_NEWRELIC_HOME:-}" ] && [ -z "${CORECLR_NEW_RELIC_HOME:-}" ]; then
  if [ -n "${BASH_SOURCE:-}" ]; then
    CORECLR_NEW_RELIC_HOME="$(cd "$(dirname "$BASH_SOURCE")" && pwd)"
  elif [ -f ./libNewRelicProfiler.so ]; then
    CORECLR_NEW_RELIC_HOME="$(pwd)"
  else
    CORECLR_NEW_RELIC_HOME=/usr/local/newrelic-dotnet-agent
  fi
fi
NRHOME="${CORECLR_NEWRELIC_HOME:-$CORECLR_NEW_RELIC_HOME}"
export CORECLR_ENABLE_PROFILING=1
export CORECLR_PROFILER='{36032161-FFC0-4B61-B559-F6C5D41BAE5A}'
export CORECLR_NEW_RELIC_HOME="$NRHOME"
export CORECLR_PROFILER_PATH="$NRHOME/libNewRelicProfiler.so"
# The agent P/Invokes the profiler by its short name ("NewRelicProfiler").
# glibc's dlopen binds that name to the already-loaded library by its
# DT_SONAME; musl's does not (it matches only a path or a file it finds on
# its search path), so on musl (Alpine) the profiler's folder must be on
# LD_LIBRARY_PATH or the thread profiler and live instrumentation fail with
# DllNotFoundException. Harmless on glibc. (docs/install.md)
case ":${LD_LIBRARY_PATH:-}:" in
  *":$NRHOME:"*) ;;
  *) export LD_LIBRARY_PATH="$NRHOME${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ;;
esac
unset NRHOME
