#!/usr/bin/env bash
# Installs what the example clients (examples/) and the interop tests (tests/interop/) need, saying
# what and why before each step:
#   - Debian's python3-grpcio and python3-grpc-tools for /usr/bin/python3 (PyPI is not used), and
#     nodejs + npm when Node.js 18+ is missing: apt-get, which needs root;
#   - @grpc/grpc-js and @grpc/proto-loader for the Node clients: npm ci from each package-lock.json.
# Without root, if a Debian package is missing, it prints the apt-get command to run and exits 1.
#   examples/install.sh            (as root, or after the apt-get command it prints)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
say() { echo "install.sh: $*"; }

packages=()
if ! /usr/bin/python3 -c 'import grpc, grpc_tools' 2>/dev/null; then
  packages+=(python3-grpcio python3-grpc-tools)
  say "the Python clients need gRPC for /usr/bin/python3: Debian packages python3-grpcio python3-grpc-tools"
fi
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' 2>/dev/null; then
  packages+=(nodejs npm)
  say "the Node clients need Node.js 18+ and npm: Debian packages nodejs npm"
fi
if [ ${#packages[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    say "apt-get needs root; run: sudo apt-get update && sudo apt-get install -y ${packages[*]}   (then run $0 again)" >&2
    exit 1
  fi
  say "apt-get install ${packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}"
else
  say "python3-grpcio, python3-grpc-tools and Node.js $(node --version) are installed"
fi

for dir in examples/node tests/interop/node; do
  if [ -d "$repo/$dir/node_modules/@grpc/grpc-js" ]; then
    say "$dir/node_modules is installed"
  else
    say "npm ci --prefix $dir: @grpc/grpc-js and @grpc/proto-loader (package-lock.json) for the Node client there"
    npm ci --prefix "$repo/$dir" --no-audit --no-fund --loglevel=error
  fi
done
