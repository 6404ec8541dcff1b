using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;
using SemanticRouter.Index;
using SemanticRouter.Server.Hosting;
using SemanticRouter.Server.Tests.Infrastructure;
using SemanticRouter.Settings;
using SemanticRouter.Tests;

namespace SemanticRouter.Server.Tests.EndToEnd;

/// <summary>
/// The real thing on loopback: the example routes copied to a temp dir, indexed with the shared MiniLM
/// model, and the server started from configuration alone (<see cref="RouterHost.CreateBuilder(string[], IEnumerable{KeyValuePair{string, string}})"/>):
/// the same composition `semantic-router serve` runs (encoder, batching, cache, engine, metrics), on Kestrel at 127.0.0.1:0.
/// </summary>
internal sealed class RealEngineHost : IAsyncDisposable
{
    private static readonly HnswOptions Hnsw = new() { M = 12, EfConstruction = 100, Seed = 5 };

    private readonly TestDirectory _dir;
    private readonly SentenceEncoder _builder;
    private readonly WebApplication _app;

    private RealEngineHost(TestDirectory dir, SentenceEncoder builder, WebApplication app, CollectingLoggerProvider logs)
    {
        _dir = dir;
        _builder = builder;
        _app = app;
        Logs = logs;
    }

    /// <summary>Every log entry of the server (the console too).</summary>
    public CollectingLoggerProvider Logs { get; }

    public string RoutesDirectory => Path.Combine(_dir.Path, "routes");

    public string IndexDirectory => Path.Combine(_dir.Path, "index");

    public WebApplication App => _app;

    public Uri GrpcAddress => RouterHost.GetEndpoints(_app).Grpc!;

    public Uri MetricsAddress => RouterHost.GetEndpoints(_app).Metrics!;

    public string Address => $"127.0.0.1:{GrpcAddress.Port}";

    /// <summary>The router the server runs (the engine), as the service sees it.</summary>
    public ISemanticRouter Router => _app.Services.GetRequiredService<ISemanticRouter>();

    public static async Task<RealEngineHost> StartAsync(string? apiKey = null, Dictionary<string, string?>? settings = null)
    {
        var dir = new TestDirectory();
        string routes = dir.CopyExampleRoutes();

        // Builds the index (and rebuilds it in tests); the server opens its own encoder, as `serve` does.
        var builder = SentenceEncoder.Open(SharedPaths.MiniLmModel, new SentenceEncoderOptions { IntraOpThreads = 1 });
        string index = Path.Combine(dir.Path, "index");
        IndexBuilder.Build(routes, builder, index, Hnsw);
        var overrides = new Dictionary<string, string?>
        {
            ["Index"] = index,
            ["IntraOpThreads"] = "2",
            ["Host"] = "127.0.0.1",
            ["Port"] = "0",
            ["MetricsPort"] = "0",
            ["ShutdownTimeout"] = "00:00:05",
            ["AllowAdminWithoutKey"] = "true",
        };
        if (apiKey is not null)
        {
            overrides["ApiKey"] = apiKey;
        }

        foreach (var (key, value) in settings ?? [])
        {
            overrides[key] = value;
        }

        var hostBuilder = RouterHost.CreateBuilder([], overrides);
        var logs = new CollectingLoggerProvider();
        hostBuilder.Logging.AddProvider(logs);
        var app = RouterHost.Build(hostBuilder);
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return new RealEngineHost(dir, builder, app, logs);
    }

    /// <summary>Rebuilds the artefact in place from the (possibly edited) route files, carrying <paramref name="rankingSettings"/> if given.</summary>
    public void Rebuild(RankingSettingsFile? rankingSettings = null) =>
        IndexBuilder.Build(RoutesDirectory, _builder, IndexDirectory, Hnsw, rankingSettings: rankingSettings);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
        _builder.Dispose();
        _dir.Dispose();
    }
}
