using SemanticRouter.Outcomes;
using SemanticRouter.Outcomes.Redis;
using SemanticRouter.Routes;

namespace SemanticRouter.Server.Tests.Replicas;

/// <summary>
/// The Redis outcome store against a real redis-server, two stores standing for two replicas: sharing,
/// idempotency across them, Redis down (UNAVAILABLE at once, statistics kept) and back (catch-up, nothing
/// acknowledged lost), and the refusal of a Redis that would lose acknowledged writes.
/// </summary>
[Trait("Category", "EndToEnd")] // starts redis-server: ./test.sh --all
public class RedisOutcomeStoreTests
{
    private static readonly UtteranceKey Key = UtteranceKey.Of("coding", "u");
    private static readonly OutcomeCredits Credits = new([new UtteranceCredit(Key, 1)], [new RouteCredit("coding", 1)]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static RedisOutcomeStore Open(RedisServer redis, string prefix = "t") =>
        RedisOutcomeStore.Open(new RedisOutcomeStoreOptions { Configuration = redis.Configuration, KeyPrefix = prefix, PollInterval = TimeSpan.FromMilliseconds(50) });

    [Fact]
    public async Task TwoReplicas_ShareOutcomes_AndCountAReplayedKeyOnce()
    {
        await using var redis = await RedisServer.StartAsync();
        using var a = Open(redis);
        using var b = Open(redis);
        var first = await a.RecordAsync(Outcome.ForRequest("r1", "gpt", 1.0), Credits, Ct);
        Assert.False(first.Replayed);
        Assert.Equal(new SuccessCounts(1, 1), a.ForRoute("coding", "gpt")); // its own at once

        await Eventually(() => b.ForRoute("coding", "gpt") == new SuccessCounts(1, 1), "B never saw A's outcome");

        // The same report at the other replica: the first answer, nothing counted, anywhere.
        var replay = await b.RecordAsync(Outcome.ForRequest("r1", "gpt", 0.0), Credits, Ct);
        Assert.True(replay.Replayed);
        Assert.Equal(first.Id, replay.Id);
        Assert.Equal(1.0, replay.Score);
        Assert.NotNull(await b.FindAsync(first.IdempotencyKey!, Ct));
        await Task.Delay(300, Ct); // several poll intervals: nothing more arrives
        Assert.Equal(new SuccessCounts(1, 1), a.ForRoute("coding", "gpt"));
        Assert.Equal(new SuccessCounts(1, 1), b.ForRoute("coding", "gpt"));
        Assert.Equal(1, a.Count);
        Assert.Equal(1, b.Count);

        // Text outcomes (for the text model) come back oldest first from either replica.
        await b.RecordAsync(Outcome.ForQuery("fix this bug", "claude", 0.5) with { CostUsd = 0.01 }, Credits, Ct);
        var texts = await a.ReadTextOutcomesAsync(10, long.MaxValue, Ct);
        Assert.Equal([new TextOutcome("fix this bug", "claude", 0.5)], texts);
    }

    [Fact]
    public async Task ReadTextOutcomes_StopsAtTheTextBudget()
    {
        await using var redis = await RedisServer.StartAsync();
        using var a = Open(redis);
        foreach (var (text, model) in new[] { (new string('a', 100), "m1"), (new string('b', 300), "m2"), (new string('c', 200), "m3"), (new string('d', 50), "m4") })
        {
            await a.RecordAsync(Outcome.ForQuery(text, model, 1.0), Credits, Ct);
        }

        Assert.Equal(["m1", "m2", "m3", "m4"], (await a.ReadTextOutcomesAsync(10, long.MaxValue, Ct)).Select(o => o.Model));
        Assert.Equal(["m3", "m4"], (await a.ReadTextOutcomesAsync(10, 549, Ct)).Select(o => o.Model)); // the newest that fit, oldest first
        Assert.Equal(["m2", "m3", "m4"], (await a.ReadTextOutcomesAsync(10, 550, Ct)).Select(o => o.Model));
        Assert.Empty(await a.ReadTextOutcomesAsync(10, 49, Ct));
    }

    [Fact]
    public async Task RedisDown_RecordIsUnavailable_StatisticsKept_ThenCatchesUp_NothingAcknowledgedLost()
    {
        await using var redis = await RedisServer.StartAsync();
        using var a = Open(redis);
        using var b = Open(redis);
        for (int i = 0; i < 20; i++)
        {
            await a.RecordAsync(Outcome.ForRequest($"before-{i}", "gpt", 1.0), Credits, Ct);
        }

        await Eventually(() => b.Count == 20, "B did not catch up before the outage");
        await redis.KillAsync();

        var refused = await Assert.ThrowsAsync<OutcomeStoreUnavailableException>(() => a.RecordAsync(Outcome.ForRequest("during", "gpt", 0.0), Credits, Ct));
        Assert.Equal(RouterErrorCode.Unavailable, refused.Code);
        Assert.DoesNotContain('\n', refused.Message);
        Assert.Equal(new SuccessCounts(20, 20), a.ForRoute("coding", "gpt")); // rankings go on from memory
        Assert.Equal(new SuccessCounts(20, 20), b.ForRoute("coding", "gpt"));
        await Eventually(() => !b.IsCaughtUp, "B did not notice the outage");

        await redis.StartAgainAsync(); // same data directory: the AOF brings every acknowledged outcome back
        await Eventually(async () =>
        {
            try
            {
                await a.RecordAsync(Outcome.ForRequest("after", "gpt", 0.0), Credits, Ct);
                return true;
            }
            catch (OutcomeStoreUnavailableException)
            {
                return false; // still reconnecting
            }
        }, "A could not record after Redis came back");

        await Eventually(() => b.Count == 21 && b.IsCaughtUp, "B did not catch up after Redis came back");
        Assert.Equal(new SuccessCounts(20, 21), b.ForRoute("coding", "gpt"));
        using var c = Open(redis); // a replica started afterwards reads everything
        Assert.Equal(21, c.Count);
        for (int i = 0; i < 20; i++)
        {
            Assert.True((await c.RecordAsync(Outcome.ForRequest($"before-{i}", "gpt", 1.0), Credits, Ct)).Replayed);
        }
    }

    [Fact]
    public async Task RedisWithoutFsyncedAof_IsRefused_WithOneLine()
    {
        await using var redis = await RedisServer.StartAsync(durable: false);
        var e = Assert.Throws<OutcomeStoreUnavailableException>(() => Open(redis));
        Assert.Contains("appendonly", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void UnreachableRedis_IsRefused_WithOneLine()
    {
        var e = Assert.Throws<OutcomeStoreUnavailableException>(() => RedisOutcomeStore.Open(new RedisOutcomeStoreOptions
        {
            Configuration = "127.0.0.1:1,password=secret-value",
            ConnectTimeout = TimeSpan.FromSeconds(1),
        }));
        Assert.DoesNotContain("secret-value", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    internal static Task Eventually(Func<bool> condition, string failure) => Eventually(() => Task.FromResult(condition()), failure);

    internal static async Task Eventually(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(20);
        }
    }
}
