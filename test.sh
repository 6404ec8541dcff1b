#!/usr/bin/env bash
# Sets up what the tests need on a fresh machine and runs the whole test suite:
#   ./test.sh
# Needs ../shared (models and datasets) beside the repository, or SEMANTIC_ROUTER_SHARED.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

shared="${SEMANTIC_ROUTER_SHARED:-../shared}"
if [ ! -d "$shared/models" ]; then
  echo "test.sh: $shared/models not found: put ../shared beside the repository or set SEMANTIC_ROUTER_SHARED" >&2
  exit 2
fi

# Interop clients: Python gRPC from Debian (PyPI is not reachable), Node gRPC from npm.
bash tests/interop/install.sh

dotnet build SemanticRouter.sln -c Release -warnaserror
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
dotnet test --solution SemanticRouter.sln -c Release --no-build 2>&1 | tee "$log" || status=$?
# One plain closing line for CI readers: "N passed, N failed, N skipped".
passed=$(sed -n 's/^ *succeeded: *\([0-9]*\).*/\1/p' "$log" | tail -1)
failed=$(sed -n 's/^ *failed: *\([0-9]*\).*/\1/p' "$log" | tail -1)
skipped=$(sed -n 's/^ *skipped: *\([0-9]*\).*/\1/p' "$log" | tail -1)
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
exit $status
