#!/usr/bin/env bash
# Quick start: publish the CLI, get the sentence model, index the example routes and serve gRPC.
#   ./run.sh                 # gRPC on 127.0.0.1:50051, /metrics and /healthz on 127.0.0.1:9464
#   ./run.sh --port 6000     # extra arguments go to `semantic-router serve` (--host 0.0.0.0: every interface, with an API key)
# Model (the rule every command follows, README "Models"): --model, else $SEMANTIC_ROUTER_MODEL, else
# the folder the index was built with, else embeddings/models/all-MiniLM-L6-v2, which this script
# fills once: a link to ../shared/models/all-MiniLM-L6-v2 when that exists, else `model pull`.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

echo "run.sh: publishing the CLI to artifacts/cli (for this machine's runtime)"
# Publishes before the CLI was published for one runtime left every platform's natives here (800 MB).
rm -rf artifacts/cli/runtimes
dotnet publish src/SemanticRouter.Cli -c Release -o artifacts/cli --nologo -v quiet
sr=artifacts/cli/semantic-router

default_model=embeddings/models/all-MiniLM-L6-v2
shared_model=../shared/models/all-MiniLM-L6-v2
if [ -n "${SEMANTIC_ROUTER_MODEL:-}" ]; then
  echo "run.sh: model from \$SEMANTIC_ROUTER_MODEL: $SEMANTIC_ROUTER_MODEL"
elif [ -f "$default_model/model.onnx" ]; then
  if [ -L "$default_model" ]; then
    echo "run.sh: model $default_model (a link to $(readlink "$default_model"))"
  else
    echo "run.sh: model $default_model (pulled earlier)"
  fi
else
  if [ -L "$default_model" ]; then
    rm "$default_model" # a link whose target is gone
  fi
  mkdir -p "$(dirname "$default_model")"
  if [ -f "$shared_model/model.onnx" ]; then
    # Relative, so the link survives moving the repository and ../shared together.
    ln -s "../../$shared_model" "$default_model"
    echo "run.sh: model $default_model, linked to $shared_model"
  else
    echo "run.sh: model $default_model: downloading sentence-transformers/all-MiniLM-L6-v2 from the Hugging Face hub (once)"
    "$sr" model pull sentence-transformers/all-MiniLM-L6-v2 --to "$default_model"
  fi
fi

"$sr" build --routes routes --out embeddings/index

# serve listens on loopback unless told otherwise (--host, or $SEMANTIC_ROUTER_HOST; beyond loopback it needs an API key).
# exec: the server is this process, so Ctrl-C and a kill of this script's PID reach it (its start-up log's
# "ms after the process started" then counts from this script's start, the publish and build above included).
echo "run.sh: serving embeddings/index (Ctrl-C stops)"
exec "$sr" serve --index embeddings/index "$@"
