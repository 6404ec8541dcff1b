using SemanticRouter.Core.Tests.Outcomes;
using SemanticRouter.Engine;
using SemanticRouter.Neighbors;
using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;
using SemanticRouter.Routes;
using static SemanticRouter.Core.Tests.Ranking.RankingFixtures;

namespace SemanticRouter.Core.Tests.Engine;

/// <summary>What an outcome credits (the engine's crediting), recorded in the store.</summary>
public class OutcomeCreditingTests
{
    private static readonly HashSet<string> Catalogue = ["gpt", "coder", "math", "small"];

    /// <summary>Credits the outcome as the engine does and records it with its credits.</summary>
    internal static async Task Record(IOutcomeStore store, OutcomeCrediting crediting, Outcome outcome)
    {
        var credits = await crediting.CreditAsync(outcome, TestContext.Current.CancellationToken);
        await store.RecordAsync(outcome, credits, TestContext.Current.CancellationToken);
    }

    private static OutcomeCrediting.FindNeighbors Neighbors(IReadOnlyList<Neighbor> neighbors) =>
        (_, _) => Task.FromResult((neighbors, RankingOptions.Default.K, RankingOptions.Default.Temperature));

    [Fact]
    public async Task ByRequestId_CreditsNeighboursByWeightAndMatchedRoute()
    {
        using var dir = new TempDir();
        var log = new RequestLog();
        var crediting = new OutcomeCrediting(log, null, Catalogue.Contains);
        using var store = SqliteOutcomeStore.Open(dir.File("o.db"));
        var ranking = new Ranker(Table(), new RankingOptions { Temperature = 0.1 })
            .Rank(new RankerInput([N(1, "coding", 0.9f), N(2, "coding", 0.8f), N(3, "maths", 0.8f)]));
        var id = log.Remember(OutcomeCrediting.FromRanking(ranking));

        await Record(store, crediting, Outcome.ForRequest(id, "coder", success: true));
        // The same request and model again is a replay (issue 27): it counts only under a key of its own.
        await Record(store, crediting, Outcome.ForRequest(id, "coder", 0.5));
        Assert.Equal(1, store.Count);
        await Record(store, crediting, Outcome.ForRequest(id, "coder", 0.5) with { IdempotencyKey = "second-report" });

        var w1 = ranking.Neighbors[0].NormalisedWeight;
        Assert.Equal(new SuccessCounts(1.5 * w1, 2 * w1).Trials, store.ForUtterance(N(1, "coding", 0).Key, "coder").Trials, 12);
        Assert.Equal(1.5 * w1, store.ForUtterance(N(1, "coding", 0).Key, "coder").Successes, 12);
        Assert.Equal(new SuccessCounts(1.5, 2), store.ForRoute("coding", "coder"));
        Assert.Equal(SuccessCounts.None, store.ForRoute("maths", "coder"));
        Assert.Equal(2, store.Count);
    }

    [Fact]
    public async Task ByQueryText_CreditsTheTextsNeighbours()
    {
        using var dir = new TempDir();
        var crediting = new OutcomeCrediting(null, Neighbors([N(1, "maths", 0.9f), N(2, "coding", 0.2f)]), null);
        using var store = SqliteOutcomeStore.Open(dir.File("o.db"));
        await Record(store, crediting, Outcome.ForQuery("integrate x", "math", true));
        Assert.Equal(new SuccessCounts(1, 1), store.ForRoute("maths", "math"));
        Assert.True(store.ForUtterance(N(1, "maths", 0).Key, "math").Trials > 0.99);
    }

    [Theory]
    [InlineData(1.5, "gpt", "r", null, OutcomeRejectionReason.ScoreOutOfRange)]
    [InlineData(double.NaN, "gpt", "r", null, OutcomeRejectionReason.ScoreOutOfRange)]
    [InlineData(1.0, "nope", "r", null, OutcomeRejectionReason.UnknownModel)]
    [InlineData(1.0, "gpt", "unknown-id", null, OutcomeRejectionReason.UnknownRequestId)]
    [InlineData(1.0, "gpt", null, null, OutcomeRejectionReason.InvalidTarget)]
    [InlineData(1.0, "gpt", "r", "text", OutcomeRejectionReason.InvalidTarget)]
    [InlineData(1.0, "gpt", null, "text", OutcomeRejectionReason.QueryTextUnsupported)]
    public async Task InvalidOutcome_IsRejectedWithReason_NothingWritten(double score, string model, string? id, string? text, OutcomeRejectionReason reason)
    {
        using var dir = new TempDir();
        var crediting = new OutcomeCrediting(new RequestLog(), null, Catalogue.Contains);
        using var store = SqliteOutcomeStore.Open(dir.File("o.db"));
        var e = await Assert.ThrowsAsync<OutcomeRejectedException>(() => Record(store, crediting, new Outcome(model, score) { RequestId = id, QueryText = text }));
        Assert.Equal(reason, e.Reason);
        Assert.Equal(0, store.Count);
    }
}

public class FeedbackLoopTests
{
    [Fact]
    public async Task ReportedFailures_DemoteTheTopModel_OnTheNextRanking()
    {
        using var dir = new TempDir();
        var log = new RequestLog();
        var crediting = new OutcomeCrediting(log, null, null);
        using var store = SqliteOutcomeStore.Open(dir.File("o.db"));
        var ranker = new Ranker(Table());
        var neighbors = new[] { N(1, "coding", 0.9f), N(2, "coding", 0.88f) };
        var first = ranker.Rank(new RankerInput(neighbors) { Statistics = store });
        Assert.Equal("coder", first.Models[0].Model);

        for (var i = 0; i < 30; i++)
        {
            var ranking = ranker.Rank(new RankerInput(neighbors) { Statistics = store });
            var id = log.Remember(OutcomeCrediting.FromRanking(ranking));
            await OutcomeCreditingTests.Record(store, crediting, Outcome.ForRequest(id, "coder", success: false));
            await OutcomeCreditingTests.Record(store, crediting, Outcome.ForRequest(id, "gpt", success: true));
        }

        var after = ranker.Rank(new RankerInput(neighbors) { Statistics = store });
        Assert.Equal("gpt", after.Models[0].Model);
        Assert.True(after.Models.Single(m => m.Model == "coder").Quality < 0.3);
    }
}
