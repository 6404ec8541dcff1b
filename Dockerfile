# syntax=docker/dockerfile:1
# SemanticRouter's gRPC service as a container image. docs/deploy.md has the docker build and
# docker run lines; the short form:
#   docker build -t semantic-router .
#   docker run -d -p 127.0.0.1:50051:50051 -p 127.0.0.1:9464:9464 --stop-timeout 15 \
#     -v /path/to/all-MiniLM-L6-v2:/model:ro -v /path/to/data:/data semantic-router
# where /path/to/data holds index/ (built with the image: semantic-router build … --out /data/index).
# Targets: runtime (the default, last stage) and example (runtime plus the example routes indexed
# at build time; needs the model as a build context: --build-context model=/path/to/model).
# Machines that cannot pull the official .NET images pass their own bases (tools/container-bases.sh
# makes them from Debian packages): --build-arg SDK_IMAGE=… --build-arg RUNTIME_IMAGE=…
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
# Set by BuildKit and by podman/buildah (no default here: a default would replace their value).
ARG BUILDPLATFORM
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

# ---------------------------------------------------------------------------------------------
# build: the README's publish command, for the target architecture, framework-dependent (the
# runtime image brings .NET and ASP.NET Core; the publish output holds only our code, its
# packages and their native libraries for this one RID). The SDK runs on the build machine's
# platform and publishes for the target's (docker buildx build --platform linux/arm64 …).
FROM --platform=${BUILDPLATFORM} ${SDK_IMAGE} AS build
# Set by the builder from --platform; where one leaves it empty, the build machine's architecture.
ARG TARGETARCH
# A NuGet feed to restore from instead of the configured ones, e.g. a package folder bound in with
# `podman build -v ~/.nuget/packages:/nuget:ro --build-arg NUGET_SOURCE=/nuget --network=none`.
ARG NUGET_SOURCE=
WORKDIR /src
RUN case "${TARGETARCH:-$(uname -m)}" in \
      amd64|x86_64) echo linux-x64 ;; \
      arm64|aarch64) echo linux-arm64 ;; \
      *) echo "unsupported architecture: ${TARGETARCH:-$(uname -m)}" >&2; exit 1 ;; \
    esac > /rid
# Restore from the project files alone first, so a change to the sources reuses this layer.
# Framework-dependent for one RID, compiled ReadyToRun (a faster first answer), which needs the RID's
# runtime packs and the crossgen2 package: restore fetches them with the rest when told
# PublishReadyToRun, so restore and publish say it alike.
# No build servers: nothing outlives the step (their sockets would be left in the layer). The
# packages live in a build cache, not in a layer, and are kept between builds.
COPY global.json Directory.Build.props Directory.Packages.props ./
# Every project the Cli references, directly or not (a missing one leaves its restore undone and the
# publish fails on its assets file).
COPY src/SemanticRouter.Abstractions/SemanticRouter.Abstractions.csproj src/SemanticRouter.Abstractions/
COPY src/SemanticRouter.Core/SemanticRouter.Core.csproj src/SemanticRouter.Core/
COPY src/SemanticRouter.Redis/SemanticRouter.Redis.csproj src/SemanticRouter.Redis/
COPY src/SemanticRouter.Server/SemanticRouter.Server.csproj src/SemanticRouter.Server/
COPY src/SemanticRouter.Cli/SemanticRouter.Cli.csproj src/SemanticRouter.Cli/
RUN --mount=type=cache,id=semantic-router-nuget,target=/root/.nuget/packages \
    dotnet restore src/SemanticRouter.Cli -r "$(cat /rid)" -p:SelfContained=false -p:PublishReadyToRun=true \
      --disable-build-servers ${NUGET_SOURCE:+--source "$NUGET_SOURCE"}
COPY protos/ protos/
COPY routes/ routes/
COPY src/ src/
RUN --mount=type=cache,id=semantic-router-nuget,target=/root/.nuget/packages \
    dotnet publish src/SemanticRouter.Cli -c Release -r "$(cat /rid)" --self-contained false -p:PublishReadyToRun=true \
      --disable-build-servers --no-restore -o /app

# ---------------------------------------------------------------------------------------------
# app: the service on the ASP.NET Core runtime image, as the image's non-root user. No VOLUME yet:
# the example stage below writes under /data, and a build step's writes to a declared volume are
# discarded.
FROM ${RUNTIME_IMAGE} AS app
# The official images' non-root user (app, uid 1654; tools/container-bases.sh makes the same).
ARG APP_UID=1654
WORKDIR /app
COPY --from=build /app/ /app/
# /model: the sentence model folder the index was built with (read-only is fine).
# /data:  index/ (the artefact) and index.outcomes.db (the outcome store), so writable by the app.
RUN mkdir -p /model /data && chown "${APP_UID}:${APP_UID}" /data
# SEMANTIC_ROUTER_HOST=*: inside the container loopback is the container's own, and calls through
# a published port (-p) arrive on its network interface, so the server must listen on every
# interface here. Beyond loopback the server refuses to start without an API key
# (SEMANTIC_ROUTER_API_KEY or SEMANTIC_ROUTER_API_KEY_FILE); where the port is published on the
# host's loopback only (-p 127.0.0.1:50051:50051), SEMANTIC_ROUTER_ALLOW_UNAUTHENTICATED=true says so.
# ASPNETCORE_HTTP_PORTS=: the runtime image asks Kestrel for port 8080; the server binds its own
# ports, so drop that request rather than have Kestrel log that it is overridden.
ENV PATH=$PATH:/app \
    SEMANTIC_ROUTER_INDEX=/data/index \
    SEMANTIC_ROUTER_HOST=* \
    ASPNETCORE_HTTP_PORTS=
# gRPC (h2c, or TLS with SEMANTIC_ROUTER_CERTIFICATE_PATH) and HTTP/1.1 /metrics + /healthz.
EXPOSE 50051 9464
USER ${APP_UID}
# The gRPC health service (SERVING once the index is loaded; needs no API key). Docker reserves
# exit code 2, health uses 4 and 5, so every failure is reported as 1. The start period covers
# loading the model and the index.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD semantic-router health --address http://127.0.0.1:50051 --timeout 3s || exit 1
# SIGTERM starts the server's drain: in-flight calls get SEMANTIC_ROUTER_SHUTDOWN_TIMEOUT (10 s by
# default) to finish. `docker stop` waits 10 s before SIGKILL, so give it more: docker stop -t 15,
# docker run --stop-timeout 15, or compose's stop_grace_period: 15s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["semantic-router"]
CMD ["serve", "--model", "/model"]

# ---------------------------------------------------------------------------------------------
# example-index: the example routes/ indexed with the model given as the build context "model"
# (docker buildx build / podman build --build-context model=/path/to/all-MiniLM-L6-v2). The
# manifest records /model and /data/routes, which is where they are when the image runs.
FROM app AS example-index
ARG APP_UID=1654
COPY --chown=${APP_UID}:${APP_UID} routes/ /data/routes/
RUN --mount=type=bind,from=model,target=/model \
    semantic-router build --routes /data/routes --out /data/index --model /model

# example: the service with the example index inside (the model is still mounted at /model).
#   docker build --target example --build-context model=/path/to/all-MiniLM-L6-v2 -t semantic-router:example .
FROM app AS example
ARG APP_UID=1654
COPY --from=example-index --chown=${APP_UID}:${APP_UID} /data/ /data/
VOLUME ["/model", "/data"]

# runtime (the default): bring the index in the /data volume.
FROM app AS runtime
VOLUME ["/model", "/data"]
