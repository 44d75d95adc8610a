# Example application image: ASP.NET Core on Alpine (musl) with the Rust
# profiler in an agent home at /usr/local/newrelic-dotnet-agent.
#
# First build the musl package, then build from the repository root:
#   build_targets/build-all --targets linux-musl-x64 --package
#   docker build -f docker/aspnet-alpine.Dockerfile -t newrelic-profiler-example-alpine .
#   docker run --rm newrelic-profiler-example-alpine
# On arm64: --targets linux-musl-arm64, and
#   --build-arg PROFILER_PACKAGE=target/platforms/packages/newrelic-profiler-0.1.0-linux-musl-arm64.tar.gz
# (Or take the library from docker/alpine-builder.Dockerfile:
#   COPY --from=newrelic-profiler-musl-builder /out/libNewRelicProfiler.so /usr/local/newrelic-dotnet-agent/)
ARG PROFILER_PACKAGE=target/platforms/packages/newrelic-profiler-0.1.0-linux-musl-x64.tar.gz

FROM mcr.microsoft.com/dotnet/sdk:10.0-alpine AS app
WORKDIR /src
COPY tests/apps/ ./
RUN dotnet publish WebApp/WebApp.csproj -c Release -o /app \
 && dotnet publish MockAgent/MockAgent.csproj -c Release -o /agent

FROM mcr.microsoft.com/dotnet/aspnet:10.0-alpine
ARG PROFILER_PACKAGE
# The agent home: the profiler, newrelic.config, newrelic.xsd, extensions/.
ADD ${PROFILER_PACKAGE} /usr/local/
# The managed agent. Here the repository's test agent (it records what the
# profiler's injected calls pass); in production copy the New Relic .NET
# agent's managed files (NewRelic.Agent.Core.dll and the rest of its home).
COPY --from=app /agent/NewRelic.Agent.Core.dll /usr/local/newrelic-dotnet-agent/
COPY --from=app /app /app
# LD_LIBRARY_PATH: the agent P/Invokes the profiler as "NewRelicProfiler";
# musl's dlopen, unlike glibc's, does not bind that name to the already-loaded
# library by its SONAME, only to a file it finds on its search path (by
# inode), so without the home on the path the thread profiler and live
# instrumentation fail with DllNotFoundException (docs/install.md).
ENV CORECLR_ENABLE_PROFILING=1 \
    CORECLR_PROFILER={36032161-FFC0-4B61-B559-F6C5D41BAE5A} \
    CORECLR_NEW_RELIC_HOME=/usr/local/newrelic-dotnet-agent \
    CORECLR_PROFILER_PATH=/usr/local/newrelic-dotnet-agent/libNewRelicProfiler.so \
    LD_LIBRARY_PATH=/usr/local/newrelic-dotnet-agent \
    NEW_RELIC_LOG_CONSOLE=true
ENTRYPOINT ["dotnet", "/app/WebApp.dll"]
