#!/usr/bin/env bash
# Builds the Dockerfile with podman and checks the image as an operator would: base images made
# from Debian packages and this machine's .NET (tools/container-bases.sh; cached), the image built
# with them, the example index built by the image itself, the container run with the model and the
# index as volumes and an API key, its HEALTHCHECK reporting healthy, its user not root, a
# RankModels + RecordOutcome call through the published port (examples/python/rank.py, Debian
# python3-grpcio), SIGTERM through `podman stop` ending it cleanly, and the example target (the
# example index built into the image) ranking; then the containers (by id) and temporary files are
# removed. Prints how long each step took.
#   tools/container-check.sh [MODEL_DIR]      # default ../shared/models/all-MiniLM-L6-v2
# Environment:
#   NUGET=offline (default)  restore from this machine's ~/.nuget/packages bound into the build, no
#                            network in the build at all (run `dotnet restore` here first)
#   NUGET=online             restore from the configured NuGet feed over the host's network (the
#                            base's CA store must trust the chain the host sees: NU1301 UntrustedRoot
#                            behind a TLS-inspecting proxy)
#   SDK_IMAGE, RUNTIME_IMAGE other base images (e.g. the official ones where they can be pulled);
#                            tools/container-bases.sh is skipped when both are set
#   IMAGE                    the tag to build (default localhost/semantic-router:check; the example
#                            target gets IMAGE-example)
#   NO_CACHE=1               rebuild every layer (podman build --no-cache; the NuGet cache mount stays)
#   REMOVE_IMAGE=1           remove the built image afterwards (by default it stays, with its
#                            build cache, for a quick rebuild and for `podman run` by hand)
# Needs root, podman (buildah inside), mmdebstrap for the bases, python3-grpcio/-grpc-tools, and on
# hosts where crun cannot start containers (see below) Debian's runc.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
model=$(cd "${1:-../shared/models/all-MiniLM-L6-v2}" && pwd)
image=${IMAGE:-localhost/semantic-router:check}
example_image=$image-example
nuget=${NUGET:-offline}
python=/usr/bin/python3 # Debian's, with python3-grpcio (a python3 earlier on PATH may lack it)
[ -f "$model/model.onnx" ] || { echo "container-check: no model.onnx in $model" >&2; exit 2; }

