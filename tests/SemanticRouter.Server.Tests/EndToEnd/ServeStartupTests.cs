using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grpc.Net.Client;
using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;
using SemanticRouter.Grpc.V1;
using SemanticRouter.Index;
using SemanticRouter.Tests;

namespace SemanticRouter.Server.Tests.EndToEnd;

/// <summary>
/// What an operator sees of a real `serve` process: the model it runs (log, /healthz, /metrics), where its start-up
/// time went, its per-route, abstention, chosen-model and runtime metrics, and a failed start as one line and an exit code.
/// </summary>
[Trait("Category", "EndToEnd")] // `serve` processes: ./test.sh --all
public sealed class ServeStartupTests : IDisposable
{
    private readonly TestDirectory _dir = new();
    private readonly string _index;

    public ServeStartupTests()
    {
        _index = Path.Combine(_dir.Path, "index");
        using var encoder = SentenceEncoder.Open(SharedPaths.MiniLmModel, new SentenceEncoderOptions { IntraOpThreads = 1 });
        IndexBuilder.Build(_dir.CopyExampleRoutes(), encoder, _index, new HnswOptions { M = 8, EfConstruction = 64, Seed = 3 }, cancellationToken: TestContext.Current.CancellationToken);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Serve_NamesItsModel_LogsEachStartupPhase_AndCountsRoutesAbstentionsChosenModelsAndTheRuntime()
    {
        var ct = TestContext.Current.CancellationToken;
        string sha256 = ModelFolder.Open(SharedPaths.MiniLmModel).Fingerprint;
        // (--intra-op-spinning reaches the encoder: with one thread there is no worker to spin, so it changes nothing else.)
        await using var serve = await ServeProcess.StartAsync(["--index", _index, "--host", "127.0.0.1", "--port", "0", "--metrics-port", "0", "--intra-op-threads", "1", "--intra-op-spinning", "during-run"]);

        // The start-up log: the model with its sha256 and threads, each phase of the one loading path, and when it listened.
        string log = serve.Output;
        Assert.Contains($"Model all-MiniLM-L6-v2 (sha256 {sha256}) from ", log, StringComparison.Ordinal);
        Assert.Contains("1 intra-op thread(s), spinning DuringRun", log, StringComparison.Ordinal);
        Assert.Matches(@"Start-up: index loaded in \d+ ms \(graph \d+ ms", log);
        Assert.Matches(@"Start-up: model session created in \d+ ms", log);
        Assert.Matches(@"index and model ready \d+ ms after loading began", log);
        Assert.Matches(@"gRPC listening on \S+ \(tls: False\), metrics on \S+, api key required: False; \d+ ms after the process started", log);

        using var http = new HttpClient { BaseAddress = serve.MetricsAddress, Timeout = TimeSpan.FromSeconds(30) };
        using (var health = JsonDocument.Parse(await http.GetStringAsync(new Uri("/healthz", UriKind.Relative), ct)))
        {
            Assert.Equal("Healthy", health.RootElement.GetProperty("status").GetString());
            Assert.Equal("all-MiniLM-L6-v2", health.RootElement.GetProperty("model").GetString());
            Assert.Equal(sha256, health.RootElement.GetProperty("model_sha256").GetString());
        }

        using var channel = GrpcChannel.ForAddress(serve.GrpcAddress);
        var client = new Router.RouterClient(channel);
        var coding = await client.RankModelsAsync(new RankModelsRequest { Query = "write a python function that sorts a list" }, cancellationToken: ct);
        await client.RankModelsAsync(new RankModelsRequest { Query = "write a python function that reverses a string" }, cancellationToken: ct);
        var elsewhere = await client.RankModelsAsync(new RankModelsRequest { Query = "what is the capital of peru" }, cancellationToken: ct);

        string metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), ct);
        Assert.Equal(2, Value(metrics, "semantic_router_rankings_total", $"route=\"{coding.Match.Route}\",abstained=\"false\""));
        string abstained = elsewhere.Match.Abstained ? "true" : "false";
        Assert.True(Value(metrics, "semantic_router_rankings_total", $"route=\"{elsewhere.Match.Route}\",abstained=\"{abstained}\"") >= 1, metrics);
        Assert.True(Value(metrics, "semantic_router_chosen_model_total", $"model=\"{coding.Models[0].Model}\"") >= 2, metrics);
        Assert.Equal(1, Value(metrics, "semantic_router_model_info", $"model=\"all-MiniLM-L6-v2\",sha256=\"{sha256}\",intra_op_threads=\"1\""));
        // The process's and the runtime's own metrics, in the same registry.
        Assert.Matches(@"(?m)^process_cpu_seconds_total [0-9.e+-]+$", metrics);
        Assert.Matches(@"(?m)^process_working_set_bytes [0-9.e+-]+$", metrics);
        Assert.Matches(@"(?m)^system_runtime_dotnet_thread_pool_thread_count(\{[^}]*\})? [0-9.e+-]+$", metrics);
        Assert.Matches(@"(?m)^microsoft_aspnetcore_server_kestrel_kestrel_active_connections(\{[^}]*\})? [0-9.e+-]+$", metrics);
    }

    [Fact]
    public async Task Serve_OnABusyPort_SaysSoInOneLine_WithoutAStackTrace_AndExitsNonZero()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        int port = ((IPEndPoint)busy.LocalEndpoint).Port;

        var (exitCode, stdout, stderr) = await ServeProcess.RunToExitAsync(["--index", _index, "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--metrics-port", "-1"]);

        Assert.True(exitCode == ExitCodesBadInput, $"exit {exitCode}\n{stdout}\n{stderr}");
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, stderr);
        Assert.Matches($@"^semantic-router serve: cannot listen: .*127\.0\.0\.1:{port}.*address already in use", lines[0]);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed to start", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_WithAModelFromTheEnvironmentThatIsNotTheIndexs_RefusesInOneLine_Exit3()
    {
        var environment = new Dictionary<string, string> { ["SEMANTIC_ROUTER_MODEL"] = SharedPaths.MiniLmInt8Model };

        var (exitCode, stdout, stderr) = await ServeProcess.RunToExitAsync(["--index", _index, "--host", "127.0.0.1", "--port", "0", "--metrics-port", "-1"], environment);

        Assert.True(exitCode == ExitCodesBadArtifact, $"exit {exitCode}\n{stdout}\n{stderr}");
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"{Path.GetFullPath(SharedPaths.MiniLmInt8Model)} (sha256 ", line, StringComparison.Ordinal);
        Assert.Contains($"is not the model the index {_index} was built with: all-MiniLM-L6-v2 in ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout, StringComparison.Ordinal);
    }

    // The CLI's exit codes (SemanticRouter.Cli.ExitCodes; the CLI is not referenced by these tests).
    private const int ExitCodesBadInput = 2;
    private const int ExitCodesBadArtifact = 3;

    /// <summary>The value of the sample of <paramref name="metric"/> whose labels are exactly <paramref name="labels"/> (0 when absent).</summary>
    private static double Value(string metrics, string metric, string labels)
    {
        var match = Regex.Match(metrics, $@"(?m)^{Regex.Escape(metric)}\{{{Regex.Escape(labels)}\}} (?<value>\S+)$");
        return match.Success ? double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture) : 0;
    }
}
