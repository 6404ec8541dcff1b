using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Grpc.Net.Client;
using SemanticRouter.Artifacts;
using SemanticRouter.Bench.Grpc;
using SemanticRouter.Bench.Measurement;
using SemanticRouter.Embeddings;
using SemanticRouter.Grpc.V1;
using SemanticRouter.Tests;
using Spectre.Console;

namespace SemanticRouter.Bench.Startup;

/// <summary>
/// <c>coldstart</c>: process start → first successful RankModels of the real <c>semantic-router
/// serve</c>, as an operator's probe sees it: a free port is chosen up front, the program started,
/// and RankModels sent every 10 ms until one succeeds. Two indexes — the example routes and a
/// synthetic one of <c>--n</c> utterances — in <c>--rounds</c> rounds that alternate which goes
/// first, each start measured from the moment before <see cref="Process.Start()"/>. Prints median
/// (range) per index, the server's CPU seconds until its first answer, the difference the large
/// index makes, and every line the server wrote with its time since start (its phase log). The
/// page cache is warm (the files were just written or read): this is a restart, not a boot. With
/// <c>--empty-caches</c>, one extra start per index runs with a fresh XDG_CACHE_HOME (no cached
/// model fingerprint, no optimised model): a first start on a new machine.
/// </summary>
internal static class ColdStartBench
{
    private const double GoalExampleSeconds = 2.0;
    private const double GoalExtraLargeSeconds = 1.0;

    private static Dictionary<string, string> serverEnvironment = [];

