#!/usr/bin/env bash
# The public-benchmark figures of docs/evaluation.md, end to end through the served path:
# import → fit (CLINC150 with --merge-validation) → build → eval --index, then eval --outcomes on MMLU.
#   tools/public-figures.sh [--no-mmlu] [MODEL_DIR] [WORK_DIR]
# --no-mmlu: the CLINC150 and BANKING77 lines only (about 8 minutes on a warm cache instead of 35).
# MODEL_DIR defaults to ../shared/models/all-MiniLM-L6-v2 (pass …-int8 for the int8 figures);
# WORK_DIR (default /tmp/sr-figures) receives the imported sets and indexes. About 35 minutes on
# 2 cores with a warm embedding cache ($SEMANTIC_ROUTER_CACHE, default /tmp/sr-cache), of which the
# MMLU evaluation (the served ranker, its settings chosen per fold) takes about 20.
set -euo pipefail
mmlu=1
if [ "${1:-}" = "--no-mmlu" ]; then mmlu=0; shift; fi
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="${SEMANTIC_ROUTER_SHARED:-$repo/../shared}"
export SEMANTIC_ROUTER_MODEL="${1:-$shared/models/all-MiniLM-L6-v2}"
work="${2:-/tmp/sr-figures}/$(basename "$SEMANTIC_ROUTER_MODEL")"
cli="$repo/artifacts/cli/semantic-router"
# Always publish (incremental, seconds when nothing changed): a CLI left over from an older checkout
# would measure the old code.
dotnet publish "$repo/src/SemanticRouter.Cli" -c Release -o "$repo/artifacts/cli" > /dev/null
for set in clinc150 banking77; do
  d="$work/$set"; rm -rf "$d"
  "$cli" import "$set" "$shared/datasets/$set" --out "$d" > /dev/null
  if [ "$set" = clinc150 ]; then "$cli" fit --routes "$d" --merge-validation; else "$cli" fit --routes "$d"; fi 2>&1 | grep -E "chosen|merged|abstention:" || true
  "$cli" build --routes "$d/routes" --out "$d/index" | tail -1
  echo "$set: $("$cli" eval --index "$d/index" --test "$d/test.jsonl" --json 2>/dev/null)"
done
if [ "$mmlu" = 1 ]; then
  echo "mmlu: $("$cli" eval --outcomes "$shared/datasets/routellm/mmlu" --folds 5 --json 2>/dev/null)"
fi
