# syntax=docker/dockerfile:1
# The Tempora server image: `docker build -t tempora .` at the repository root.
# Build stage: the .NET SDK publishes the `tempora` executable, framework-dependent and precompiled (ReadyToRun)
# for the target platform. Runtime stage: Ubuntu's chiseled ASP.NET runtime (no shell, no package manager, runs
# as the non-root user `app`). docs/kubernetes.md describes the settings; the container is configured by
# environment variables (docs/postgresql.md) or a config file mounted at the path in TEMPORA_CONFIG.

FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
WORKDIR /src

# Project files first, so that the restore layer is reused while only sources change.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Directory.Build.props src/
COPY src/Tempora.Core/Tempora.Core.csproj src/Tempora.Core/
COPY src/Tempora.Archival/Tempora.Archival.csproj src/Tempora.Archival/
COPY src/Tempora.Persistence/Tempora.Persistence.csproj src/Tempora.Persistence/
COPY src/Tempora.Persistence.Sqlite/Tempora.Persistence.Sqlite.csproj src/Tempora.Persistence.Sqlite/
COPY src/Tempora.Persistence.Postgres/Tempora.Persistence.Postgres.csproj src/Tempora.Persistence.Postgres/
COPY src/Tempora.Visibility/Tempora.Visibility.csproj src/Tempora.Visibility/
COPY src/Tempora.History/Tempora.History.csproj src/Tempora.History/
COPY src/Tempora.Matching/Tempora.Matching.csproj src/Tempora.Matching/
COPY src/Tempora.Cluster/Tempora.Cluster.csproj src/Tempora.Cluster/
COPY src/Tempora.Frontend/Tempora.Frontend.csproj src/Tempora.Frontend/
COPY src/Tempora.Web/Tempora.Web.csproj src/Tempora.Web/
COPY src/Tempora.Worker/Tempora.Worker.csproj src/Tempora.Worker/
COPY src/Tempora.Server/Tempora.Server.csproj src/Tempora.Server/
COPY src/Tempora.Cli/Tempora.Cli.csproj src/Tempora.Cli/
# Docker names architectures amd64/arm64, .NET names them x64/arm64.
RUN RID="linux-$([ "$TARGETARCH" = "arm64" ] && echo arm64 || echo x64)" \
    && dotnet restore src/Tempora.Cli/Tempora.Cli.csproj -r "$RID" -p:PublishReadyToRun=true

COPY src/ src/
RUN RID="linux-$([ "$TARGETARCH" = "arm64" ] && echo arm64 || echo x64)" \
    && dotnet publish src/Tempora.Cli/Tempora.Cli.csproj -c Release -r "$RID" --no-restore -o /app \
    && mkdir -p /data

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS runtime
WORKDIR /app
COPY --from=build /app ./
# The SQLite file of `DB=sqlite` (the default) lives here; mount a volume to keep it. PostgreSQL needs no disk.
COPY --from=build --chown=1654:1654 /data /data
ENV TEMPORA_SQLITE_FILE=/data/tempora.db \
    DOTNET_gcServer=0
# 1654 is the `app` user of the .NET images (APP_UID).
USER 1654
# gRPC frontend, web UI, metrics and health (/metrics, /health/live, /health/ready).
EXPOSE 7233 7243 8080 9090
# No shell or curl in a chiseled image: the binary asks its own metrics listener (`tempora health`, exit 0 when
# /health/ready answers 200). Kubernetes ignores HEALTHCHECK and uses the probes of the Helm chart instead.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["/app/tempora", "health"]
ENTRYPOINT ["/app/tempora"]
CMD ["start"]
