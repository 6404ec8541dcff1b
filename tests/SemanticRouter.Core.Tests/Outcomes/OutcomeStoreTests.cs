using SemanticRouter.Outcomes;
using SemanticRouter.Routes;

namespace SemanticRouter.Core.Tests.Outcomes;

public class OutcomeStoreTests
{
    [Fact]
    public async Task Reopen_RestoresStatisticsAndRawOutcomes()
    {
        using var dir = new TempDir();
        var path = dir.File("o.db");
        var key = UtteranceKey.Of("coding", "u");
        var credits = new OutcomeCredits([new UtteranceCredit(key, 0.25)], [new RouteCredit("coding", 1)]);
        using (var store = SqliteOutcomeStore.Open(path))
        {
            await store.RecordAsync(Outcome.ForRequest("r1", "gpt", 1.0), credits, TestContext.Current.CancellationToken);
            await store.RecordAsync(Outcome.ForRequest("r2", "gpt", 0.0), credits, TestContext.Current.CancellationToken);
        }

        using (var store = SqliteOutcomeStore.Open(path))
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

    [Theory]
    [InlineData(1.5, "r", null, OutcomeRejectionReason.ScoreOutOfRange)]
    [InlineData(1.0, null, null, OutcomeRejectionReason.InvalidTarget)]
    [InlineData(1.0, "r", "text", OutcomeRejectionReason.InvalidTarget)]
    public async Task RecordAsync_UnstorableOutcome_IsRejected_NothingWritten(double score, string? id, string? text, OutcomeRejectionReason reason)
    {
        // The store keeps its own invariants whatever credited the outcome.
        using var dir = new TempDir();
        using var store = SqliteOutcomeStore.Open(dir.File("o.db"));
        var e = await Assert.ThrowsAsync<OutcomeRejectedException>(() => store.RecordAsync(new Outcome("gpt", score) { RequestId = id, QueryText = text }, OutcomeCredits.None, TestContext.Current.CancellationToken));
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
        using var store = SqliteOutcomeStore.Open(path);
        await store.RecordAsync(Outcome.ForRequest("r", "gpt", 1), OutcomeCredits.None, TestContext.Current.CancellationToken);
        Assert.True(File.Exists(path + "-wal"));
    }

    [Fact]
    public async Task ConcurrentRecords_AllCounted()
    {
        using var dir = new TempDir();
        using var store = SqliteOutcomeStore.Open(dir.File("o.db"));
        var credits = new OutcomeCredits([], [new RouteCredit("chat", 1)]);
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            Task.Run(() => store.RecordAsync(Outcome.ForRequest($"r{i}", "small", i % 2), credits, TestContext.Current.CancellationToken))));
        Assert.Equal(new SuccessCounts(20, 40), store.ForRoute("chat", "small"));
    }
}
