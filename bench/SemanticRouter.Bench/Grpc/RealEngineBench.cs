using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;
using SemanticRouter.Engine;
using SemanticRouter.Grpc.V1;
using SemanticRouter.Server.Engine;
using SemanticRouter.Server.Hosting;

namespace SemanticRouter.Bench.Grpc;

/// <summary>
/// `grpc --real INDEX_DIR`: the real engine behind the real server, against the bare encoder measured
/// first in the same run on the same queries. Prints (1) bare encoder p50 vs RankModels p50 over gRPC
/// (goal ≤ 1.15×), (2) a repeated, cached query's p50 (goal ≤ 0.3 ms), (3) throughput at 1, 8, 32, 64
/// clients and the ratio to one client (goal ≥ 1.5 at 32).
/// </summary>
internal static class RealEngineBench
{
    public static async Task<int> RunAsync(string indexDirectory, string[] args)
    {
        int seconds = 5;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--seconds" && i + 1 < args.Length)
            {
                seconds = int.Parse(args[++i], CultureInfo.InvariantCulture);
            }
        }

        var manifest = RouterArtifact.ReadManifest(indexDirectory);
        bool spin = args.Contains("--spin");
        int threadsAt = Array.IndexOf(args, "--threads");
        int? threads = threadsAt >= 0 && threadsAt + 1 < args.Length ? int.Parse(args[threadsAt + 1], CultureInfo.InvariantCulture) : null;
        using var encoder = SentenceEncoder.Open(manifest.Model.Directory, new SentenceEncoderOptions { AllowSpinning = spin, IntraOpThreads = threads });
        Console.WriteLine($"ONNX Runtime intra-op threads: {(threads?.ToString(CultureInfo.InvariantCulture) ?? "default")} (bare and served alike)");
        Console.WriteLine($"ONNX Runtime intra-op spinning: {(spin ? "on" : "off (as serve runs it)")}");
        string[] queries = GrpcBench.DefaultQueries;
        string[] unique = [.. Enumerable.Range(0, 120_000).Select(i => $"{queries[i % queries.Length]} (#{i})")];

        // (0) the baseline: the bare encoder, one query at a time, same queries.
        for (int i = 0; i < 50; i++)
        {
            encoder.Embed(queries[i % queries.Length]);
        }

        var bare = new List<double>();
        var until = Stopwatch.GetTimestamp() + (seconds * Stopwatch.Frequency);
        for (int i = 0; Stopwatch.GetTimestamp() < until; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            encoder.Embed(unique[^(1 + (i % 4_000))]);
            bare.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }

        double bareP50 = Percentile(bare, 0.5);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bare encoder: p50 {bareP50:F3} ms, p99 {Percentile(bare, 0.99):F3} ms over {bare.Count} calls"));

