using System.Diagnostics;
using System.Globalization;
using SemanticRouter.Index;

namespace SemanticRouter.Bench.Index;

/// <summary>
/// `scan`: where the exact scan of a small index beats the graph walk. For each size, the same
/// <see cref="HnswIndex"/> is searched with <see cref="HnswIndex.ScanLimit"/> 0 (baseline: the graph
/// walk at ef 128, as `serve` searches) and with the scan, interleaved, on held-out clustered queries;
/// prints µs per search and walk / scan. The default <see cref="HnswOptions.ScanLimit"/> comes from here.
/// </summary>
internal static class ScanLimitBench
{
    public static int Run(string[] args)
    {
        const int Dims = 384, K = 20, Ef = 128, Queries = 2000;
        int rounds = args is ["--rounds", var r] ? int.Parse(r, CultureInfo.InvariantCulture) : 5;
        float[] all = BenchVectors.Clustered(16_000 + Queries, Dims, seed: 7);
        var queries = all.AsMemory(16_000 * Dims);
        var hits = new VectorHit[K];
        Console.WriteLine($"k {K}, ef {Ef}, {Dims} dims, {Queries} held-out queries, best of {rounds} interleaved rounds");
        Console.WriteLine($"{"nodes",7} {"walk µs",9} {"scan µs",9} {"walk/scan",10} {"scan recall",12}");
        foreach (int n in new[] { 128, 256, 512, 1024, 2048, 4096, 8192, 16_000 })
        {
            var index = new HnswIndex(Dims, new HnswOptions { M = 16, EfConstruction = 200 });
            index.AddRange(Enumerable.Range(0, n).ToArray(), all.AsSpan(0, n * Dims));
            double Time(int limit)
            {
                index.ScanLimit = limit;
                long t0 = Stopwatch.GetTimestamp();
                for (int q = 0; q < Queries; q++)
                {
                    index.Search(queries.Span.Slice(q * Dims, Dims), hits, Ef);
                }

                return Stopwatch.GetElapsedTime(t0).TotalMicroseconds / Queries;
            }

            Time(0);
            Time(int.MaxValue); // warm both paths
            double walk = double.MaxValue, scan = double.MaxValue;
            for (int round = 0; round < rounds; round++)
            {
                walk = Math.Min(walk, Time(0));
                scan = Math.Min(scan, Time(int.MaxValue));
            }

            // The scan is exact by construction; count it against brute force anyway.
            var truth = BenchVectors.ExactTopK(all[..(n * Dims)], queries[..(200 * Dims)].ToArray(), Dims, K);
            index.ScanLimit = int.MaxValue;
            int found = 0;
            for (int q = 0; q < 200; q++)
            {
                index.Search(queries.Span.Slice(q * Dims, Dims), hits, Ef);
                var want = truth.AsSpan(q * K, K).ToArray().ToHashSet();
                found += hits.Count(h => want.Contains(h.Id));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{n,7} {walk,9:F1} {scan,9:F1} {walk / scan,10:F2} {found / (200.0 * K),12:F4}"));
        }

        return 0;
    }
}
