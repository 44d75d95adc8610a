@echo off
rem Call this file (`call setenv.cmd`) to attach the New Relic profiler to
rem every .NET process started from this console: .NET (Core) through the
rem CORECLR_* variables, .NET Framework through the COR_* variables.
rem The agent home is the folder this file is in.
set "NRHOME=%~dp0"
if "%NRHOME:~-1%"=="\" set "NRHOME=%NRHOME:~0,-1%"

set CORECLR_ENABLE_PROFILING=1
set CORECLR_PROFILER={36032161-FFC0-4B61-B559-F6C5D41BAE5A}
set "CORECLR_NEW_RELIC_HOME=%NRHOME%"
set "CORECLR_PROFILER_PATH=%NRHOME%\NewRelic.Profiler.dll"

set COR_ENABLE_PROFILING=1
set COR_PROFILER={71DA0A04-7777-4EC6-9643-7D28B46A8A41}
set "NEW_RELIC_HOME=%NRHOME%"
set "COR_PROFILER_PATH=%NRHOME%\NewRelic.Profiler.dll"
set NRHOME=
