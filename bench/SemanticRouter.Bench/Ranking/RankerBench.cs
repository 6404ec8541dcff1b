using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SemanticRouter.Neighbors;
using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;
using SemanticRouter.Routes;
using SemanticRouter.Tests;
using Spectre.Console;

namespace SemanticRouter.Bench.Ranking;

/// <summary>
/// Cost of one <see cref="Ranker.Rank"/> (k = 10 and 50 neighbours, 20 routes, 10 models, outcome
/// statistics, a cost weight) against the bare arithmetic it generalises: knn-router's
/// similarity-weighted mean Σ_i w_i q_{i,m} / Σ_i w_i over the same neighbours, computed inline with
/// the same weights and smoothed estimates, then the cost term and a sort. Both produce the same
/// qualities (checked once before timing); the ratio is what the ranker's structure costs (posterior,
/// per-route support lists, candidates, abstention, the result object). Interleaved rounds, medians.
/// </summary>
internal static class RankerBench
{
    private const int RouteCount = 20, ModelCount = 10;
    private const double CostWeight = 0.1;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Run(string[] args)
    {
        int rounds = BenchArgs.Int(args, "--rounds", 7);
        var routes = Enumerable.Range(0, RouteCount)
            .Select(r => new RouteTargets($"r{r}", [.. Enumerable.Range(0, 3).Select(m => new TargetPrior($"m{(r + m) % ModelCount}", 0.5))]))
            .ToArray();
        var table = new RoutingTable(routes, Enumerable.Range(0, ModelCount).Select(m => new ModelCost($"m{m}", m, 2 * m)));
        var ranker = new Ranker(table);
        Console.Error.WriteLine($"ranker bench: {RouteCount} routes, {ModelCount} models, λ = {CostWeight}, {rounds} interleaved rounds");

        var rows = new List<Row>();
        foreach (int k in new[] { 10, 50 })
        {
            rows.Add(Measure(ranker, table, k, rounds, iterations: 500_000 / k));
        }

        var output = new Table().AddColumns("neighbours", "Ranker.Rank (µs)", "inline weighted mean (µs)", "ratio");
        foreach (var row in rows)
        {
            output.AddRow($"k = {row.K}", row.RankMicros.ToString("0.00", CultureInfo.InvariantCulture),
                row.BaselineMicros.ToString("0.00", CultureInfo.InvariantCulture), $"×{row.Ratio:0.0}");
        }

        AnsiConsole.Write(output);
        foreach (var row in rows)
        {
            Console.WriteLine($"k={row.K}: Ranker.Rank {row.RankMicros:0.00} µs, baseline {row.BaselineMicros:0.00} µs, ratio {row.Ratio:0.0}");
        }

        string results = Path.Combine(SharedPaths.RepositoryRoot, "bench", "results");
        Directory.CreateDirectory(results);
        string file = Path.Combine(results, $"ranker-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        File.WriteAllText(file, JsonSerializer.Serialize(new
        {
            benchmark = "ranker",
            machine = new { Environment.ProcessorCount, os = Environment.OSVersion.ToString(), runtime = Environment.Version.ToString() },
            routes = RouteCount,
            models = ModelCount,
            costWeight = CostWeight,
            rounds,
            rows,
        }, Indented));
        Console.WriteLine($"wrote {file}");
        return 0;
    }

    internal sealed record Row(int K, double RankMicros, double BaselineMicros, double Ratio, int Iterations);

    private static Row Measure(Ranker ranker, RoutingTable table, int k, int rounds, int iterations)
    {
        var neighbours = Enumerable.Range(0, k)
            .Select(i => new Neighbor(i, UtteranceKey.Of($"r{i % 4}", $"u{i}"), $"r{i % 4}", $"u{i}", 0.9f - (i * 0.01f)))
            .ToArray();
        var stats = new OutcomeStatistics();
        foreach (var n in neighbours)
        {
            stats.Apply("m1", 1, new OutcomeCredits([new UtteranceCredit(n.Key, 0.1)], [new RouteCredit(n.Route, 1)]));
        }

        var request = new RankerInput(neighbours) { Statistics = stats, CostWeight = CostWeight, K = k };
        var options = ranker.Options;
        string[] models = [.. table.Models];
        double maxCost = models.Max(table.CostOf);

        // The baseline: knn-router's weighted mean per model, the cost term, sorted by score.
        var scores = new (string Model, double Score, double Quality)[models.Length];
        double baseline()
        {
            double sMax = double.NegativeInfinity;
            foreach (var n in neighbours)
            {
                sMax = Math.Max(sMax, n.Similarity);
            }

            Span<double> w = stackalloc double[neighbours.Length];
            double den = 0;
            for (int i = 0; i < neighbours.Length; i++)
            {
                w[i] = Math.Exp((neighbours[i].Similarity - sMax) / options.Temperature);
                den += w[i];
            }

            for (int m = 0; m < models.Length; m++)
            {
                string model = models[m];
                double num = 0;
                for (int i = 0; i < neighbours.Length; i++)
                {
                    var n = neighbours[i];
                    if (table.TryGetPrior(n.Route, model, out double prior))
                    {
                        double routeRate = stats.ForRoute(n.Route, model).Smoothed(prior, options.RouteSmoothingStrength);
                        num += w[i] * stats.ForUtterance(n.Key, model).Smoothed(routeRate, options.UtteranceSmoothingStrength);
                    }
                }

                double quality = num / den;
                scores[m] = (model, quality - (CostWeight * table.CostOf(model) / maxCost), quality);
            }

            Array.Sort(scores, static (a, b) =>
            {
                int byScore = b.Score.CompareTo(a.Score);
                return byScore != 0 ? byScore : string.CompareOrdinal(a.Model, b.Model);
            });
            return scores[0].Score;
        }

        // Same answer first: the ratio is only meaningful if both compute the same thing.
        baseline();
        var ranked = ranker.Rank(request);
        for (int m = 0; m < models.Length; m++)
        {
            if (ranked.Models[m].Model != scores[m].Model || Math.Abs(ranked.Models[m].Quality - scores[m].Quality) > 1e-9)
            {
                throw new InvalidOperationException($"k={k}: the inline baseline disagrees with Ranker.Rank at position {m}");
            }
        }

        double sink = 0;
        for (int w = 0; w < iterations / 5; w++)
        {
            sink += ranker.Rank(request).Models[0].Score + baseline();
        }

        var rank = new List<double>();
        var bare = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            // Alternate which goes first so neither always runs on a warmer cache.
            for (int half = 0; half < 2; half++)
            {
                bool doBaseline = (half == 0) == ((r & 1) == 0);
                long t = Stopwatch.GetTimestamp();
                if (doBaseline)
                {
                    for (int i = 0; i < iterations; i++)
                    {
                        sink += baseline();
                    }
                }
                else
                {
                    for (int i = 0; i < iterations; i++)
                    {
                        sink += ranker.Rank(request).Models[0].Score;
                    }
                }

                double micros = Stopwatch.GetElapsedTime(t).TotalMicroseconds / iterations;
                (doBaseline ? bare : rank).Add(micros);
            }
        }

        if (double.IsNaN(sink))
        {
            Console.WriteLine("unreachable: keeps the results alive");
        }

        double rankMedian = rank.Order().ElementAt(rank.Count / 2), bareMedian = bare.Order().ElementAt(bare.Count / 2);
        return new Row(k, rankMedian, bareMedian, rankMedian / bareMedian, iterations);
    }
}
