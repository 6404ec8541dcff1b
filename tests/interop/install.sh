#!/usr/bin/env bash
# The interop clients need what the example clients need: one installer for both (examples/install.sh).
exec "$(cd "$(dirname "$0")/../.." && pwd)/examples/install.sh" "$@"
