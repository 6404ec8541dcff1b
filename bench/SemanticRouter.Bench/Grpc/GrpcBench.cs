using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using SemanticRouter.Grpc.V1;

namespace SemanticRouter.Bench.Grpc;

/// <summary>
/// gRPC load client: RankModels p50/p99 and throughput at 1, 8, 32, 64 concurrent clients (each a
/// closed loop over the query set on one shared HTTP/2 channel), printing each level's throughput
/// as a ratio to the single-client rate, and a JSON file under bench/results/.
/// </summary>
internal static class GrpcBench
{
    internal static readonly string[] DefaultQueries =
    [
        "write a python function that reverses a linked list",
        "how do I sort a dictionary by value in python",
        "fix this null reference exception in my C# code",
        "explain the difference between TCP and UDP",
        "what is the capital of australia",
        "tell me a joke about cats",
        "summarise this article about climate change",
        "translate 'good morning' into french",
        "how many calories are in an apple",
        "write a haiku about autumn",
        "what's the weather like tomorrow in paris",
        "prove that the square root of two is irrational",
        "solve 3x + 5 = 20",
        "recommend a good science fiction novel",
        "how do I reset my bank card pin",
        "why is my docker container exiting immediately",
        "write a SQL query to find duplicate emails",
        "what are the symptoms of the flu",
        "plan a three day trip to rome",
        "and in javascript?",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["--real", var index, .. var rest])
        {
            return await RealEngineBench.RunAsync(index, rest);
        }

        var options = Parse(args);
        var queries = options.QueriesFile is { } file ? File.ReadAllLines(file).Where(l => l.Trim().Length > 0).ToArray() : DefaultQueries;
        if (options.SimulatedEncoder is { } cost)
        {
            // Same run, same machine: the simulated encoder alone, then behind the batching decorator.
            var perCall = TimeSpan.FromMilliseconds(cost.PerCallMs);
            var perText = TimeSpan.FromMilliseconds(cost.PerTextMs);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"simulated encoder: {cost.PerCallMs} ms per call + {cost.PerTextMs} ms per text, one session"));
            var bare = await RunSelfHostedAsync(options, queries, "encoder one call per query", new SimulatedEncoder(perCall, perText));
            using var batching = new SemanticRouter.Embeddings.BatchingEmbeddingGenerator(new SimulatedEncoder(perCall, perText));
            var batched = await RunSelfHostedAsync(options, queries, "encoder behind BatchingEmbeddingGenerator", batching);
            return bare + batched == 0 ? 0 : 1;
        }

        if (options.SelfHost)
        {
            return await RunSelfHostedAsync(options, queries, "constant-time engine", encoder: null);
        }

        return await RunAgainstAsync(options.Address ?? throw new ArgumentException("--address or --self-host is required"), options, queries, label: null);
    }

    private static async Task<int> RunSelfHostedAsync(Options options, string[] queries, string label, Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>? encoder)
    {
        await using var host = await SelfHost.StartAsync(encoder);
        return await RunAgainstAsync(host.Address, options, queries, label);
    }

    private static async Task<int> RunAgainstAsync(Uri address, Options options, string[] queries, string? label)
    {
        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan },
        });
        var client = new Router.RouterClient(channel);
        var headers = options.ApiKey is { } key ? new Metadata { { "authorization", "Bearer " + key } } : null;

        Console.WriteLine();
        Console.WriteLine($"RankModels over gRPC at {address}{(label is null ? "" : $" (self-hosted, {label})")}: {queries.Length} queries, {options.Seconds} s per level, {Environment.ProcessorCount} cores");
        await RunLevelAsync(client, headers, queries, 4, TimeSpan.FromSeconds(1)); // warm-up: JIT, connections, caches

        var results = new List<LevelResult>();
        foreach (var concurrency in options.Concurrency)
        {
            results.Add(await RunLevelAsync(client, headers, queries, concurrency, TimeSpan.FromSeconds(options.Seconds)));
        }

        var single = results.FirstOrDefault(r => r.Concurrency == 1)?.Throughput ?? results[0].Throughput;
        Console.WriteLine($"{"clients",8} {"calls",9} {"errors",7} {"req/s",10} {"p50 ms",9} {"p99 ms",9} {"ratio",7}");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Concurrency,8} {r.Calls,9} {r.Errors,7} {r.Throughput,10:F0} {r.P50Ms,9:F3} {r.P99Ms,9:F3} {r.Throughput / single,7:F2}"));
        }

        var at32 = results.FirstOrDefault(r => r.Concurrency == 32);
        if (at32 is not null)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"throughput ratio at 32 clients: {at32.Throughput / single:F2} (goal ≥ 1.5)"));
        }

        var dir = Path.Combine(FindRoot(), "bench", "results");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"grpc-{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(new { address, label, cores = Environment.ProcessorCount, levels = results }, JsonOptions));
        Console.WriteLine($"written {path}");
        return results.Sum(r => r.Errors) == 0 ? 0 : 1;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>One closed-loop level; with <c>collect</c>, every call's latency in ms is appended to it too.</summary>
    internal static async Task<LevelResult> RunLevelAsync(Router.RouterClient client, Metadata? headers, string[] queries, int concurrency, TimeSpan duration, List<double>? collect = null)
    {
        var latencies = new List<long>[concurrency];
        var errors = 0;
        var started = Stopwatch.GetTimestamp();
        var end = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var mine = latencies[worker] = new List<long>(4096);
            // Worker w sends texts w, w + c, w + 2c, …: no two workers send the same text, so with
            // unique texts no call is answered from another worker's cache entry.
            var i = worker;
            while (Stopwatch.GetTimestamp() < end)
            {
                var request = new RankModelsRequest { Query = queries[i % queries.Length] };
                i += concurrency;
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    await client.RankModelsAsync(request, headers, DateTime.UtcNow.AddSeconds(30)).ResponseAsync.ConfigureAwait(false);
                    mine.Add(Stopwatch.GetTimestamp() - t0);
                }
                catch (RpcException)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }).ToList();
        await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        collect?.AddRange(all.Select(t => t * 1000.0 / Stopwatch.Frequency));
        double Percentile(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(p * all.Length))] * 1000.0 / Stopwatch.Frequency;
        return new LevelResult(concurrency, all.Length, errors, all.Length / elapsed, Percentile(0.50), Percentile(0.99));
    }

    internal sealed record LevelResult(int Concurrency, int Calls, int Errors, double Throughput, double P50Ms, double P99Ms);

    private sealed record Options(Uri? Address, string? ApiKey, string? QueriesFile, int Seconds, int[] Concurrency, bool SelfHost, (double PerCallMs, double PerTextMs)? SimulatedEncoder);

    private static Options Parse(string[] args)
    {
        Uri? address = null;
        string? apiKey = null;
        string? queries = null;
        var seconds = 5;
        int[] concurrency = [1, 8, 32, 64];
        var selfHost = false;
        (double, double)? simulated = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--address": var a = Next(); address = new Uri(a.Contains("://", StringComparison.Ordinal) ? a : "http://" + a); break;
                case "--api-key": apiKey = Next(); break;
                case "--queries": queries = Next(); break;
                case "--seconds": seconds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--concurrency": concurrency = Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--self-host": selfHost = true; break;
                case "--simulated-encoder":
                    var parts = Next().Split(',');
                    simulated = (double.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture));
                    break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        return new Options(address, apiKey, queries, seconds, concurrency, selfHost, simulated);
    }

    internal static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SemanticRouter.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }
}
