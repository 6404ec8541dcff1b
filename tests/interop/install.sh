#!/usr/bin/env bash
# Installs what the interop clients need: Debian's grpcio and grpc-tools for /usr/bin/python3
# (PyPI is not used), and the Node client's packages from the npm registry (package-lock.json).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if ! /usr/bin/python3 -c 'import grpc, grpc_tools' 2>/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-grpcio python3-grpc-tools
fi
if ! command -v node >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
fi
if [ ! -d "$here/node/node_modules/@grpc/grpc-js" ]; then
  npm ci --prefix "$here/node" --no-audit --no-fund
fi
