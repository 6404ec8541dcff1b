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
need_apt=()
/usr/bin/python3 -c 'import grpc, grpc_tools' 2>/dev/null || need_apt+=(python3-grpcio python3-grpc-tools)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  fi
fi
if [ -f tests/interop/node/package.json ] && [ ! -d tests/interop/node/node_modules ]; then
  (cd tests/interop/node && npm ci --no-audit --no-fund --loglevel=error)
fi

dotnet build SemanticRouter.sln -c Release -warnaserror
dotnet test --solution SemanticRouter.sln -c Release --no-build
