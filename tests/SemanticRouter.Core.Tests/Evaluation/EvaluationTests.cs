using SemanticRouter.Core.Tests.RouteHead;
using SemanticRouter.Evaluation;
using SemanticRouter.Index;
using SemanticRouter.RouteHead;

namespace SemanticRouter.Core.Tests.Evaluation;

public class ClassificationReportTests
{
    [Fact]
    public void CountsAbstentionAsWrongAndScoresOutOfScope()
    {
        string?[] gold = ["a", "a", "b", "b", null, null];
        string?[] pred = ["a", null, "b", "a", null, "b"];
        string?[] noAbstain = ["a", "a", "b", "a", "a", "b"];
        var r = ClassificationReport.Compute(gold, pred, noAbstain);
        Assert.Equal(0.5, r.Accuracy, 6);           // a, b right of 4 in-scope
        Assert.Equal(0.75, r.AccuracyNoAbstain, 6);
        Assert.Equal(0.5, r.OosPrecision, 6);       // 2 abstentions, 1 on an oos item
        Assert.Equal(0.5, r.OosRecall, 6);          // 2 oos items, 1 abstained on
        Assert.Equal(6, r.N);
        // F1(a): tp 1, fp 1 (b→a), fn 1 (abstained) = 0.5; F1(b): tp 1, fp 1 (oos→b), fn 1 = 0.5
        Assert.Equal(0.5, r.MacroF1, 6);
        Assert.Equal(new ConfusedPair("b", "a", 1), Assert.Single(r.MostConfused));
    }
}

public class RouteLlmMetricsTests
{
    [Fact]
    public void OracleBeatsRandomAndMatchesHandComputedCurve()
    {
        // 4 prompts: only prompt 0 needs the strong model.
        double[] weak = [0, 1, 1, 0];
        double[] strong = [1, 1, 1, 0];
        double[] oracle = [1, 0, 0, 0];
        var m = RouteLlmMetrics.Compute(oracle, weak, strong, points: 4);
        Assert.Equal(0.5, m.WeakQuality, 6);
        Assert.Equal(0.75, m.StrongQuality, 6);
        // edges 0,0,0,0.25,1: ≥0 → all strong; >1 at the last edge → none. ≥0.25 → prompt 0 only (25 %).
        Assert.Contains(m.Curve, p => p.StrongShare == 0.25 && p.Quality == 0.75);
        Assert.Equal(0.25 * 0.5, m.Cpt50, 6);   // interpolated between (0, .5) and (.25, .75)
        Assert.True(m.Apgr > 0.8);
    }

    [Fact]
    public void RandomScoresGiveAboutHalf()
    {
        var rng = new Random(1);
        var n = 20000;
        var weak = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.6 ? 1.0 : 0).ToArray();
        var strong = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.8 ? 1.0 : 0).ToArray();
        var scores = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
        var m = RouteLlmMetrics.Compute(scores, weak, strong);
        Assert.InRange(m.Apgr, 0.45, 0.55);
        Assert.InRange(m.Cpt50, 0.4, 0.6);
    }

    [Fact]
    public void QuantileMatchesNumpyLinear()
    {
        double[] sorted = [1, 2, 3, 4];
        Assert.Equal(1.75, RouteLlmMetrics.Quantile(sorted, 0.25), 9);
        Assert.Equal(4, RouteLlmMetrics.Quantile(sorted, 1), 9);
    }
}

public class CrossValidationTests
{
    [Fact]
    public void StratifiedFoldsAreBalancedAndSeeded()
    {
        var labels = Enumerable.Range(0, 100).Select(i => i % 4).ToArray();
        var a = CrossValidation.StratifiedFolds(labels, 5, seed: 3);
        Assert.Equal(a, CrossValidation.StratifiedFolds(labels, 5, seed: 3));
        for (var f = 0; f < 5; f++)
        {
            for (var l = 0; l < 4; l++)
            {
                Assert.Equal(5, Enumerable.Range(0, 100).Count(i => a[i] == f && labels[i] == l));
            }
        }
    }
}

