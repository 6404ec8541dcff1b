using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;
using SemanticRouter.Index;
using SemanticRouter.Ranking;
using SemanticRouter.Server.Hosting;
using SemanticRouter.Server.Tests.Infrastructure;
using SemanticRouter.Settings;
using SemanticRouter.Tests;

namespace SemanticRouter.Server.Tests.EndToEnd;

/// <summary>The server that runs the engine refuses to start on settings that name something it cannot use, naming the setting.</summary>
public class EngineStartupTests
{
    private static readonly Dictionary<string, string?> Loopback = new()
    {
        ["Host"] = "127.0.0.1",
        ["Port"] = "0",
        ["MetricsPort"] = "-1",
    };

    [Fact]
    public async Task MissingIndex_StopsStartUp_NamingTheSetting()
    {
        var settings = new Dictionary<string, string?>(Loopback) { ["Index"] = "/nonexistent/index" };
        await using var app = RouterHost.Build(RouterHost.CreateBuilder([], settings));

        var e = await Assert.ThrowsAsync<RouterStartupException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.StartsWith("SemanticRouter:Index (SEMANTIC_ROUTER_INDEX): /nonexistent/index", e.Message, StringComparison.Ordinal);
        Assert.IsType<ArtifactException>(e.InnerException);
    }

    [Fact]
    public async Task RankingSettingsThatDoNotFitTheIndex_StopStartUp_NamingTheSetting()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TestDirectory();
        string index = ExampleIndex.Build(dir, ct);

        // Needs the index: refused when the engine resolves its settings at start.
        var settings = new Dictionary<string, string?>(Loopback) { ["Index"] = index, ["FallbackRoute"] = "no_such_route" };
        await using var app = RouterHost.Build(RouterHost.CreateBuilder([], settings));
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(ct));
        Assert.Contains("SemanticRouter:FallbackRoute (SEMANTIC_ROUTER_FALLBACK_ROUTE) 'no_such_route' is not a route of the index (routes: ", e.Message, StringComparison.Ordinal);

        // One maximum k everywhere (RankingOptions.MaxK): a settings file over it is refused when read, before the index is opened.
        string fileWithLargeK = dir.Write("ranking-options.json", """{"k": 5000}""");
        var large = Assert.Throws<OptionsValidationException>(() => RouterHost.CreateBuilder([], new Dictionary<string, string?>(Loopback) { ["Index"] = index, ["RankingOptionsFile"] = fileWithLargeK }));
        Assert.Contains($"SemanticRouter:RankingOptionsFile (SEMANTIC_ROUTER_RANKING_OPTIONS_FILE) {fileWithLargeK}: k 5000: K must be in [1, 1000].", large.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RankingSettingsTheIndexCarries_AreServed_AndLoggedWithTheirSource()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TestDirectory();
        string index = Path.Combine(dir.Path, "index");
        using (var encoder = SentenceEncoder.Open(SharedPaths.MiniLmModel, new SentenceEncoderOptions { IntraOpThreads = 1 }))
        {
            IndexBuilder.Build(dir.CopyExampleRoutes(), encoder, index, new HnswOptions { M = 8, EfConstruction = 64, Seed = 3 },
                rankingSettings: new RankingSettingsFile { K = 5, Temperature = 0.2 }, cancellationToken: ct);
        }

        var builder = RouterHost.CreateBuilder([], new Dictionary<string, string?>(Loopback) { ["Index"] = index, ["UtteranceSmoothing"] = "2" });
        var logs = new CollectingLoggerProvider();
        builder.Logging.AddProvider(logs);
        await using var app = RouterHost.Build(builder);
        await app.StartAsync(ct);
        var decision = await app.Services.GetRequiredService<ISemanticRouter>().RankAsync(new RoutingRequest("write a python function") { IncludeNeighbors = true }, ct);
        await app.StopAsync(ct);

        var settings = Assert.Single(logs.Entries, e => e.EventId.Id == 12);
        Assert.StartsWith("Ranking with default k 5, temperature 0.2, utterance_smoothing 2,", settings.Message, StringComparison.Ordinal);
        Assert.EndsWith("(from the index's ranking-options.json, with the configured settings over it)", settings.Message, StringComparison.Ordinal);
        Assert.Equal(5, decision.Neighbors.Count);
    }
}
