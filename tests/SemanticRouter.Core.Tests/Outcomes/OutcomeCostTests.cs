using Microsoft.Data.Sqlite;
using SemanticRouter.Engine;
using SemanticRouter.Neighbors;
using SemanticRouter.Outcomes;
using SemanticRouter.Routes;

namespace SemanticRouter.Core.Tests.Outcomes;

/// <summary>Issue 29: the cost a caller reports is summed with the outcome, survives a reopen, and is recovered from version-2 stores.</summary>
public class OutcomeCostTests
{
    private static readonly UtteranceKey Key = UtteranceKey.Of("coding", "u");
    private static readonly OutcomeCredits Credits = new([new UtteranceCredit(Key, 0.5)], [new RouteCredit("coding", 1)]);

    private static async Task RecordThree(SqliteOutcomeStore store)
    {
        var ct = TestContext.Current.CancellationToken;
        await store.RecordAsync(Outcome.ForRequest("r1", "gpt", 1.0) with { CostUsd = 0.002 }, Credits, ct);
        await store.RecordAsync(Outcome.ForRequest("r2", "gpt", 0.0) with { CostUsd = 0.004 }, Credits, ct);
        await store.RecordAsync(Outcome.ForRequest("r3", "gpt", 1.0), Credits, ct); // no cost: counts as an outcome only
    }

    [Fact]
    public async Task Costs_AreWeightedLikeOutcomes_AndSurviveReopenAndRebuild()
    {
        using var dir = new TempDir();
        var path = dir.File("o.db");
        using (var store = SqliteOutcomeStore.Open(path))
        {
            await RecordThree(store);
            Assert.Equal(0.003, store.ForUtterance(Key, "gpt").MeanCost!.Value, 12);
        }

        using (var store = SqliteOutcomeStore.Open(path))
        {
            var u = store.ForUtterance(Key, "gpt");
            Assert.Equal(1.5, u.Trials, 12);
            Assert.Equal(1.0, u.CostTrials, 12);
            Assert.Equal(0.003, u.MeanCost!.Value, 12);
            Assert.Equal(0.003, store.ForRoute("coding", "gpt").MeanCost!.Value, 12);
            Assert.Null(store.ForUtterance(Key, "coder").MeanCost);
            store.RebuildAggregates();
            Assert.Equal(0.003, store.ForUtterance(Key, "gpt").MeanCost!.Value, 12);
        }
    }

    [Fact]
    public async Task AVersion2Store_GetsItsRecordedCostsSummedWhenOpened()
    {
        using var dir = new TempDir();
        var path = dir.File("o.db");
        using (var store = SqliteOutcomeStore.Open(path))
        {
            await RecordThree(store);
        }

        // Back to version 2: raw rows kept their cost, the aggregates had no cost columns.
        using (var db = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = """
                ALTER TABLE utterance_stats DROP COLUMN cost_sum; ALTER TABLE utterance_stats DROP COLUMN cost_trials;
                ALTER TABLE route_stats DROP COLUMN cost_sum; ALTER TABLE route_stats DROP COLUMN cost_trials;
                PRAGMA user_version = 2;
                """;
            cmd.ExecuteNonQuery();
        }

        using (var store = SqliteOutcomeStore.Open(path))
        {
            Assert.Equal(0.003, store.ForUtterance(Key, "gpt").MeanCost!.Value, 12);
            var u = store.ForUtterance(Key, "gpt");
            Assert.Equal((1.0, 1.5, 1.0), (u.Successes, u.Trials, u.CostTrials)); // 0.5·(1 + 0 + 1), three credits of 0.5, two with a cost
        }
    }

    [Fact]
    public void ATextThatIsAnUtterance_CreditsThatUtteranceAlone()
    {
        var same = new Neighbor(1, UtteranceKey.Of("maths", "What is 2 + 2?"), "maths", "What is 2 + 2?", 1f);
        var near = new Neighbor(2, UtteranceKey.Of("maths", "What is 2 + 3?"), "maths", "What is 2 + 3?", 0.97f);

        // White space and case as route files compare utterances.
        var credits = OutcomeCrediting.FromUtterance("what is 2 +\n 2?", [near, same])!;
        Assert.Equal([same.Key], credits.Utterances.Select(u => u.Key));
        Assert.Equal(1, credits.Utterances[0].Weight);
        Assert.Equal(["maths"], credits.Routes.Select(r => r.Route));

        Assert.Null(OutcomeCrediting.FromUtterance("What is 2 + 5?", [same, near]));
    }
}
