#!/usr/bin/env python3
"""Baseline half of `SemanticRouter.Bench hnsw`: C++ hnswlib on the same vector files as our index.

A worker driven by the C# benchmark, so that the two sides can take turns (interleaved, alternating
order) without paying Python's start-up and the file reads on every turn. It reads raw
little-endian float32 rows (base, queries) and the exact top-k ids (int32, written by the C# side)
once, prints one JSON line describing itself, then answers one JSON command per stdin line with one
JSON line on stdout:

  {"cmd": "build1"}            one-thread build on the first --build1 rows (thrown away after)
  {"cmd": "buildAll"}          all-thread build on every row; this index is the one searched
  {"cmd": "search", "ef": 40, "minSeconds": 0.3}
                               single-threaded search of every query at that ef, in whole
                               passes over the queries until minSeconds have passed
  {"cmd": "quit"}

Every answer carries wall seconds and CPU seconds of this process (time.process_time: all its
threads), so a turn slowed by a neighbour's load shows as wall ≫ CPU.

By hand (the interpreter must have hnswlib; the C# side builds a native one, see bench/README.md):
  echo '{"cmd":"buildAll"}' | python bench/python/hnswlib_bench.py --base b.f32 --queries q.f32 --truth t.i32 --dim 384
"""
import argparse
import importlib.metadata
import json
import os
import sys
import time

import hnswlib
import numpy as np


def rss_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def recall(labels, truth):
    k = truth.shape[1]
    hits = sum(len(set(a[:k]) & set(b)) for a, b in zip(labels, truth))
    return hits / (truth.shape[0] * k)


def timed(body):
    t, c = time.perf_counter(), time.process_time()
    result = body()
    return result, time.perf_counter() - t, time.process_time() - c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--m", type=int, default=16)
    ap.add_argument("--ef-construction", type=int, default=200)
    ap.add_argument("--build1", type=int, default=20000, help="rows built on one thread (a prefix)")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()

    base = np.fromfile(a.base, dtype="<f4").reshape(-1, a.dim)
    queries = np.fromfile(a.queries, dtype="<f4").reshape(-1, a.dim)
    truth = np.fromfile(a.truth, dtype="<i4").reshape(queries.shape[0], -1)[:, : a.k]
    n = base.shape[0]
    ids = np.arange(n, dtype=np.int64)
    searched = None

    def reply(obj):
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    reply({
        "ready": True,
        "hnswlib": importlib.metadata.version("hnswlib"),
        "module": hnswlib.__file__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "n": n,
        "dim": a.dim,
    })

    for line in sys.stdin:
        cmd = json.loads(line)
        op = cmd["cmd"]
        if op == "quit":
            break
        if op == "build1":
            n1 = min(a.build1, n)
            idx = hnswlib.Index(space="ip", dim=a.dim)
            idx.init_index(max_elements=n1, M=a.m, ef_construction=a.ef_construction, random_seed=a.seed)
            idx.set_num_threads(1)
            _, s, c = timed(lambda: idx.add_items(base[:n1], ids[:n1], num_threads=1))
            del idx
            reply({"n": n1, "threads": 1, "seconds": s, "cpuSeconds": c})
        elif op == "buildAll":
            searched = None
            rss0 = rss_bytes()
            idx = hnswlib.Index(space="ip", dim=a.dim)
            idx.init_index(max_elements=n, M=a.m, ef_construction=a.ef_construction, random_seed=a.seed)
            _, s, c = timed(lambda: idx.add_items(base, ids, num_threads=a.threads))
            rss1 = rss_bytes()
            searched = idx
            # hnswlib's layout: per element links0 (4 + 2M·4) + vector + 8-byte label, plus upper lists.
            # Levels are not exposed, so the upper part uses the expected count n/(M-1) lists of (4 + M·4).
            per0 = 4 + 2 * a.m * 4 + a.dim * 4 + 8
            upper = int(n / (a.m - 1)) * (4 + a.m * 4)
            reply({"n": n, "threads": a.threads, "seconds": s, "cpuSeconds": c,
                   "layoutBytes": n * per0 + upper, "rssGrowthBytes": rss1 - rss0})
        elif op == "search":
            ef = int(cmd["ef"])
            searched.set_ef(max(ef, a.k))
            searched.knn_query(queries[: min(50, len(queries))], k=a.k, num_threads=1)  # warm
            # All queries in one C++ loop (no per-query Python overhead), repeated until the turn has
            # lasted min_seconds, so that a fast ef is not timed over a few milliseconds.
            min_seconds = float(cmd.get("minSeconds", 0.3))
            done, labels = 0, None
            t, c = time.perf_counter(), time.process_time()
            while True:
                labels, _ = searched.knn_query(queries, k=a.k, num_threads=1)
                done += len(queries)
                if time.perf_counter() - t >= min_seconds:
                    break
            s, c = time.perf_counter() - t, time.process_time() - c
            reply({"ef": ef, "queries": done, "seconds": s, "cpuSeconds": c, "recall": recall(labels, truth)})
        else:
            reply({"error": f"unknown command {op}"})


if __name__ == "__main__":
    main()
