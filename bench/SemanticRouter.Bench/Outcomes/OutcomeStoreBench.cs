using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SemanticRouter.Engine;
using SemanticRouter.Neighbors;
using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;
using SemanticRouter.Routes;
using SemanticRouter.Tests;
using Spectre.Console;

namespace SemanticRouter.Bench.Outcomes;

/// <summary>
/// The outcome store's two design choices, each against its baseline measured in the same run:
/// group commit (concurrent durable <see cref="SqliteOutcomeStore.RecordAsync"/> from many writers against
/// the same calls one after another) and maintained aggregates (opening a store of n outcomes,
/// which loads the aggregates, against rebuilding them from the n raw rows). Prints the ratios and a
/// JSON file under bench/results/. Works in a temporary directory that is deleted at the end.
/// </summary>
internal static class OutcomeStoreBench
{
    private const int BatchSize = 10_000, Credits = 10, Utterances = 20_000, Routes = 50;
    private static readonly string[] Models = ["m0", "m1", "m2", "m3", "m4"];
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> RunAsync(string[] args)
    {
        int n = BenchArgs.Int(args, "--n", 200_000);
        int writers = BenchArgs.Int(args, "--writers", 32);
        int records = BenchArgs.Int(args, "--records", 2000);
        int rounds = BenchArgs.Int(args, "--rounds", 5);
        string dir = Path.Combine(Path.GetTempPath(), $"semantic-router-outcome-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        try
        {
            Console.Error.WriteLine($"outcomes bench: {records} durable records × {rounds} rounds, sequential vs {writers} writers; then {n:N0} outcomes, open vs rebuild (in {dir})");
            var commit = await GroupCommitAsync(Path.Combine(dir, "group.db"), records, writers, rounds);
            var scale = await OpenVersusRebuildAsync(Path.Combine(dir, "scale.db"), n);

            var table = new Table().AddColumns("measure", "ours", "baseline", "ratio");
            table.AddRow($"durable outcomes/s: {writers} writers / sequential",
                F0(commit.ConcurrentPerSecond), F0(commit.SequentialPerSecond), $"×{commit.Ratio:0.0} faster");
            table.AddRow($"ms to open {n:N0}: aggregates / rebuild",
                F0(scale.OpenMs), F0(scale.RebuildMs), $"×{scale.Ratio:0} faster");
            table.AddRow("one durable record, ms", $"p50 {commit.SequentialP50Ms:0.00}", $"p99 {commit.SequentialP99Ms:0.00}", "");
            table.AddRow($"bulk insert, {BatchSize:N0}/transaction", $"{scale.InsertPerSecond:N0}/s", $"{scale.InsertSeconds:0.0} s", "");
            table.AddRow("file (db + WAL), pairs", $"{scale.FileMegabytes:0} MB", $"{scale.UtterancePairs:N0}", "");
            AnsiConsole.Write(table);
            Console.WriteLine($"group commit: {commit.ConcurrentPerSecond:0} vs {commit.SequentialPerSecond:0} durable outcomes/s, ratio {commit.Ratio:0.0} ({writers} writers / sequential, median of {rounds} rounds of {records})");
            Console.WriteLine($"open {n}: {scale.OpenMs:0} ms from aggregates vs {scale.RebuildMs:0} ms open + rebuild from raw rows, ratio {scale.Ratio:0.0} (rebuild / open)");

            string results = Path.Combine(SharedPaths.RepositoryRoot, "bench", "results");
            Directory.CreateDirectory(results);
            string file = Path.Combine(results, $"outcomes-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new
            {
                benchmark = "outcomes",
                machine = new { Environment.ProcessorCount, os = Environment.OSVersion.ToString(), runtime = Environment.Version.ToString() },
                n,
                writers,
                records,
                rounds,
                groupCommit = commit,
                scale,
            }, Indented));
            Console.WriteLine($"wrote {file}");
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    internal sealed record GroupCommit(double SequentialPerSecond, double ConcurrentPerSecond, double Ratio, double SequentialP50Ms, double SequentialP99Ms);

    internal sealed record Scale(long Outcomes, int UtterancePairs, double FileMegabytes, double InsertSeconds, double InsertPerSecond, double OpenMs, double RebuildMs, double Ratio);

    /// <summary>
    /// Rounds of: <paramref name="records"/> RecordAsync calls awaited one after another (baseline), then
    /// as many from <paramref name="writers"/> concurrent writers, on one store. Each call is durable
    /// (its own or a shared fsynced commit) before it returns. Medians over rounds.
    /// </summary>
    private static async Task<GroupCommit> GroupCommitAsync(string path, int records, int writers, int rounds)
    {
        // A query-text outcome credited as the engine credits one with one neighbour: that utterance and its route.
        Neighbor[] neighbours = [new Neighbor(0, UtteranceKey.Of("r", "u0"), "r", "u0", 0.9f)];
        var credits = OutcomeCrediting.FromNeighbors(neighbours, RankingOptions.Default.K, RankingOptions.Default.Temperature);
        using var store = SqliteOutcomeStore.Open(path);
        var sequential = new List<double>();
        var concurrent = new List<double>();
        var latencies = new List<double>();
        for (int w = 0; w < 20; w++)
        {
            await store.RecordAsync(Outcome.ForQuery("warm-up", "m", 1), credits);
        }

        for (int r = 0; r < rounds; r++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < records; i++)
            {
                long t = Stopwatch.GetTimestamp();
                await store.RecordAsync(Outcome.ForQuery($"s{r}-{i}", "m", 1), credits);
                latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }

            sequential.Add(records / clock.Elapsed.TotalSeconds);
            clock.Restart();
            int round = r;
            await Parallel.ForAsync(0, records, new ParallelOptions { MaxDegreeOfParallelism = writers }, async (i, c) =>
                await store.RecordAsync(Outcome.ForQuery($"c{round}-{i}", "m", 1), credits, c));
            concurrent.Add(records / clock.Elapsed.TotalSeconds);
            Console.Error.WriteLine($"  round {r + 1}: sequential {sequential[^1]:0}/s, {writers} writers {concurrent[^1]:0}/s");
        }

        long expected = 20 + (2L * rounds * records);
        if (store.Count != expected)
        {
            throw new InvalidOperationException($"store holds {store.Count} outcomes, expected {expected}");
        }

        double seq = Median(sequential), con = Median(concurrent);
        latencies.Sort();
        return new GroupCommit(seq, con, con / seq, Percentile(latencies, 0.50), Percentile(latencies, 0.99));
    }

    /// <summary>
    /// Bulk-inserts <paramref name="total"/> synthetic outcomes (10 utterance credits + 1 route credit
    /// each), then times opening the store (loads the maintained aggregates; best of 3) against opening
    /// it and rebuilding the aggregates from the raw rows (what a store without maintained aggregates
    /// would do on every start; one run, it is long).
    /// </summary>
    private static async Task<Scale> OpenVersusRebuildAsync(string path, int total)
    {
        var rng = new Random(1);
        var clock = Stopwatch.StartNew();
        using (var store = SqliteOutcomeStore.Open(path))
        {
            for (int done = 0; done < total; done += BatchSize)
            {
                int size = Math.Min(BatchSize, total - done);
                var batch = new List<CreditedOutcome>(size);
                for (int i = 0; i < size; i++)
                {
                    int u = rng.Next(Utterances);
                    var credits = new OutcomeCredits(
                        [.. Enumerable.Range(0, Credits).Select(j => new UtteranceCredit(new UtteranceKey((ulong)((u + j) % Utterances) * 0x9E3779B97F4A7C15UL), 0.1))],
                        [new RouteCredit($"route{u % Routes}", 1)]);
                    batch.Add(new CreditedOutcome(Outcome.ForRequest($"r{done + i}", Models[rng.Next(Models.Length)], rng.Next(2)), credits));
                }

                await store.RecordAsync(batch);
            }
        }

        double insert = clock.Elapsed.TotalSeconds;
        Console.Error.WriteLine($"  inserted {total:N0} outcomes in {insert:0.0} s");

        long count = 0;
        int pairs = 0;
        double open = double.MaxValue;
        for (int r = 0; r < 3; r++)
        {
            clock.Restart();
            using (var store = SqliteOutcomeStore.Open(path))
            {
                count = store.Count;
                pairs = store.Statistics.UtterancePairs;
            }

            open = Math.Min(open, clock.Elapsed.TotalMilliseconds);
        }

        clock.Restart();
        using (var store = SqliteOutcomeStore.Open(path))
        {
            store.RebuildAggregates();
            if (store.Count != count || store.Statistics.UtterancePairs != pairs)
            {
                throw new InvalidOperationException("the rebuilt aggregates differ from the maintained ones");
            }
        }

        double rebuild = clock.Elapsed.TotalMilliseconds;
        if (count != total)
        {
            throw new InvalidOperationException($"store holds {count} outcomes, expected {total}");
        }

        double bytes = new FileInfo(path).Length + (File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0);
        return new Scale(count, pairs, bytes / 1e6, insert, total / insert, open, rebuild, rebuild / open);
    }

    private static double Median(List<double> values) => Percentile([.. values.Order()], 0.5);

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    private static string F0(double value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