# --- timings -------------------------------------------------------------------------------
timings=()
step_started=0
step() { # name: starts timing a step
  step_finish
  step_name=$1
  step_started=$(date +%s.%N)
  echo "== $step_name" >&2
}
step_finish() {
  if [ "$step_started" != 0 ]; then
    timings+=("$(printf '%-56s %7.1f s' "$step_name" "$(awk -v a="$step_started" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')")")
    step_started=0
  fi
}

# --- cleanup: only what this run made, by id ------------------------------------------------
container=
work=$(mktemp -d /tmp/semantic-router-container-check.XXXXXX)
cleanup() {
  local status=$?
  if [ -n "$container" ]; then
    podman rm --force --volumes "$container" >/dev/null 2>&1 || true
  fi
  if [ "${REMOVE_IMAGE:-0}" = 1 ]; then
    podman rmi "$image" "$example_image" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

# Podman asks systemd for a timer per health check; without systemd it logs an error on every
# run/stop/rm and the check runs only when asked (`podman healthcheck run`, below). Drop that noise.
quiet() { "$@" 2> >(grep -v 'systemd connection' >&2); }
fail() { echo "container-check: FAILED: $*" >&2; exit 1; }

# --- how to run containers on this machine --------------------------------------------------
# crun 1.8 refuses a cgroup v1 host with a cgroup v2 controller mounted ("cgroups in hybrid mode
# not supported") and podman's default ulimits need CAP_SYS_RESOURCE; where the defaults fail, use
# runc with this shell's own limits.
step "bases (tools/container-bases.sh; kept once made)"
if [ -n "${SDK_IMAGE:-}" ] && [ -n "${RUNTIME_IMAGE:-}" ]; then
  sdk_image=$SDK_IMAGE runtime_image=$RUNTIME_IMAGE
else
  eval "$(tools/container-bases.sh | sed -n 's/^SDK_IMAGE=\(\S*\) RUNTIME_IMAGE=\(\S*\)$/sdk_image=\1 runtime_image=\2/p')"
fi
[ -n "${sdk_image:-}" ] && [ -n "${runtime_image:-}" ] || fail "no base images"
run_flags=()
if ! podman run --rm "$runtime_image" true >/dev/null 2>&1; then
  command -v runc >/dev/null || fail "podman cannot run containers with its default runtime here; install Debian's runc (apt-get install runc) and run again"
  run_flags=(--runtime runc --ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=4096:4096)
  podman run --rm "${run_flags[@]}" "$runtime_image" true >/dev/null || fail "podman cannot run $runtime_image, not even with ${run_flags[*]}"
  echo "   containers run with: ${run_flags[*]}" >&2
fi

# --- build ----------------------------------------------------------------------------------
step "image build (podman build, NUGET=$nuget)"
# --format docker: HEALTHCHECK and STOPSIGNAL exist only in Docker's image format (OCI drops them).
build_flags=(--format docker --layers ${NO_CACHE:+--no-cache} --build-arg "SDK_IMAGE=$sdk_image" --build-arg "RUNTIME_IMAGE=$runtime_image")
case $nuget in
  offline) build_flags+=(--network=none -v "${NUGET_PACKAGES:-$HOME/.nuget/packages}:/nuget:ro" --build-arg NUGET_SOURCE=/nuget) ;;
  online) build_flags+=(--network=host) ;;
  *) fail "NUGET must be offline or online, not $nuget" ;;
esac
podman build "${run_flags[@]}" "${build_flags[@]}" -t "$image" . > "$work/build.log" 2>&1 \
  || { tail -n 40 "$work/build.log" >&2; fail "podman build (log above)"; }
grep -E '^\s*(SemanticRouter\.Cli -> /app|.*(error|warning) [A-Z]+[0-9]+)' "$work/build.log" >&2 || true
size=$(podman image inspect "$image" --format '{{.Size}}')
config=$(podman image inspect "$image" --format '{{.Config.User}}|{{.Config.StopSignal}}|{{range $p, $v := .Config.ExposedPorts}}{{$p}} {{end}}|{{range $v, $x := .Config.Volumes}}{{$v}} {{end}}')
echo "   image $image: $((size / 1000000)) MB; user|stop signal|ports|volumes: $config" >&2
[ "${config%%|*}" != "" ] && [ "${config%%|*}" != root ] && [ "${config%%|*}" != 0 ] || fail "image user is root: $config"

# --- the index, built by the image's own CLI into the data volume ----------------------------
step "index (semantic-router build inside the image)"
mkdir -p "$work/data"
chown 1654:1654 "$work/data" # the image's user (the official images' APP_UID)
quiet podman run --rm "${run_flags[@]}" --network=none \
  -v "$model:/model:ro" -v "$repo/routes:/routes:ro" -v "$work/data:/data" \
  "$image" build --routes /routes --out /data/index --model /model >&2

# --- run --------------------------------------------------------------------------------------
step "container start"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
grpc_port=$(free_port) metrics_port=$(free_port)
# slirp4netns with its own port handler: the host side of a published port is a socket on
# 127.0.0.1, and the container's network never appears on the host. The API key shows that the
# health check needs none.
export SEMANTIC_ROUTER_API_KEY
SEMANTIC_ROUTER_API_KEY=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
container=$(quiet podman run -d "${run_flags[@]}" \
  --network slirp4netns:port_handler=slirp4netns \
  -p "127.0.0.1:$grpc_port:50051" -p "127.0.0.1:$metrics_port:9464" \
  -v "$model:/model:ro" -v "$work/data:/data" \
  --env SEMANTIC_ROUTER_API_KEY --stop-timeout 15 \
  "$image")
