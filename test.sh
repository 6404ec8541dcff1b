#!/usr/bin/env bash
# Sets up what the tests need on a fresh machine and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ -z "${SEMANTIC_ROUTER_SHARED:-}" ] && [ ! -d ../shared ]; then
  echo "test.sh: ../shared (models and datasets) not found beside the repository; set SEMANTIC_ROUTER_SHARED" >&2
  exit 2
fi
dotnet build SemanticRouter.sln -c Release -warnaserror
dotnet test --solution SemanticRouter.sln -c Release --no-build
