using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;
using static SemanticRouter.Core.Tests.Ranking.RankingFixtures;
using SemanticRouter.Routes;

namespace SemanticRouter.Core.Tests.Outcomes;

public class OutcomeStoreTests
{
    private static readonly HashSet<string> Catalogue = ["gpt", "coder", "math", "small"];

    [Fact]
    public async Task RecordAsync_ByRequestId_CreditsNeighboursByWeightAndMatchedRoute()
    {
        using var dir = new TempDir();
        var log = new RequestLog();
        using var store = OutcomeStore.Open(dir.File("o.db"), new OutcomeStoreOptions { RequestLog = log, IsKnownModel = Catalogue.Contains });
        var ranking = new Ranker(Table(), new RankingOptions { Temperature = 0.1 })
            .Rank(new RankingRequest([N(1, "coding", 0.9f), N(2, "coding", 0.8f), N(3, "maths", 0.8f)]));
        var id = log.Remember(ranking);

        await store.RecordAsync(Outcome.ForRequest(id, "coder", success: true), TestContext.Current.CancellationToken);
        await store.RecordAsync(Outcome.ForRequest(id, "coder", 0.5), TestContext.Current.CancellationToken);

        var w1 = ranking.Neighbors[0].NormalisedWeight;
        Assert.Equal(new SuccessCounts(1.5 * w1, 2 * w1).Trials, store.ForUtterance(N(1, "coding", 0).Key, "coder").Trials, 12);
        Assert.Equal(1.5 * w1, store.ForUtterance(N(1, "coding", 0).Key, "coder").Successes, 12);
        Assert.Equal(new SuccessCounts(1.5, 2), store.ForRoute("coding", "coder"));
        Assert.Equal(SuccessCounts.None, store.ForRoute("maths", "coder"));
        Assert.Equal(2, store.Count);
    }

    [Fact]
    public async Task Reopen_RestoresStatisticsAndRawOutcomes()
    {
        using var dir = new TempDir();
        var path = dir.File("o.db");
        var key = UtteranceKey.Of("coding", "u");
        var credits = new OutcomeCredits([new UtteranceCredit(key, 0.25)], [new RouteCredit("coding", 1)]);
        using (var store = OutcomeStore.Open(path))
        {
            await store.RecordCreditedAsync(Outcome.ForRequest("r1", "gpt", 1.0), credits, TestContext.Current.CancellationToken);
            await store.RecordCreditedAsync(Outcome.ForRequest("r2", "gpt", 0.0), credits, TestContext.Current.CancellationToken);
        }

        using (var store = OutcomeStore.Open(path))
        {
            Assert.Equal(2, store.Count);
            Assert.Equal(new SuccessCounts(0.25, 0.5), store.ForUtterance(key, "gpt"));
            Assert.Equal(new SuccessCounts(1, 2), store.ForRoute("coding", "gpt"));
            var raw = store.ReadOutcomes().ToArray();
            Assert.Equal(["r1", "r2"], raw.Select(o => o.RequestId));
            Assert.Equal(key, raw[0].Credits.Utterances[0].Key);

            store.RebuildAggregates();
            Assert.Equal(new SuccessCounts(0.25, 0.5), store.ForUtterance(key, "gpt"));
            Assert.Equal(new SuccessCounts(1, 2), store.ForRoute("coding", "gpt"));
        }
    }

    [Fact]
    public async Task RecordAsync_ByQueryText_UsesNeighbourSeam()
    {
        using var dir = new TempDir();
        var options = new OutcomeStoreOptions { FindNeighbors = _ => [N(1, "maths", 0.9f), N(2, "coding", 0.2f)] };
        using var store = OutcomeStore.Open(dir.File("o.db"), options);
        await store.RecordAsync(Outcome.ForQuery("integrate x", "math", true), TestContext.Current.CancellationToken);
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
    public async Task RecordAsync_InvalidOutcome_IsRejectedWithReason(double score, string model, string? id, string? text, OutcomeRejectionReason reason)
    {
        using var dir = new TempDir();
        using var store = OutcomeStore.Open(dir.File("o.db"), new OutcomeStoreOptions { RequestLog = new RequestLog(), IsKnownModel = Catalogue.Contains });
        var e = await Assert.ThrowsAsync<OutcomeRejectedException>(() => store.RecordAsync(new Outcome(model, score) { RequestId = id, QueryText = text }, TestContext.Current.CancellationToken));
        Assert.Equal(reason, e.Reason);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void RejectionReasons_KeepTheirNumbers()
    {
        Assert.Equal(1, (int)OutcomeRejectionReason.UnknownRequestId);
        Assert.Equal(2, (int)OutcomeRejectionReason.UnknownModel);
        Assert.Equal(3, (int)OutcomeRejectionReason.ScoreOutOfRange);
        Assert.Equal(4, (int)OutcomeRejectionReason.InvalidTarget);
        Assert.Equal(5, (int)OutcomeRejectionReason.QueryTextUnsupported);
        Assert.Equal(6, (int)OutcomeRejectionReason.NoNeighbors);
    }

    [Fact]
    public async Task Store_UsesWalAndFullSync()
    {
        using var dir = new TempDir();
        var path = dir.File("o.db");
        using var store = OutcomeStore.Open(path);
        await store.RecordCreditedAsync(Outcome.ForRequest("r", "gpt", 1), OutcomeCredits.None, TestContext.Current.CancellationToken);
        Assert.True(File.Exists(path + "-wal"));
    }

    [Fact]
    public async Task ConcurrentRecords_AllCounted()
    {
        using var dir = new TempDir();
        using var store = OutcomeStore.Open(dir.File("o.db"));
        var credits = new OutcomeCredits([], [new RouteCredit("chat", 1)]);
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            Task.Run(() => store.RecordCreditedAsync(Outcome.ForRequest($"r{i}", "small", i % 2), credits, TestContext.Current.CancellationToken))));
        Assert.Equal(new SuccessCounts(20, 40), store.ForRoute("chat", "small"));
    }
}

public class FeedbackLoopTests
{
    [Fact]
    public async Task ReportedFailures_DemoteTheTopModel_OnTheNextRanking()
    {
        using var dir = new TempDir();
        var log = new RequestLog();
        using var store = OutcomeStore.Open(dir.File("o.db"), new OutcomeStoreOptions { RequestLog = log });
        var ranker = new Ranker(Table());
        var neighbors = new[] { N(1, "coding", 0.9f), N(2, "coding", 0.88f) };
        var first = ranker.Rank(new RankingRequest(neighbors) { Statistics = store });
        Assert.Equal("coder", first.Models[0].Model);

        for (var i = 0; i < 30; i++)
        {
            var ranking = ranker.Rank(new RankingRequest(neighbors) { Statistics = store });
            var id = log.Remember(ranking);
            await store.RecordAsync(Outcome.ForRequest(id, "coder", success: false), TestContext.Current.CancellationToken);
            await store.RecordAsync(Outcome.ForRequest(id, "gpt", success: true), TestContext.Current.CancellationToken);
        }

        var after = ranker.Rank(new RankingRequest(neighbors) { Statistics = store });
        Assert.Equal("gpt", after.Models[0].Model);
        Assert.True(after.Models.Single(m => m.Model == "coder").Quality < 0.3);
    }
}