echo "   container ${container:0:12}: gRPC 127.0.0.1:$grpc_port, metrics 127.0.0.1:$metrics_port" >&2

step "healthy (HEALTHCHECK via podman healthcheck run)"
status=
for _ in $(seq 1 60); do
  quiet podman healthcheck run "$container" >/dev/null 2>&1 || true
  status=$(podman inspect "$container" --format '{{.State.Health.Status}}')
  [ "$status" = healthy ] && break
  [ "$(podman inspect "$container" --format '{{.State.Running}}')" = true ] || break
  sleep 1
done
[ "$status" = healthy ] || { podman logs "$container" 2>&1 | tail -n 20 >&2; fail "health status '$status'"; }
podman inspect "$container" --format '{{range .State.Health.Log}}   check exit {{.ExitCode}}: {{.Output}}{{"\n"}}{{end}}' | grep . | tail -n 1 >&2

step "non-root"
uid=$(podman exec "$container" sh -c 'id -u; awk "/^Uid:/ {print \$2}" /proc/1/status' | sort -u)
echo "   exec and server (pid 1) uid: $uid" >&2
[ "$uid" = 1654 ] || fail "runs as uid '$uid', not 1654"

step "RankModels + RecordOutcome through the published port"
"$python" examples/python/rank.py --address "127.0.0.1:$grpc_port" --record "write a python function that sorts a list" > "$work/rank.txt" \
  || fail "rank.py: $(cat "$work/rank.txt")"
sed 's/^/   /' "$work/rank.txt" | head -n 4 >&2
grep -q '^route: coding' "$work/rank.txt" || fail "expected the coding route"
grep -q '^recorded: ' "$work/rank.txt" || fail "RecordOutcome did not answer"
[ -s "$work/data/index.outcomes.db" ] || fail "no outcome store in the data volume"
if SEMANTIC_ROUTER_API_KEY= "$python" examples/python/rank.py --address "127.0.0.1:$grpc_port" "hello" > "$work/nokey.txt" 2>&1; then
  fail "a call without the API key was answered"
fi
echo "   without the key: $(tail -n 1 "$work/nokey.txt")" >&2
curl -fsS "http://127.0.0.1:$metrics_port/healthz" > "$work/healthz.txt" || fail "/healthz on the metrics port"
echo "   /healthz on the published metrics port: $(cat "$work/healthz.txt")" >&2

step "SIGTERM (podman stop -t 15) and clean exit"
quiet podman stop -t 15 "$container" >/dev/null
exit_code=$(podman inspect "$container" --format '{{.State.ExitCode}}')
podman logs "$container" 2>&1 | grep -q 'Shutting down: draining' || fail "no drain in the log"
echo "   exit code $exit_code; log: $(podman logs "$container" 2>&1 | grep -o 'Shutting down: draining.*')" >&2
[ "$exit_code" = 0 ] || fail "exit code $exit_code after SIGTERM (137 = killed after the stop timeout)"

quiet podman rm --volumes "$container" >/dev/null
container=

step "example target (index built in the image from the model build context)"
podman build "${run_flags[@]}" "${build_flags[@]}" --target example --build-context "model=$model" -t "$example_image" . > "$work/build-example.log" 2>&1 \
  || { tail -n 40 "$work/build-example.log" >&2; fail "podman build --target example (log above)"; }
grep -E '^built /data/index' "$work/build-example.log" | sed 's/^/   /' >&2
quiet podman run --rm "${run_flags[@]}" --network=none -v "$model:/model:ro" "$example_image" \
  rank "translate good morning into German" > "$work/rank-example.txt" || fail "rank in the example image"
grep -m1 -i 'route' "$work/rank-example.txt" | sed 's/^/   rank in the example image: /' >&2
grep -qi 'translation' "$work/rank-example.txt" || fail "the example image's index did not route to translation"

step "cleanup"
step_finish

echo "container-check: passed" >&2
printf '%s\n' "${timings[@]}"