        var report = new Dictionary<string, object> { ["bare_encoder_p50_ms"] = bareP50 };
        string db = Path.Combine(Path.GetTempPath(), $"semantic-router-bench-{Environment.ProcessId}.db");
        try
        {
            // One server, the stack `serve` runs (cache over micro-batching). (1) + (3) send queries
            // made unique by a counter, so every call misses the cache and runs the model; (2) repeats
            // one query, so the model is skipped.
            using var batching = new BatchingEmbeddingGenerator(encoder);
            await using var host = await StartAsync(indexDirectory, db, new CachingEmbeddingGenerator(batching, capacity: 100_000));
            var client = host.Client;

            // The encoder through IEmbeddingGenerator.GenerateAsync, as the engine calls it (no decorators).
            var generate = new List<double>();
            var generateUntil = Stopwatch.GetTimestamp() + (seconds * Stopwatch.Frequency);
            for (int i = 0; Stopwatch.GetTimestamp() < generateUntil; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                await encoder.GenerateAsync([unique[^(4_001 + (i % 4_000))]]);
                generate.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SentenceEncoder.GenerateAsync: p50 {Percentile(generate, 0.5):F3} ms ({Percentile(generate, 0.5) / bareP50:F3} × bare)"));

            // In-process, no gRPC: how much of the gap is the engine (batching hop, search, rank)?
            var inproc = new List<double>();
            var stopAt = Stopwatch.GetTimestamp() + (seconds * Stopwatch.Frequency);
            for (int i = 0; Stopwatch.GetTimestamp() < stopAt; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                await host.Engine.RankAsync(new RouteQuery(unique[100_000 + (i % 20_000)]));
                inproc.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RouterEngine.RankAsync in-process: p50 {Percentile(inproc, 0.5):F3} ms ({Percentile(inproc, 0.5) / bareP50:F3} × bare)"));
            report["engine_inprocess_p50_ms"] = Percentile(inproc, 0.5);
            await GrpcBench.RunLevelAsync(client, null, unique[^500..], 1, TimeSpan.FromSeconds(1));
            var levels = new List<GrpcBench.LevelResult>();
            int offset = 0;
            foreach (int c in new[] { 1, 8, 32, 64 })
            {
                // A fresh slice per level: no level reuses another's texts.
                var slice = unique[offset..(offset + 25_000)];
                offset += 25_000;
                levels.Add(await GrpcBench.RunLevelAsync(client, null, slice, c, TimeSpan.FromSeconds(seconds)));
            }

            var single = levels[0];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RankModels over gRPC, 1 client: p50 {single.P50Ms:F3} ms, p99 {single.P99Ms:F3} ms → p50 / bare encoder p50 = {single.P50Ms / bareP50:F3} (goal ≤ 1.15)"));
            Console.WriteLine($"{"clients",8} {"calls",9} {"errors",7} {"req/s",10} {"p50 ms",9} {"p99 ms",9} {"ratio",7}");
            foreach (var r in levels)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{r.Concurrency,8} {r.Calls,9} {r.Errors,7} {r.Throughput,10:F0} {r.P50Ms,9:F3} {r.P99Ms,9:F3} {r.Throughput / single.Throughput,7:F2}"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"throughput ratio at 32 clients: {levels[2].Throughput / single.Throughput:F2} (goal ≥ 1.5)"));
            report["rank_p50_ms"] = single.P50Ms;
            report["rank_p50_over_bare"] = single.P50Ms / bareP50;
            report["levels"] = levels;

            string[] one = [queries[0]];
            await GrpcBench.RunLevelAsync(client, null, one, 1, TimeSpan.FromSeconds(1));
            var cached = await GrpcBench.RunLevelAsync(client, null, one, 1, TimeSpan.FromSeconds(seconds));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cached repeated query, 1 client: p50 {cached.P50Ms:F3} ms, p99 {cached.P99Ms:F3} ms, {cached.Errors} errors (goal p50 ≤ 0.3 ms)"));
            report["cached_p50_ms"] = cached.P50Ms;
        }
        finally
        {
            foreach (string f in new[] { db, db + "-wal", db + "-shm" })
            {
                File.Delete(f);
            }
        }

        string dir = Path.Combine(GrpcBench.FindRoot(), "bench", "results");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, $"grpc-real-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, Indented));
        Console.WriteLine($"written {path}");
        return 0;
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
    }

    private static async Task<Host> StartAsync(string index, string db, IEmbeddingGenerator<string, Embedding<float>> embedder)
    {
        var manifest = RouterArtifact.ReadManifest(index);
        var engine = new RouterEngine(new RouterEngineOptions { IndexDirectory = index, OutcomeDatabase = db }, embedder, manifest.Model.Fingerprint);
        var builder = RouterHost.CreateBuilder([], new EngineBackend(engine), new Dictionary<string, string?>
        {
            ["Host"] = "127.0.0.1",
            ["Port"] = "0",
            ["MetricsPort"] = "-1",
        });
        builder.Logging.ClearProviders();
        var app = RouterHost.Build(builder);
        await app.StartAsync();
        var channel = GrpcChannel.ForAddress(RouterHost.GetEndpoints(app).Grpc!, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan },
        });
        return new Host(app, engine, channel);
    }

    private sealed class Host(WebApplication app, RouterEngine engine, GrpcChannel channel) : IAsyncDisposable
    {
        public Router.RouterClient Client { get; } = new(channel);

        public RouterEngine Engine => engine;

        public async ValueTask DisposeAsync()
        {
            channel.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
            engine.Dispose();
        }
    }
}
