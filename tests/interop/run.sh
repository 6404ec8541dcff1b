#!/usr/bin/env bash
# Runs the Python and Node interop clients against a running SemanticRouter server.
#
#   tests/interop/run.sh 127.0.0.1:50051 [API_KEY]
#
# Start the server first, e.g. `semantic-router serve --index DIR --port 50051` (see docs/grpc.md).
# A corrupt index artefact is made in a temporary directory for the ReloadIndex case. The clients'
# own packages: tests/interop/install.sh. The xunit suite (InteropTests) runs the same clients
# against an in-process Kestrel server with a fake engine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
address="${1:?usage: run.sh HOST:PORT [API_KEY]}"
api_key="${2:-${SEMANTIC_ROUTER_API_KEY:-}}"
corrupt="$(mktemp -d -t semantic-router-corrupt-XXXXXX)"
trap 'rm -rf "$corrupt"' EXIT
printf '{ this is not a manifest' > "$corrupt/manifest.json"
extra=(--corrupt-index "$corrupt")
if [ -n "$api_key" ]; then extra+=(--api-key "$api_key"); fi

status=0
echo "== python (grpcio)"
/usr/bin/python3 "$here/python/interop_client.py" --address "$address" "${extra[@]}" || status=1
echo "== node (@grpc/grpc-js)"
if [ ! -d "$here/node/node_modules/@grpc/grpc-js" ]; then
  echo "node_modules missing: run tests/interop/install.sh (npm ci --prefix $here/node)" >&2
  exit 1
fi
node "$here/node/interop_client.js" --address "$address" "${extra[@]}" || status=1
exit $status
