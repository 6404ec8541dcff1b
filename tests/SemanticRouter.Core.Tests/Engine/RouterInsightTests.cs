using SemanticRouter.Artifacts;
using SemanticRouter.Core.Tests.Embeddings;
using SemanticRouter.Engine;
using SemanticRouter.Index;
using SemanticRouter.Insight;
using SemanticRouter.Tests;

namespace SemanticRouter.Core.Tests.Engine;

/// <summary>The engine as <see cref="IRouterInsight"/>: what the web page shows besides one ranking.</summary>
public sealed class RouterInsightTests(EncoderFixture fixture) : IClassFixture<EncoderFixture>, IDisposable
{
    private readonly TestDirectory _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Insight_DescribesTheIndex_ListsUtterances_AndRemembersRankingsAndOutcomes()
    {
        string routes = _dir.CopyExampleRoutes();
        string index = Path.Combine(_dir.Path, "index");
        IndexBuilder.Build(routes, fixture.Encoder, index, new HnswOptions { M = 8, EfConstruction = 64, Seed = 3 }, cancellationToken: Ct);
        using var engine = new RouterEngine(new RouterEngineOptions { IndexDirectory = index }, fixture.Encoder, fixture.Encoder.Model.Fingerprint);
        IRouterInsight insight = engine;
        ISemanticRouter router = engine;

        var described = insight.DescribeIndex();
        Assert.Equal(engine.IndexVersion, described.Version);
        Assert.Equal(fixture.Encoder.Model.Fingerprint, described.ModelFingerprint);
        Assert.Equal((8, 64), (described.Hnsw.M, described.Hnsw.EfConstruction));
        Assert.Equal(engine.UtteranceCount, described.Utterances);
        Assert.Equal(engine.Catalog.Routes.Count, described.Routes);
        Assert.Contains(new KeyValuePair<string, string>("k", engine.Settings.DefaultK.ToString(System.Globalization.CultureInfo.InvariantCulture)), described.Settings);

        var coding = insight.Utterances("coding");
        Assert.Equal(engine.Catalog.Routes.Single(r => r.Name == "coding").Utterances, coding);
        await engine.AddUtterancesAsync("coding", ["port this fortran solver to julia"], Ct);
        Assert.Equal("port this fortran solver to julia", insight.Utterances("coding")[^1]);
        Assert.Equal(RouterErrorCode.NotFound, Assert.Throws<RouterException>(() => insight.Utterances("no-such-route")).Code);

        var ranked = await router.RankAsync(new RoutingRequest("write a python function that reverses a linked list"), Ct);
        await router.RecordOutcomeAsync(OutcomeReport.ForRequest(ranked.RequestId, ranked.Models[0].Model, success: true), Ct);
        var recent = insight.Recent();
        Assert.Equal(ranked.RequestId, recent.Decisions[0].RequestId);
        Assert.Equal(("coding", ranked.Models[0].Model), (recent.Decisions[0].Route, recent.Decisions[0].BestModel));
        Assert.Equal((ranked.RequestId, ranked.Models[0].Model, 1.0, "coding"), (recent.Outcomes[0].RequestId, recent.Outcomes[0].Model, recent.Outcomes[0].Score, recent.Outcomes[0].Route));

        // The outcome reached the route's statistics, where the ranker reads it.
        var stats = insight.RouteStatistics().Single(s => s.Route == "coding" && s.Model == ranked.Models[0].Model);
        Assert.True(stats.Trials > 0 && stats.Successes == stats.Trials, $"{stats}");
        Assert.True(stats.Estimate > stats.Prior);
    }

    [Fact]
    public void RecentActivityLog_KeepsTheNewest_CutsLongQueries()
    {
        var log = new RecentActivityLog();
        for (int i = 0; i < RecentActivityLog.Capacity + 7; i++)
        {
            log.Add(new RecentDecision(DateTimeOffset.UnixEpoch.AddSeconds(i), $"r{i}", new string('q', 1000), "route", 1, false, "m"));
            log.Add(new RecentOutcome(DateTimeOffset.UnixEpoch.AddSeconds(i), $"r{i}", "m", 1, null));
        }

        var recent = log.Snapshot();
        Assert.Equal(RecentActivityLog.Capacity, recent.Decisions.Count);
        Assert.Equal($"r{RecentActivityLog.Capacity + 6}", recent.Decisions[0].RequestId);
        Assert.Equal("r7", recent.Decisions[^1].RequestId);
        Assert.Equal("r7", recent.Outcomes[^1].RequestId);
        Assert.Equal(RecentActivityLog.MaxQueryChars + 1, recent.Decisions[0].Query.Length);
    }
}
