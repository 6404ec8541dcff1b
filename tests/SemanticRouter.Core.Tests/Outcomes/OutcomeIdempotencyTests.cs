using Microsoft.Data.Sqlite;
using SemanticRouter.Outcomes;
using SemanticRouter.Routes;

namespace SemanticRouter.Core.Tests.Outcomes;

/// <summary>A replayed outcome counts once: in one process, across a restart, and between concurrent first reports.</summary>
public class OutcomeIdempotencyTests
{
    private static readonly UtteranceKey Key = UtteranceKey.Of("coding", "u");
    private static readonly OutcomeCredits Credits = new([new UtteranceCredit(Key, 1)], [new RouteCredit("coding", 1)]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SameRequestAndModel_ReportedTwice_CountsOnce_EvenAfterReopen()
    {
        using var dir = new TempDir();
        var path = dir.File("o.db");
        using (var store = SqliteOutcomeStore.Open(path))
        {
            var first = await store.RecordAsync(Outcome.ForRequest("r1", "gpt", 0.0), Credits, Ct);
            var again = await store.RecordAsync(Outcome.ForRequest("r1", "gpt", 1.0), Credits, Ct);
            Assert.False(first.Replayed);
            Assert.True(again.Replayed);
            Assert.Equal(first.Id, again.Id);
            Assert.Equal(0.0, again.Score); // the first report's answer
            Assert.Equal(1, store.Count);
            Assert.Equal(new SuccessCounts(0, 1), store.ForRoute("coding", "gpt"));

            // Another model on the same ranking is another outcome.
            Assert.False((await store.RecordAsync(Outcome.ForRequest("r1", "claude", 1.0), Credits, Ct)).Replayed);
        }

        using (var store = SqliteOutcomeStore.Open(path))
        {
            var replay = await store.RecordAsync(Outcome.ForRequest("r1", "gpt", 0.0), Credits, Ct);
            Assert.True(replay.Replayed);
            Assert.Equal(2, store.Count);
            Assert.Equal(new SuccessCounts(0, 1), store.ForRoute("coding", "gpt"));
            var found = await store.FindAsync(Outcome.ForRequest("r1", "gpt", 0.0).EffectiveIdempotencyKey!, Ct);
            Assert.NotNull(found);
            Assert.True(found.Replayed);
            Assert.Null(await store.FindAsync("never recorded", Ct));
        }
    }

    [Fact]
    public async Task QueryOutcomes_CountOncePerCallerKey_AndEveryTimeWithoutOne()
    {
        using var dir = new TempDir();
        using var store = SqliteOutcomeStore.Open(dir.File("o.db"));
        for (var i = 0; i < 3; i++)
        {
            await store.RecordAsync(Outcome.ForQuery("fix my code", "gpt", 1.0) with { IdempotencyKey = "call-7", CostUsd = 0.002 }, Credits, Ct);
            await store.RecordAsync(Outcome.ForQuery("fix my code", "gpt", 1.0), Credits, Ct);
        }

        Assert.Equal(4, store.Count);
        var keyed = Assert.Single(store.ReadOutcomes(), o => o.IdempotencyKey == "call-7");
        Assert.Equal(0.002, keyed.CostUsd);
    }

    [Fact]
    public async Task ConcurrentFirstReports_OfOneKey_OneCounts()
    {
        using var dir = new TempDir();
        using var store = SqliteOutcomeStore.Open(dir.File("o.db"));
        var all = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() =>
            store.RecordAsync(Outcome.ForRequest("r", "gpt", 1.0) with { IdempotencyKey = "same" }, Credits, Ct))));
        Assert.Single(all, s => !s.Replayed);
        Assert.Single(all.Select(s => s.Id).Distinct());
        Assert.Equal(1, store.Count);
        Assert.Equal(new SuccessCounts(1, 1), store.ForRoute("coding", "gpt"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task BlankOrOverlongKey_IsRefused(string key)
    {
        using var dir = new TempDir();
        using var store = SqliteOutcomeStore.Open(dir.File("o.db"));
        var e = await Assert.ThrowsAsync<OutcomeRejectedException>(() => store.RecordAsync(Outcome.ForRequest("r", "gpt", 1.0) with { IdempotencyKey = key }, Credits, Ct));
        Assert.Equal(OutcomeRejectionReason.InvalidIdempotencyKey, e.Reason);
        var tooLong = await Assert.ThrowsAsync<OutcomeRejectedException>(() => store.RecordAsync(Outcome.ForRequest("r", "gpt", 1.0) with { IdempotencyKey = new string('k', Outcome.MaxIdempotencyKeyLength + 1) }, Credits, Ct));
        Assert.DoesNotContain("kkkk", tooLong.Message, StringComparison.Ordinal); // never echoed
        var cost = await Assert.ThrowsAsync<OutcomeRejectedException>(() => store.RecordAsync(Outcome.ForRequest("r", "gpt", 1.0) with { CostUsd = -1 }, Credits, Ct));
        Assert.Equal(OutcomeRejectionReason.CostOutOfRange, cost.Reason);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task SchemaVersion1Store_IsMigrated_KeepingItsOutcomes()
    {
        using var dir = new TempDir();
        var path = dir.File("v1.db");
        using (var db = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = """
                PRAGMA journal_mode=WAL;
                CREATE TABLE outcomes(id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, request_id TEXT, query TEXT,
                    model TEXT NOT NULL, score REAL NOT NULL CHECK (score >= 0 AND score <= 1), credits BLOB NOT NULL);
                CREATE TABLE utterance_stats(utterance INTEGER NOT NULL, model TEXT NOT NULL, successes REAL NOT NULL, trials REAL NOT NULL,
                    PRIMARY KEY (utterance, model)) WITHOUT ROWID;
                CREATE TABLE route_stats(route TEXT NOT NULL, model TEXT NOT NULL, successes REAL NOT NULL, trials REAL NOT NULL,
                    PRIMARY KEY (route, model)) WITHOUT ROWID;
                INSERT INTO outcomes(time_ms, request_id, query, model, score, credits) VALUES (0, 'old', NULL, 'gpt', 1, x'010000000000000000');
                INSERT INTO route_stats VALUES ('coding', 'gpt', 1, 1);
                PRAGMA user_version = 1;
                """;
            cmd.ExecuteNonQuery();
        }

        using var store = SqliteOutcomeStore.Open(path);
        Assert.Equal(1, store.Count);
        Assert.Equal(new SuccessCounts(1, 1), store.ForRoute("coding", "gpt"));
        Assert.False((await store.RecordAsync(Outcome.ForRequest("new", "gpt", 1.0), Credits, Ct)).Replayed);
        Assert.True((await store.RecordAsync(Outcome.ForRequest("new", "gpt", 1.0), Credits, Ct)).Replayed);
        Assert.Equal(["old", "new"], store.ReadOutcomes().Select(o => o.RequestId));
    }
}
