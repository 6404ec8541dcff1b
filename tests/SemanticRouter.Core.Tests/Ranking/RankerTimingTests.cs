using System.Diagnostics;
using System.Globalization;
using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;

namespace SemanticRouter.Core.Tests.Ranking;

/// <summary>How long one ranking takes (run on demand with <c>-- --explicit only</c>; Release for real figures).</summary>
public class RankerTimingTests
{
    [Fact(Explicit = true)]
    public void Rank_TenNeighboursTwentyRoutesTenModels_Microseconds()
    {
        var routes = Enumerable.Range(0, 20).Select(r => new RouteTargets($"r{r}", [.. Enumerable.Range(0, 3).Select(m => new TargetPrior($"m{(r + m) % 10}", 0.5))])).ToArray();
        var ranker = new Ranker(new RoutingTable(routes, Enumerable.Range(0, 10).Select(m => new ModelCost($"m{m}", m, 2 * m))));
        var stats = new OutcomeStatistics();
        var neighbors = Enumerable.Range(0, 10).Select(i => RankingFixtures.N(i, $"r{i % 4}", 0.9f - (i * 0.01f))).ToArray();
        foreach (var n in neighbors)
        {
            stats.Apply("m1", 1, new OutcomeCredits([new UtteranceCredit(n.Key, 0.1)], [new RouteCredit(n.Route, 1)]));
        }

        var request = new RankingRequest(neighbors) { Statistics = stats, CostWeight = 0.1 };
        for (var i = 0; i < 10_000; i++)
        {
            ranker.Rank(request);
        }

        const int N = 100_000;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < N; i++)
        {
            ranker.Rank(request);
        }

        var micros = clock.Elapsed.TotalMicroseconds / N;
        var report = string.Create(CultureInfo.InvariantCulture, $"Ranker.Rank: {micros:F1} µs per ranking (k=10, 20 routes, 10 models)");
        TestContext.Current.TestOutputHelper!.WriteLine(report);
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "semantic-router-rank-timing.txt"), report + "\n");
        Assert.True(micros < 1000, report);
    }
}
