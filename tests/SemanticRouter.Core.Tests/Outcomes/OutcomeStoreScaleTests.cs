using System.Diagnostics;
using System.Globalization;
using SemanticRouter.Outcomes;

namespace SemanticRouter.Core.Tests.Outcomes;

/// <summary>
/// Measurements behind the store's design (run on demand:
/// <c>dotnet test --project tests/SemanticRouter.Core.Tests -- --explicit only</c>): open time with
/// 1M outcomes from the maintained aggregates versus a rebuild from the raw rows, and the latency of
/// one durable record.
/// </summary>
public class OutcomeStoreScaleTests
{
    [Fact(Explicit = true)]
    public async Task OneMillionOutcomes_OpenFromAggregates_VersusRebuildFromRaw()
    {
        var ct = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper!;
        using var dir = new TempDir();
        var path = dir.File("scale.db");
        var total = int.Parse(Environment.GetEnvironmentVariable("SR_SCALE_OUTCOMES") ?? "1000000", CultureInfo.InvariantCulture);
        const int Batch = 10_000, Credits = 10, Utterances = 20_000, Routes = 50;
        string[] models = ["m0", "m1", "m2", "m3", "m4"];
        var rng = new Random(1);
        var clock = Stopwatch.StartNew();
        using (var store = OutcomeStore.Open(path))
        {
            for (var done = 0; done < total; done += Batch)
            {
                var batch = new List<(Outcome, OutcomeCredits)>(Batch);
                for (var i = 0; i < Batch; i++)
                {
                    var u = rng.Next(Utterances);
                    var credits = new OutcomeCredits(
                        [.. Enumerable.Range(0, Credits).Select(j => new UtteranceCredit(new UtteranceKey((ulong)((u + j) % Utterances) * 0x9E3779B97F4A7C15UL), 0.1))],
                        [new RouteCredit($"route{u % Routes}", 1)]);
                    batch.Add((Outcome.ForRequest($"r{done + i}", models[rng.Next(models.Length)], rng.Next(2)), credits));
                }

                await store.RecordBatchAsync(batch, ct);
            }
        }

        var insert = clock.Elapsed;
        clock.Restart();
        long count;
        int pairs;
        using (var store = OutcomeStore.Open(path))
        {
            count = store.Count;
            pairs = store.Statistics.UtterancePairs;
        }

        var open = clock.Elapsed;
        clock.Restart();
        using (var store = OutcomeStore.Open(path))
        {
            store.RebuildAggregates();
        }

        var rebuild = clock.Elapsed;
        var latencies = new List<double>();
        using (var store = OutcomeStore.Open(path))
        {
            var credits = new OutcomeCredits([new UtteranceCredit(new UtteranceKey(1), 1)], [new RouteCredit("route0", 1)]);
            for (var i = 0; i < 200; i++)
            {
                var t = Stopwatch.GetTimestamp();
                await store.RecordCreditedAsync(Outcome.ForRequest($"lat{i}", "m0", 1), credits, ct);
                latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
        }

        latencies.Sort();
        var size = new FileInfo(path).Length + (File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0);
        var report = string.Create(CultureInfo.InvariantCulture,
            $"outcomes={count} utterance×model pairs={pairs} file={size / 1e6:F0} MB insert={insert.TotalSeconds:F1}s " +
            $"open(aggregates)={open.TotalMilliseconds:F0}ms rebuild(raw)={rebuild.TotalSeconds:F1}s " +
            $"record p50={latencies[100]:F2}ms p99={latencies[198]:F2}ms");
        output.WriteLine(report);
        await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "semantic-router-outcome-scale.txt"), report + "\n", ct);
        Assert.Equal(total, count);
    }

    [Fact(Explicit = true)]
    public async Task GroupCommit_ConcurrentRecords_OutpaceSequentialOnes()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDir();
        using var store = OutcomeStore.Open(dir.File("group.db"));
        var credits = new OutcomeCredits([new UtteranceCredit(new UtteranceKey(1), 1)], [new RouteCredit("r", 1)]);
        const int N = 400;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < N; i++)
        {
            await store.RecordCreditedAsync(Outcome.ForRequest($"s{i}", "m", 1), credits, ct);
        }

        var sequential = N / clock.Elapsed.TotalSeconds;
        clock.Restart();
        await Parallel.ForAsync(0, N, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct }, async (i, c) =>
            await store.RecordCreditedAsync(Outcome.ForRequest($"c{i}", "m", 1), credits, c));
        var concurrent = N / clock.Elapsed.TotalSeconds;
        var report = string.Create(CultureInfo.InvariantCulture,
            $"durable outcomes/s: sequential {sequential:F0}, 32 concurrent writers {concurrent:F0} (×{concurrent / sequential:F1})");
        TestContext.Current.TestOutputHelper!.WriteLine(report);
        await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "semantic-router-group-commit.txt"), report + "\n", ct);
        Assert.Equal(2 * N, store.Count);
        Assert.Equal(2.0 * N, store.ForRoute("r", "m").Trials);
    }
}