    public static async Task<int> RunAsync(string[] args)
    {
        int rounds = Math.Max(3, BenchArgs.Int(args, "--rounds", 5));
        int n = BenchArgs.Int(args, "--n", 100_000);
        int serverAt = Array.IndexOf(args, "--server");
        string server = serverAt >= 0 && serverAt + 1 < args.Length ? args[serverAt + 1] : RealEngineBench.FindServer();
        bool emptyCaches = args.Contains("--empty-caches");
        // --env KEY=VALUE (repeatable): set for every server started, e.g. DOTNET_TieredPGO=0.
        var environment = args.Select((a, i) => (a, i)).Where(x => x.a == "--env" && x.i + 1 < args.Length)
            .Select(x => args[x.i + 1].Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1]);
        serverEnvironment = environment;
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = 160;
        }

        AnsiConsole.MarkupLine(Markup.Escape(BenchMachine.Banner()));
        AnsiConsole.MarkupLine(Markup.Escape($"coldstart: {server}, {rounds} rounds; example routes and a synthetic {n:N0}-utterance index"));
        string work = Directory.CreateTempSubdirectory("sr-coldstart-").FullName;
        JsonObject report = BenchMachine.Describe("coldstart", args);
        report["server"] = server;
        report["serverEnvironment"] = string.Join(' ', environment.Select(kv => $"{kv.Key}={kv.Value}"));
        try
        {
            var model = ModelFolder.Open(SharedPaths.MiniLmModel);
            string example = Path.Combine(work, "example", "index");
            using (var encoder = new SentenceEncoder(model))
            {
                IndexBuilder.Build(Path.Combine(SharedPaths.RepositoryRoot, "routes"), encoder, example);
            }

            var indexes = new List<(string Name, string Directory)> { ("example routes", example) };
            int largeAt = Array.IndexOf(args, "--large-index");
            if (largeAt >= 0 && largeAt + 1 < args.Length)
            {
                // An index made earlier (e.g. by the phases probe, or a real one): no time spent creating it.
                indexes.Add(($"given {RouterArtifact.ReadManifest(args[largeAt + 1]).Counts.Utterances / 1000}k", args[largeAt + 1]));
            }
            else if (n > 0)
            {
                AnsiConsole.MarkupLine($"creating the synthetic {n:N0}-utterance index...");
                string[] texts = EncoderBench.LoadQueries(Path.Combine(SharedPaths.Root, "datasets", "clinc150", "data_full.json"), 4500);
                indexes.Add(($"synthetic {n / 1000}k", SyntheticArtifact.Create(Path.Combine(work, "large"), n, model, texts, m => AnsiConsole.MarkupLine(Markup.Escape(m)))));
            }

            // One unrecorded start: the bench's own gRPC client code is JIT-compiled here, not in a measured start.
            await StartOnceAsync(server, example, work, cacheHome: null);

            var starts = indexes.Select(_ => new List<Start>()).ToList();
            for (int r = 0; r < rounds; r++)
            {
                for (int j = 0; j < indexes.Count; j++)
                {
                    int i = (r % 2 == 0) ? j : indexes.Count - 1 - j;
                    var s = await StartOnceAsync(server, indexes[i].Directory, work, cacheHome: null);
                    starts[i].Add(s);
                    AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                        $"  round {r + 1}: {indexes[i].Name}: first answer after {s.FirstAnswer.TotalSeconds:0.000} s (listening at {s.Listening?.TotalSeconds:0.000} s), server CPU {s.ServerCpuSeconds:0.00} s, load average {s.Load["loadavg1Before"]}")));
                }
            }

            var empty = new List<Start>();
            if (emptyCaches)
            {
                foreach (var (name, directory) in indexes)
                {
                    string cacheHome = Directory.CreateTempSubdirectory("sr-coldstart-cache-").FullName;
                    try
                    {
                        empty.Add(await StartOnceAsync(server, directory, work, cacheHome));
                    }
                    finally
                    {
                        Directory.Delete(cacheHome, recursive: true);
                    }
                }
            }

            var table = new Table().AddColumns("index", "start → first answer, s: median (range)", "→ listening, s", "server CPU s", "others' cores", "goal", "met");
            var results = new JsonArray();
            for (int i = 0; i < indexes.Count; i++)
            {
                var first = Spread.Of(starts[i].Select(s => s.FirstAnswer.TotalSeconds));
                string goal = i == 0
                    ? string.Create(CultureInfo.InvariantCulture, $"≤ {GoalExampleSeconds:0.0}")
                    : string.Create(CultureInfo.InvariantCulture, $"≤ example + {GoalExtraLargeSeconds:0.0}");
                double limit = i == 0 ? GoalExampleSeconds : Spread.Of(starts[0].Select(s => s.FirstAnswer.TotalSeconds)).Median + GoalExtraLargeSeconds;
                table.AddRow(
                    Markup.Escape(indexes[i].Name),
                    first.Format("F3"),
                    Spread.Of(starts[i].Where(s => s.Listening is not null).Select(s => s.Listening!.Value.TotalSeconds)).Format("F3"),
                    Spread.Of(starts[i].Select(s => s.ServerCpuSeconds)).Format("F2"),
                    Spread.Of(starts[i].Select(s => Num(s.Load["otherCores"]))).Format("F2"),
                    goal,
                    first.Median <= limit ? "[green]yes[/]" : "[red]no[/]");
                results.Add(new JsonObject
                {
                    ["index"] = indexes[i].Name,
                    ["firstAnswerSeconds"] = first.ToJson(),
                    ["starts"] = new JsonArray([.. starts[i].Select(s => (JsonNode)s.ToJson())]),
                });
            }

            if (indexes.Count > 1)
            {
                var extra = Spread.Of(starts[1].Zip(starts[0], (a, b) => a.FirstAnswer.TotalSeconds - b.FirstAnswer.TotalSeconds));
                table.AddRow("large − example (paired by round)", extra.Format("F3"), "", "", "", string.Create(CultureInfo.InvariantCulture, $"≤ {GoalExtraLargeSeconds:0.0}"), extra.Median <= GoalExtraLargeSeconds ? "[green]yes[/]" : "[red]no[/]");
                report["largeMinusExampleSeconds"] = extra.ToJson();
            }

            for (int i = 0; i < empty.Count; i++)
            {
                table.AddRow(Markup.Escape($"{indexes[i].Name}, empty caches (one start)"), empty[i].FirstAnswer.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture),
                    empty[i].Listening?.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture) ?? "", empty[i].ServerCpuSeconds.ToString("F2", CultureInfo.InvariantCulture), "", "", "");
                results.Add(new JsonObject { ["index"] = indexes[i].Name + ", empty caches", ["starts"] = new JsonArray(empty[i].ToJson()) });
            }

            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine("The server's own log of the last start of each index (seconds since the process started):");
            for (int i = 0; i < indexes.Count; i++)
            {
                AnsiConsole.MarkupLine(Markup.Escape($"  {indexes[i].Name}:"));
                foreach (var (at, line) in starts[i][^1].Log)
                {
                    AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"    {at.TotalSeconds,7:0.000}  {line}")));
                }
            }

            report["results"] = results;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        string dir = Path.Combine(SharedPaths.RepositoryRoot, "bench", "results");
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, $"coldstart-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        await File.WriteAllTextAsync(file, report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        AnsiConsole.MarkupLine($"JSON: {Markup.Escape(file)}");
        return 0;
    }

    private sealed record Start(TimeSpan FirstAnswer, TimeSpan? Listening, double ServerCpuSeconds, JsonObject Load, List<(TimeSpan At, string Line)> Log)
    {
        public JsonObject ToJson() => new()
        {
            ["firstAnswerSeconds"] = FirstAnswer.TotalSeconds,
            ["listeningSeconds"] = Listening?.TotalSeconds,
            ["serverCpuSeconds"] = ServerCpuSeconds,
            ["load"] = Load.DeepClone(),
            ["log"] = new JsonArray([.. Log.Select(l => (JsonNode)string.Create(CultureInfo.InvariantCulture, $"{l.At.TotalSeconds:0.000} {l.Line}"))]),
        };
    }

    /// <summary>One start: the server on a free loopback port, probed until RankModels succeeds, then killed (by its id).</summary>
    private static async Task<Start> StartOnceAsync(string server, string index, string work, string? cacheHome)
    {
        int port = FreePort();
        string db = Path.Combine(work, $"outcomes-{Guid.NewGuid():N}.db");
        var start = new ProcessStartInfo(server)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { "serve", "--index", index, "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--metrics-port", "0", "--db", db })
        {
            start.ArgumentList.Add(a);
        }

        if (cacheHome is not null)
        {
            start.Environment["XDG_CACHE_HOME"] = cacheHome;
        }

        foreach (var (key, value) in serverEnvironment)
        {
            start.Environment[key] = value;
        }

        // The client calls from the first moment; each refused connect would otherwise put the channel into its
        // reconnect backoff (1 s and growing), and the figure would measure the client's wait, not the server.
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}", new GrpcChannelOptions
        {
            InitialReconnectBackoff = TimeSpan.FromMilliseconds(10),
            MaxReconnectBackoff = TimeSpan.FromMilliseconds(10),
        });
        var client = new Router.RouterClient(channel);
        var log = new List<(TimeSpan, string)>();
        TimeSpan? listening = null;
        var before = MachineLoad.Sample();
        long t0 = Stopwatch.GetTimestamp();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {server}");
        void OnLine(string? line)
        {
            if (line is { Length: > 0 })
            {
                var at = Stopwatch.GetElapsedTime(t0);
                lock (log)
                {
                    log.Add((at, line));
                    if (listening is null && line.Contains("gRPC listening on", StringComparison.Ordinal))
                    {
                        listening = at;
                    }
                }
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            while (true)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"serve exited with {process.ExitCode}: {string.Join(" | ", log.Select(l => l.Item2).TakeLast(5))}");
                }

                if (Stopwatch.GetElapsedTime(t0) > TimeSpan.FromSeconds(120))
                {
                    throw new TimeoutException("serve did not answer within 120 s");
                }

                try
                {
                    await client.RankModelsAsync(new RankModelsRequest { Query = "write a python function that reverses a linked list" }, deadline: DateTime.UtcNow.AddSeconds(5));
                    break;
                }
                catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal)
                {
                    await Task.Delay(10);
                }
            }

            var firstAnswer = Stopwatch.GetElapsedTime(t0);
            double cpu = ProcessCpu.Seconds(process.Id);
            var after = MachineLoad.Sample();
            return new Start(firstAnswer, listening, cpu, MachineLoad.Describe(before, after, firstAnswer.TotalSeconds, cpu), log);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
            foreach (string f in new[] { db, db + "-wal", db + "-shm" })
            {
                File.Delete(f);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static double Num(JsonNode? node) => node is null ? double.NaN : double.Parse(node.ToJsonString(), CultureInfo.InvariantCulture);
}
