using SemanticRouter.Artifacts;
using SemanticRouter.Core.Tests.Embeddings;
using SemanticRouter.Engine;
using SemanticRouter.RouteHead;
using SemanticRouter.Settings;
using SemanticRouter.Index;
using SemanticRouter.Tests;

namespace SemanticRouter.Core.Tests.Engine;

/// <summary>An artefact built with `fit` parameters carries the route head, and the served path uses it.</summary>
public sealed class RouteHeadEngineTests(EncoderFixture fixture) : IClassFixture<EncoderFixture>, IDisposable
{
    private readonly TestDirectory _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Build_WithParameters_StoresHead_AndEngineRanksWithItsPosterior()
    {
        var parameters = new RouteHeadParameters { K = 5, Temperature = 0.05, RouteHeadWeight = 0.7, HeadL2 = 1e-3, AbstainRule = "none" };
        string index = Build(parameters);

        var artifact = RouterArtifact.Load(index);
        Assert.NotNull(artifact.Head);
        Assert.Equal(artifact.Catalog.Routes.Select(r => r.Name), artifact.Head!.Classifier.Routes);
        Assert.Equal(0.7, artifact.Head.Parameters.RouteHeadWeight);

        using var engine = Open(index);
        var decision = await engine.RankAsync(new EngineQuery("please translate this paragraph into Portuguese"), Ct);
        Assert.Equal("translation", decision.Ranking.Match?.Route);
        Assert.False(decision.Ranking.IsAbstained);
        Assert.InRange(decision.Ranking.Routes.Sum(r => r.Confidence), 0.99, 1.01);
    }

    [Fact]
    public async Task NoRouteHeadWeight_TheHeadsFittedKDecides()
    {
        string index = Build(new RouteHeadParameters { K = 5, Temperature = 0.05, RouteHeadWeight = 0.7, AbstainRule = "none" });
        using var engine = Open(index, new RankingOverrides { K = 12, Temperature = 0.3 });
        var decision = await engine.RankAsync(new EngineQuery("please translate this paragraph into Portuguese"), Ct);
        Assert.Equal(5, decision.Ranking.Neighbors.Count);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(0.0)]
    public async Task RouteHeadWeight_KeepsTheRankingsKAndTau_AndBlendsTheClassifiersOwnPosterior(double alpha)
    {
        // Outcome routing: k and τ were chosen on outcomes, so they stay; the route posterior is
        // α·P_classifier + (1 − α)·(the ranker's own neighbour vote at its τ), as `eval --served` measures it.
        string index = Build(new RouteHeadParameters { K = 5, Temperature = 0.05, RouteHeadWeight = 0.7, AbstainRule = "none" });
        const string query = "please translate this paragraph into Portuguese";
        using var engine = Open(index, new RankingOverrides { K = 12, Temperature = 0.3, RouteHeadWeight = alpha });
        var decision = await engine.RankAsync(new EngineQuery(query), Ct);
        Assert.Equal(12, decision.Ranking.Neighbors.Count);

        var head = RouterArtifact.Load(index).Head!;
        var vector = fixture.Encoder.Embed(query);
        var classifier = head.Decide(vector, []).Classifier;
        var knn = SemanticRouter.Ranking.Ranker.KnnPosterior(decision.Ranking.Neighbors);
        double total = classifier.Values.Sum();
        foreach (var route in decision.Ranking.Routes)
        {
            double expected = (alpha * classifier.GetValueOrDefault(route.Route) / total) + ((1 - alpha) * knn.GetValueOrDefault(route.Route));
            Assert.Equal(expected, route.Confidence, 1e-6);
        }

        Assert.Equal(1.0, decision.Ranking.Routes.Sum(r => r.Confidence), 1e-6);
    }

    [Fact]
    public void RouteHeadWeight_OutOfRange_IsRefused()
    {
        string index = Build(new RouteHeadParameters { K = 5 });
        Assert.Throws<RankingSettingsException>(() => Open(index, new RankingOverrides { RouteHeadWeight = 1.5 }));
    }

    [Fact]
    public async Task AddUtterances_KeepsTheRouteHeadInTheRewrittenArtefact()
    {
        string index = Build(new RouteHeadParameters { K = 5, RouteHeadWeight = 0.5 });
        using (var engine = Open(index))
        {
            await engine.AddUtterancesAsync("maths", ["compute the determinant of a 4 by 4 matrix by hand"], Ct);
        }

        Assert.NotNull(RouterArtifact.Load(index).Head);
    }

    [Fact]
    public async Task FittedAbstentionRule_DecidesAbstention()
    {
        // A posterior threshold no query can reach: every query abstains, by the fitted rule
        // rather than the similarity threshold of the route files.
        string index = Build(new RouteHeadParameters { K = 5, Temperature = 0.05, RouteHeadWeight = 0.5, AbstainRule = "posterior", Threshold = 1.5 });
        using var engine = Open(index);
        var decision = await engine.RankAsync(new EngineQuery("write a python function that reverses a linked list"), Ct);
        Assert.True(decision.Ranking.IsAbstained);
        Assert.Equal("coding", decision.Ranking.Match?.Route);
    }

    [Fact]
    public void Build_ChangedParameters_ChangeTheIndexVersion()
    {
        string a = Build(new RouteHeadParameters { RouteHeadWeight = 0.5 }, "a");
        string b = Build(new RouteHeadParameters { RouteHeadWeight = 0.6 }, "b");
        Assert.NotEqual(RouterArtifact.ReadManifest(a).IndexVersion, RouterArtifact.ReadManifest(b).IndexVersion);
    }

    private string Build(RouteHeadParameters parameters, string name = "index")
    {
        string routes = Path.Combine(_dir.Path, "routes");
        if (!Directory.Exists(routes))
        {
            _dir.CopyExampleRoutes();
        }

        string index = Path.Combine(_dir.Path, name);
        IndexBuilder.Build(routes, fixture.Encoder, index, new HnswOptions { M = 8, EfConstruction = 64 }, new RouteHeadSettings(parameters, []), cancellationToken: Ct);
        return index;
    }

    private RouterEngine Open(string index, RankingOverrides? overrides = null) =>
        new(new RouterEngineOptions { IndexDirectory = index, OutcomeDatabase = Path.Combine(_dir.Path, Guid.NewGuid().ToString("N") + ".db"), RankingOverrides = overrides }, fixture.Encoder, fixture.Encoder.Model.Fingerprint);
}
