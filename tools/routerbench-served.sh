#!/usr/bin/env bash
# The served path on RouterBench (issue 29): import the training prompts as routes, fit the ranker's settings on
# them (as `eval --outcomes TRAIN --test TEST` chooses), build the index, record the training outcomes with their
# costs, then run the evaluation with --index so every test prompt is also ranked through the index.
#   tools/routerbench-served.sh [SET] [WORK_DIR]     SET: mixed (default), arc_challenge, winogrande or mbpp
# Needs SEMANTIC_ROUTER_MODEL (the all-MiniLM-L6-v2 folder) or ../shared beside the repository.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
set_name="${1:-mixed}"
work="${2:-/tmp/routerbench-served-$set_name}"
D="${ROUTERBENCH_DIR:-$here/../shared/datasets/routerbench}"
export SEMANTIC_ROUTER_MODEL="${SEMANTIC_ROUTER_MODEL:-$here/../shared/models/all-MiniLM-L6-v2}"
export SEMANTIC_ROUTER_CACHE="${SEMANTIC_ROUTER_CACHE:-/tmp/rb-cache}"
if [ "$set_name" = mixed ]; then sets="arc_challenge winogrande mbpp"; else sets="$set_name"; fi
train=""; test=""
for s in $sets; do train="$train${train:+,}$D/${s}_train.csv"; test="$test${test:+,}$D/${s}_test.csv"; done
cli="$here/src/SemanticRouter.Cli/bin/Release/net10.0/semantic-router.dll"
[ -f "$cli" ] || dotnet build "$here/src/SemanticRouter.Cli/SemanticRouter.Cli.csproj" -c Release -warnaserror >/dev/null
sr() { dotnet "$cli" "$@"; }
rm -rf "$work"
sr import outcomes "$train" --out "$work"
sr fit --outcomes "$train" --out "$work/ranking-options.json"
sr build --routes "$work/routes" --out "$work/index"
for f in ${train//,/ }; do sr outcomes import "$f" --index "$work/index" --db "$work/outcomes.db"; done
sr eval --outcomes "$train" --test "$test" --index "$work/index" --db "$work/outcomes.db" --json > "$work/eval.json"
python3 - "$work/eval.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"AIQ {r['aiq']:.4f} (zero router {r['zero_router_aiq']:.4f}); chosen {r['chosen']}")
for a in r["served"]:
    print(f"λ {a['lambda']:<10.4g} served first = eval's choice {a['agree']}/{a['prompts']} ({a['agreement']:.2%}); "
          f"served quality {a['served_quality']:.4f} at {a['served_cost']*1000:.3f} m$, eval {a['eval_quality']:.4f} at {a['eval_cost']*1000:.3f} m$")
PY
