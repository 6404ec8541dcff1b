using SemanticRouter.Outcomes;

namespace SemanticRouter.Core.Tests.Outcomes;

public class RequestLogTests
{
    private static OutcomeCredits Credits(string route) => new([], [new RouteCredit(route, 1)]);

    [Fact]
    public void NewRequestId_Is128BitHex()
    {
        var id = RequestLog.NewRequestId();
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.NotEqual(id, RequestLog.NewRequestId());
    }

    [Fact]
    public void TryGet_AfterTtl_ReturnsFalse()
    {
        var time = new ManualTime();
        var log = new RequestLog(TimeSpan.FromMinutes(10), time: time);
        var id = log.Remember(Credits("a"));
        time.Advance(TimeSpan.FromMinutes(9));
        Assert.True(log.TryGet(id, out var credits));
        Assert.Equal("a", credits.Routes[0].Route);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(log.TryGet(id, out _));
        Assert.False(log.TryGet("unknown", out _));
    }

    [Fact]
    public void Remember_OverCapacity_EvictsOldest()
    {
        var log = new RequestLog(capacity: 2);
        var first = log.Remember(Credits("a"));
        var second = log.Remember(Credits("b"));
        var third = log.Remember(Credits("c"));
        Assert.Equal(2, log.Count);
        Assert.False(log.TryGet(first, out _));
        Assert.True(log.TryGet(second, out _));
        Assert.True(log.TryGet(third, out _));
    }
}
