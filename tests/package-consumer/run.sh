#!/usr/bin/env bash
# Installs what tools/pack.sh put in artifacts/packages as a user would, and checks it:
#   tools/pack.sh && tests/package-consumer/run.sh
# The tool goes into tests/package-consumer/.tools (dotnet tool install --tool-path), the libraries into
# this project's own packages folder (emptied first, so a repack under the same version is what runs).
# Model: $SEMANTIC_ROUTER_MODEL, else ../shared/models/all-MiniLM-L6-v2 (or $SEMANTIC_ROUTER_SHARED/models/…),
# else embeddings/models/all-MiniLM-L6-v2, as run.sh finds it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

feed="$root/artifacts/packages"
package=$(ls "$feed"/SemanticRouter.Client.*.nupkg 2>/dev/null | grep -v '\.snupkg$' | head -1 || true)
if [ -z "$package" ]; then
  echo "package-consumer: no packages in $feed: run tools/pack.sh first" >&2
  exit 2
fi
version="$(basename "$package" .nupkg)"
version="${version#SemanticRouter.Client.}"

model="${SEMANTIC_ROUTER_MODEL:-}"
if [ -z "$model" ]; then
  for candidate in "${SEMANTIC_ROUTER_SHARED:-../shared}/models/all-MiniLM-L6-v2" embeddings/models/all-MiniLM-L6-v2; do
    if [ -f "$candidate/model.onnx" ]; then model="$(cd "$candidate" && pwd)"; break; fi
  done
fi
if [ -z "$model" ]; then
  echo "package-consumer: no sentence model: set SEMANTIC_ROUTER_MODEL or put ../shared beside the repository" >&2
  exit 2
fi

rm -rf "$here/.tools" "$here/bin" "$here/obj"
dotnet tool install SemanticRouter.Cli --version "$version" --tool-path "$here/.tools" --add-source "$feed" >/dev/null
dotnet run --project "$here/PackageConsumer.csproj" -c Release -p:SemanticRouterVersion="$version" -- \
  --tool "$here/.tools/semantic-router" --routes "$root/routes" --model "$model"
