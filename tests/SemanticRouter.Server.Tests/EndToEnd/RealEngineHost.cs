using Microsoft.AspNetCore.Builder;
using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;
using SemanticRouter.Engine;
using SemanticRouter.Index;
using SemanticRouter.Server.Engine;
using SemanticRouter.Server.Hosting;
using SemanticRouter.Tests;

namespace SemanticRouter.Server.Tests.EndToEnd;

/// <summary>
/// The real thing on loopback: the example routes copied to a temp dir, indexed with the shared
/// MiniLM model, served by Kestrel on 127.0.0.1:0 through <see cref="EngineBackend"/> — the same
/// stack `semantic-router serve` runs (batching + caching encoder).
/// </summary>
internal sealed class RealEngineHost : IAsyncDisposable
{
    private static readonly HnswOptions Hnsw = new() { M = 12, EfConstruction = 100, Seed = 5 };

    private readonly TestDirectory _dir;
    private readonly SentenceEncoder _encoder;
    private readonly BatchingEmbeddingGenerator _batching;
    private readonly RouterEngine _engine;
    private readonly WebApplication _app;

    private RealEngineHost(TestDirectory dir, SentenceEncoder encoder, BatchingEmbeddingGenerator batching, RouterEngine engine, WebApplication app)
    {
        _dir = dir;
        _encoder = encoder;
        _batching = batching;
        _engine = engine;
        _app = app;
    }

    public string RoutesDirectory => Path.Combine(_dir.Path, "routes");

    public string IndexDirectory => Path.Combine(_dir.Path, "index");

    public SentenceEncoder Encoder => _encoder;

    public RouterEngine Engine => _engine;

    public Uri GrpcAddress => RouterHost.GetEndpoints(_app).Grpc!;

    public string Address => $"127.0.0.1:{GrpcAddress.Port}";

    public static async Task<RealEngineHost> StartAsync(string? apiKey = null)
    {
        var dir = new TestDirectory();
        string routes = dir.CopyExampleRoutes();

        var encoder = SentenceEncoder.Open(SharedPaths.MiniLmModel, new SentenceEncoderOptions { IntraOpThreads = 2 });
        string index = Path.Combine(dir.Path, "index");
        IndexBuilder.Build(routes, encoder, index, Hnsw);
        var batching = new BatchingEmbeddingGenerator(encoder);
        var engine = new RouterEngine(new RouterEngineOptions { IndexDirectory = index }, new CachingEmbeddingGenerator(batching), encoder.Model.Fingerprint);
        var overrides = new Dictionary<string, string?>
        {
            ["Host"] = "127.0.0.1",
            ["Port"] = "0",
            ["MetricsPort"] = "0",
            ["ShutdownTimeout"] = "00:00:05",
        };
        if (apiKey is not null)
        {
            overrides["ApiKey"] = apiKey;
        }

        var app = RouterHost.Build(RouterHost.CreateBuilder([], new EngineBackend(engine), overrides));
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return new RealEngineHost(dir, encoder, batching, engine, app);
    }

    /// <summary>Rebuilds the artefact in place from the (possibly edited) route files.</summary>
    public void Rebuild() => IndexBuilder.Build(RoutesDirectory, _encoder, IndexDirectory, Hnsw);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
        _engine.Dispose();
        _batching.Dispose();
        _encoder.Dispose();
        _dir.Dispose();
    }
}
