# Example application image: ASP.NET Core on the default (glibc, Ubuntu)
# .NET 10 image with the Rust profiler in an agent home at
# /usr/local/newrelic-dotnet-agent. The glibc build needs glibc 2.17 or
# later, so the same package works on Debian, Ubuntu, RHEL/UBI, Amazon Linux.
#
# First build the glibc package, then build from the repository root:
#   build_targets/build-all --targets linux-x64 --package
#   docker build -f docker/aspnet-ubuntu.Dockerfile -t newrelic-profiler-example .
#   docker run --rm newrelic-profiler-example
# On arm64: --targets linux-arm64, and
#   --build-arg PROFILER_PACKAGE=target/platforms/packages/newrelic-profiler-0.1.0-linux-arm64.tar.gz
ARG PROFILER_PACKAGE=target/platforms/packages/newrelic-profiler-0.1.0-linux-x64.tar.gz

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS app
WORKDIR /src
COPY tests/apps/ ./
RUN dotnet publish WebApp/WebApp.csproj -c Release -o /app \
 && dotnet publish MockAgent/MockAgent.csproj -c Release -o /agent

FROM mcr.microsoft.com/dotnet/aspnet:10.0
ARG PROFILER_PACKAGE
# The agent home: the profiler, newrelic.config, newrelic.xsd, extensions/.
ADD ${PROFILER_PACKAGE} /usr/local/
# The managed agent. Here the repository's test agent (it records what the
# profiler's injected calls pass); in production copy the New Relic .NET
# agent's managed files (NewRelic.Agent.Core.dll and the rest of its home).
COPY --from=app /agent/NewRelic.Agent.Core.dll /usr/local/newrelic-dotnet-agent/
COPY --from=app /app /app
ENV CORECLR_ENABLE_PROFILING=1 \
    CORECLR_PROFILER={36032161-FFC0-4B61-B559-F6C5D41BAE5A} \
    CORECLR_NEW_RELIC_HOME=/usr/local/newrelic-dotnet-agent \
    CORECLR_PROFILER_PATH=/usr/local/newrelic-dotnet-agent/libNewRelicProfiler.so \
    NEW_RELIC_LOG_CONSOLE=true
ENTRYPOINT ["dotnet", "/app/WebApp.dll"]