public class RouteHeadFitterTests
{
    [Fact]
    public void FitsBlendAndAbstentionOnSyntheticRoutes()
    {
        var (x, y) = RouteClassifierTests.Blobs(40, 4, 16, 0.8, 11);
        var (vx, vy) = RouteClassifierTests.Blobs(10, 4, 16, 0.8, 11); // same centres (same seed), new noise is not needed for the check
        var oos = RouteClassifierTests.Blobs(10, 1, 16, 0.8, 99).X;
        var validation = vx.Concat(oos).ToArray();
        var labels = vy.Concat(Enumerable.Repeat(-1, 10)).ToArray();
        var options = new RouteHeadFitOptions { KValues = [1, 5], TemperatureValues = [0.05], RouteHeadWeightValues = [0, 0.5, 1], HeadTemperatureValues = [1], HeadL2Values = [1e-3], Threads = 2, MaxAccuracyLoss = 0.05 };
        var p = RouteHeadFitter.Fit(["a", "b", "c", "d"], x, y, validation, labels, options);
        Assert.Contains(p.K, options.KValues);
        Assert.NotEqual("none", p.AbstainRule);
        Assert.True(p.FitMetrics["heldout_accuracy"] > 0.9);
        var json = p.ToJson();
        Assert.Equal(p.K, RouteHeadParameters.FromJson(json).K);

        var cv = RouteHeadFitter.Fit(["a", "b", "c", "d"], x, y, null, null, options);
        Assert.Equal("none", cv.AbstainRule);
        Assert.Contains("CV", cv.FittedOn, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1e-3, true, 3e-3)]
    [InlineData(3e-3, true, 1e-2)]
    [InlineData(1e-2, true, 3e-2)]
    [InlineData(1e-4, false, 3e-5)]
    [InlineData(3e-5, false, 1e-5)]
    [InlineData(3e-4, false, 1e-4)]
    public void HalfDecadeStepsAlongOneThreeTen(double from, bool up, double expected) =>
        Assert.Equal(expected, RouteHeadFitter.HalfDecade(from, up));

    [Fact]
    public void L2OptimumAtTheGridEdge_WalksOnOneHalfDecadeAtATime()
    {
        // Five noisy examples per class in 32 dimensions: held-out accuracy moves with L2 here
        // (0.815 at 1e-4, 0.8175 at 1e-3, 0.8225 at 1e-2), so the optimum of a two-point grid sits on its edge.
        var (x, y) = RouteClassifierTests.Blobs(5, 4, 32, 2.0, 5);
        var (vx, vy) = RouteClassifierTests.Blobs(105, 4, 32, 2.0, 5);
        vx = vx[(20 * 32)..];
        vy = vy[20..];
        var options = new RouteHeadFitOptions { KValues = [1], TemperatureValues = [0.05], RouteHeadWeightValues = [1], HeadTemperatureValues = [1], HeadL2Values = [1e-4, 3e-4], Threads = 1 };
        var tried = new List<double>();
        void Record(string line)
        {
            if (line.StartsWith("head L2 = ", StringComparison.Ordinal))
            {
                tried.Add(double.Parse(line["head L2 = ".Length..], System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        var p = RouteHeadFitter.Fit(["a", "b", "c", "d"], x, y, vx, vy, options, Record);

        Assert.Equal([1e-4, 3e-4], tried.Take(2));
        Assert.InRange(tried.Count, 3, 2 + options.HeadL2Extensions);
        for (int i = 2; i < tried.Count; i++)
        {
            // Each extra strength is one step past the top or below the bottom of those before it.
            var before = tried.Take(i).ToList();
            double expected = tried[i] > before.Max() ? RouteHeadFitter.HalfDecade(before.Max(), up: true) : RouteHeadFitter.HalfDecade(before.Min(), up: false);
            Assert.Equal(expected, tried[i]);
        }

        Assert.Contains(p.HeadL2, tried);

        tried.Clear();
        RouteHeadFitter.Fit(["a", "b", "c", "d"], x, y, vx, vy, options with { HeadL2Extensions = 0 }, Record);
        Assert.Equal([1e-4, 3e-4], tried);
    }

    [Fact]
    public void VotingBaselines()
    {
        VectorHit[] hits = [new(0, 0.9f), new(1, 0.8f), new(2, 0.7f)];
        int[] rowRoute = [0, 1, 1];
        Assert.Equal(1, RouteVoting.MajorityVote(hits, rowRoute, 3));
        Assert.Equal(0, RouteVoting.MajorityVote(hits, rowRoute, 2)); // tie → nearer neighbour
        Assert.Equal(0, RouteVoting.SemanticRouterMean(hits, rowRoute, 3).Route); // 0.9 vs 0.75
        var p = new float[2];
        RouteHeadMath.KnnVote(hits, rowRoute, 3, double.PositiveInfinity, p);
        Assert.Equal(2f / 3, p[1], 5);
    }
}

public class EmbeddingCacheTests
{
    [Fact]
    public void RoundTripsAndDropsTornRecords()
    {
        var dir = Path.Combine(Path.GetTempPath(), "sr-cache-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var cache = EmbeddingCache.Open(dir, "fp", 2);
            var calls = 0;
            var m = cache.GetOrEmbed(["x", "y", "x"], t => { calls++; return t.Select(s => s == "x" ? new[] { 1f, 0f } : new[] { 0f, 1f }).ToArray(); });
            Assert.Equal(new[] { 1f, 0, 0, 1, 1, 0 }, m);
            Assert.Equal(1, calls);
            File.AppendAllText(Path.Combine(dir, "fp-2.f32"), "torn");
            var again = EmbeddingCache.Open(dir, "fp", 2);
            Assert.Equal(2, again.Count);
            Assert.True(again.TryGet("y", out var v) && v[1] == 1f);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
