#!/usr/bin/python3
"""Baseline half of `SemanticRouter.Bench hnsw`: C++ hnswlib (Debian python3-hnswlib) on the
same vector files as our index. Reads raw little-endian float32 rows (base, queries) and the exact
top-k ids (int32, written by the C# side), builds with the given M / efConstruction, and prints one
JSON object on stdout: build rates (1 thread on a prefix, all threads on everything), recall@k and
single-threaded queries/s per ef, and memory (hnswlib's own layout formula and the RSS growth).

Run by the C# benchmark; by hand:
  /usr/bin/python3 bench/python/hnswlib_bench.py --base b.f32 --queries q.f32 --truth t.i32 --dim 384
"""
import argparse
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--m", type=int, default=16)
    ap.add_argument("--ef-construction", type=int, default=200)
    ap.add_argument("--efs", default="10,20,40,80,160")
    ap.add_argument("--build1", type=int, default=20000, help="rows built on one thread (a prefix)")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--reps", type=int, default=3, help="search repetitions per ef; the best is kept")
    a = ap.parse_args()

    base = np.fromfile(a.base, dtype="<f4").reshape(-1, a.dim)
    queries = np.fromfile(a.queries, dtype="<f4").reshape(-1, a.dim)
    truth = np.fromfile(a.truth, dtype="<i4").reshape(queries.shape[0], -1)[:, : a.k]
    n = base.shape[0]
    ids = np.arange(n, dtype=np.int64)
    out = {"hnswlib": getattr(hnswlib, "__version__", "0.6.2 (Debian python3-hnswlib)"), "n": n, "dim": a.dim}

    # (1) one thread on a prefix
    n1 = min(a.build1, n)
    idx = hnswlib.Index(space="ip", dim=a.dim)
    idx.init_index(max_elements=n1, M=a.m, ef_construction=a.ef_construction, random_seed=a.seed)
    idx.set_num_threads(1)
    t, c = time.perf_counter(), time.process_time()
    idx.add_items(base[:n1], ids[:n1], num_threads=1)
    s, cs = time.perf_counter() - t, time.process_time() - c
    # CPU-time rate too: on a shared machine wall time depends on the neighbours' load
    out["build1"] = {"n": n1, "seconds": s, "rate": n1 / s, "cpuSeconds": cs, "cpuRate": n1 / cs}
    del idx

    # (2) all threads on everything; this index is the one searched
    rss0 = rss_bytes()
    idx = hnswlib.Index(space="ip", dim=a.dim)
    idx.init_index(max_elements=n, M=a.m, ef_construction=a.ef_construction, random_seed=a.seed)
    t = time.perf_counter()
    idx.add_items(base, ids, num_threads=a.threads)
    s = time.perf_counter() - t
    rss1 = rss_bytes()
    out["buildAll"] = {"n": n, "threads": a.threads, "seconds": s, "rate": n / s}

    # hnswlib's layout: per element links0 (4 + 2M·4) + vector + 8-byte label, plus upper lists.
    # Levels are not exposed, so the upper part uses the expected count n/(M-1) lists of (4 + M·4).
    per0 = 4 + 2 * a.m * 4 + a.dim * 4 + 8
    upper = int(n / (a.m - 1)) * (4 + a.m * 4)
    out["memory"] = {"layoutBytes": n * per0 + upper, "rssGrowthBytes": rss1 - rss0}

    # (3) single-threaded search, all queries in one C++ loop (no per-query Python overhead)
    out["search"] = []
    for ef in [int(x) for x in a.efs.split(",")]:
        idx.set_ef(max(ef, a.k))
        idx.knn_query(queries[: min(50, len(queries))], k=a.k, num_threads=1)  # warm
        best, best_cpu = float("inf"), float("inf")
        for _ in range(a.reps):  # best of reps: the machine is shared, the fastest run is the least disturbed
            t, c = time.perf_counter(), time.process_time()
            labels, _ = idx.knn_query(queries, k=a.k, num_threads=1)
            best = min(best, time.perf_counter() - t)
            best_cpu = min(best_cpu, time.process_time() - c)
        out["search"].append({"ef": ef, "recall": recall(labels, truth), "qps": len(queries) / best, "cpuQps": len(queries) / best_cpu})

    # exact search in numpy, single BLAS call, for orientation
    t = time.perf_counter()
    sims = queries[:200] @ base.T
    np.argpartition(-sims, a.k, axis=1)
    out["numpyExactQps"] = 200 / (time.perf_counter() - t)

    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
