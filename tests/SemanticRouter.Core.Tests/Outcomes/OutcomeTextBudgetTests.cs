using SemanticRouter.Outcomes;
using SemanticRouter.Routes;

namespace SemanticRouter.Core.Tests.Outcomes;

/// <summary>
/// A text outcome model refit reads the newest outcomes with text, bounded by count and by the characters of
/// their texts together (RouterEngineOptions.TextModelMaxTextChars): long texts cannot make it read gigabytes.
/// </summary>
public class OutcomeTextBudgetTests
{
    private static readonly OutcomeCredits Credits = new([new UtteranceCredit(UtteranceKey.Of("coding", "u"), 1)], [new RouteCredit("coding", 1)]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadTextOutcomes_TakesTheNewestThatFitTheTextBudget_OldestFirst()
    {
        using var dir = new TempDir();
        using var store = SqliteOutcomeStore.Open(dir.File("o.db"));
        // Oldest to newest: 100, 300, 200 and 50 characters; one outcome without text in between.
        foreach (var (text, model) in new[] { (new string('a', 100), "m1"), (new string('b', 300), "m2"), (new string('c', 200), "m3"), (new string('d', 50), "m4") })
        {
            await store.RecordAsync(Outcome.ForQuery(text, model, 1.0), Credits, Ct);
            await store.RecordAsync(Outcome.ForRequest($"r-{model}", model, 0.0), Credits, Ct);
        }

        Assert.Equal(["m1", "m2", "m3", "m4"], (await store.ReadTextOutcomesAsync(10, long.MaxValue, Ct)).Select(o => o.Model));
        Assert.Equal(["m3", "m4"], (await store.ReadTextOutcomesAsync(10, 250, Ct)).Select(o => o.Model)); // 50 + 200 fit; + 300 would not
        Assert.Equal(["m3", "m4"], (await store.ReadTextOutcomesAsync(10, 549, Ct)).Select(o => o.Model)); // nothing older once one does not fit
        Assert.Equal(["m2", "m3", "m4"], (await store.ReadTextOutcomesAsync(10, 550, Ct)).Select(o => o.Model)); // exactly the budget
        Assert.Equal(["m4"], (await store.ReadTextOutcomesAsync(1, long.MaxValue, Ct)).Select(o => o.Model)); // the count bounds it too
        Assert.Empty(await store.ReadTextOutcomesAsync(10, 49, Ct)); // the newest text alone is over the budget: none is read
    }
}
