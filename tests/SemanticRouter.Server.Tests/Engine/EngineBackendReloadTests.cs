using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;
using SemanticRouter.Engine;
using SemanticRouter.Index;
using SemanticRouter.Ranking;
using SemanticRouter.Server.Engine;
using SemanticRouter.Settings;
using SemanticRouter.Tests;

namespace SemanticRouter.Server.Tests.Engine;

public class EngineBackendReloadTests
{
    private static readonly HnswOptions Hnsw = new() { M = 8, EfConstruction = 64, Seed = 3 };

    [Fact]
    public async Task Reload_OfAnIndexWithOtherRankingSettingsThanAtStart_SaysSo_AndKeepsTheSettingsItStartedWith()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TestDirectory();
        string routes = dir.CopyExampleRoutes();
        string index = Path.Combine(dir.Path, "index");
        using var encoder = SentenceEncoder.Open(SharedPaths.MiniLmModel, new SentenceEncoderOptions { IntraOpThreads = 1 });
        IndexBuilder.Build(routes, encoder, index, Hnsw, cancellationToken: ct);
        using var engine = new RouterEngine(new RouterEngineOptions { IndexDirectory = index }, encoder, encoder.Model.Fingerprint);
        var backend = new EngineBackend(engine);

        var unchanged = await backend.ReloadAsync(null, ct);
        IndexBuilder.Build(routes, encoder, index, Hnsw, rankingSettings: new RankingSettingsFile { K = 40, FittedOn = "first" }, cancellationToken: ct);
        var changed = await backend.ReloadAsync(null, ct);
        IndexBuilder.Build(routes, encoder, index, Hnsw, rankingSettings: new RankingSettingsFile { K = 40, FittedOn = "only the note differs" }, cancellationToken: ct);
        var stillChanged = await backend.ReloadAsync(null, ct);
        IndexBuilder.Build(routes, encoder, index, Hnsw, cancellationToken: ct);
        var backToStart = await backend.ReloadAsync(null, ct);

        Assert.False(unchanged.RankingSettingsChanged);
        Assert.True(changed.RankingSettingsChanged);
        Assert.NotEqual(changed.PreviousIndexVersion, changed.IndexVersion);
        // Compared with what the engine started on, not with the index before: the second reload still
        // serves settings that wait for a restart, and only the note differs between the two files.
        Assert.True(stillChanged.RankingSettingsChanged);
        Assert.False(backToStart.RankingSettingsChanged);
        // The engine ranks with what it started with until it restarts (the outcome store and text model were set up for them).
        Assert.Equal(RankingOptions.Default.K, engine.Settings.Options.K);
        Assert.Null(engine.IndexRankingSettings);
    }
}
