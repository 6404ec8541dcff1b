#!/usr/bin/env bash
# Builds warning-free and runs the tests. Needs ../shared (models and data sets) beside the
# repository, or SEMANTIC_ROUTER_SHARED.
#   ./test.sh         unit and functional suites: a few minutes; installs nothing
#   ./test.sh --all   also the slow and end-to-end suites (real processes, the Python and Node
#                     interop and example clients); first runs examples/install.sh, which installs
#                     Debian python3-grpcio/python3-grpc-tools with apt-get (root) and npm packages.
#                     CI (.ci/run) runs this.
# Tests carry [Trait("Category", "EndToEnd")] or [Trait("Category", "Slow")] to be left out of the
# default; one line is printed per test assembly as it finishes, and every 30 s of quiet says which
# assemblies are still running.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

all=false
case "${1:-}" in
  "") ;;
  --all) all=true ;;
  *) echo "usage: ./test.sh [--all]   (--all: also the slow and end-to-end suites; see the comment at the top)" >&2; exit 2 ;;
esac

shared="${SEMANTIC_ROUTER_SHARED:-../shared}"
if [ ! -d "$shared/models" ]; then
  echo "test.sh: $shared/models not found: put ../shared beside the repository or set SEMANTIC_ROUTER_SHARED" >&2
  exit 2
fi

# The tests choose their own models, indexes and server settings; the caller's would override them.
for variable in $(compgen -e | grep '^SEMANTIC_ROUTER_' | grep -vx 'SEMANTIC_ROUTER_SHARED' || true); do
  echo "test.sh: ignoring $variable from the environment (the tests set their own)"
  unset "$variable"
done

filters=()
if $all; then
  echo "test.sh: --all: installing the Python and Node clients' packages the end-to-end suites run (examples/install.sh)"
  if ! bash examples/install.sh; then
    echo "test.sh: the end-to-end suites need those packages; or run ./test.sh for the suites that do not" >&2
    exit 1
  fi
else
  # A suite whose tests are all end-to-end (the web page's: a serve process and chromium) runs none
  # here, which the test platform reports as exit code 8; that is not a failure of this run.
  filters=(--filter-not-trait 'Category=EndToEnd' --filter-not-trait 'Category=Slow' --ignore-exit-code 8)
  echo "test.sh: unit and functional suites (./test.sh --all adds the slow and end-to-end ones)"
fi

echo "test.sh: building SemanticRouter.sln (Release, warnings are errors)"
dotnet build SemanticRouter.sln -c Release -warnaserror --nologo

log="$(mktemp)"
heartbeat() {
  while sleep 30; do
    if [ $(( $(date +%s) - $(stat -c %Y "$log") )) -ge 30 ]; then
      started=$(sed -n 's#^Running tests from .*/\([^/]*\)\.dll .*#\1#p' "$log" | sort -u)
      finished=$(sed -n 's#^/.*/\([^/]*\)\.dll (.*) \(passed\|failed\).*#\1#p' "$log" | sort -u)
      running=$(comm -23 <(echo "$started") <(echo "$finished") | paste -sd ' ' -)
      elapsed=$(( $(date +%s) - began ))
      printf 'test.sh: %d:%02d, still running: %s\n' $(( elapsed / 60 )) $(( elapsed % 60 )) "${running:-starting}"
    fi
  done
}
began=$(date +%s)
heartbeat &
heartbeat_pid=$!
trap 'kill "$heartbeat_pid" 2>/dev/null || true; rm -f "$log"' EXIT

echo "test.sh: running the tests"
status=0
dotnet test --solution SemanticRouter.sln -c Release --no-build --no-progress --no-ansi "${filters[@]}" 2>&1 | tee "$log" || status=$?
# One plain closing line for CI readers: "N passed, N failed, N skipped".
passed=$(sed -n 's/^ *succeeded: *\([0-9]*\).*/\1/p' "$log" | tail -1)
failed=$(sed -n 's/^ *failed: *\([0-9]*\).*/\1/p' "$log" | tail -1)
skipped=$(sed -n 's/^ *skipped: *\([0-9]*\).*/\1/p' "$log" | tail -1)
elapsed=$(( $(date +%s) - began ))
printf '%s passed, %s failed, %s skipped in %d:%02d%s\n' "${passed:-0}" "${failed:-0}" "${skipped:-0}" $(( elapsed / 60 )) $(( elapsed % 60 )) \
  "$($all || echo " (./test.sh --all also runs the slow and end-to-end suites)")"
exit $status
