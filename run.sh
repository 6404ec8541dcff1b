#!/usr/bin/env bash
# Quick start: build the router, get a sentence model, index the example routes and serve gRPC.
#   ./run.sh                 # serves on 127.0.0.1:50051 (metrics on :9464/metrics)
#   ./run.sh --port 6000     # extra arguments go to `semantic-router serve`
# Model: $SEMANTIC_ROUTER_MODEL, else ../shared/models/all-MiniLM-L6-v2 when present, else
# embeddings/models/all-MiniLM-L6-v2 (downloaded once with `semantic-router model pull`).
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

dotnet publish src/SemanticRouter.Cli -c Release -o artifacts/cli --nologo -v quiet
sr=artifacts/cli/semantic-router

if [ -z "${SEMANTIC_ROUTER_MODEL:-}" ]; then
  if [ -f ../shared/models/all-MiniLM-L6-v2/model.onnx ]; then
    export SEMANTIC_ROUTER_MODEL="$(cd ../shared/models/all-MiniLM-L6-v2 && pwd)"
  else
    export SEMANTIC_ROUTER_MODEL="$PWD/embeddings/models/all-MiniLM-L6-v2"
    [ -f "$SEMANTIC_ROUTER_MODEL/model.onnx" ] || "$sr" model pull sentence-transformers/all-MiniLM-L6-v2 --to "$SEMANTIC_ROUTER_MODEL"
  fi
fi

"$sr" build --routes routes --out embeddings/index
exec "$sr" serve --index embeddings/index "$@"
