using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;
using static SemanticRouter.Core.Tests.Ranking.RankingFixtures;

namespace SemanticRouter.Core.Tests.Ranking;

/// <summary>Issue 29: the cost term from observed costs, the quality head, left-out models, β_u = 0.</summary>
public class ObservedCostRankingTests
{
    private static SuccessCounts Observed(double score, double cost) => SuccessCounts.None.Add(score, 1, cost);

    [Fact]
    public void Rank_CostsEachModelAtItsNeighboursObservedMeanCost_WeightedAsTheirOutcomes()
    {
        var ranker = new Ranker(Table(), new RankingOptions { Temperature = 0.1, UtteranceSmoothingStrength = 0 });
        var a = N(1, "chat", 0.9f);
        var b = N(2, "chat", 0.8f);
        var stats = new FakeStatistics();
        // The catalogue prices gpt at 100 × small; these calls cost gpt less than small.
        stats.Utterances[(a.Key, "gpt")] = Observed(1, 0.001);
        stats.Utterances[(b.Key, "gpt")] = Observed(1, 0.003);
        foreach (var m in new[] { "small", "coder", "math" })
        {
            stats.Utterances[(a.Key, m)] = Observed(1, 0.004);
            stats.Utterances[(b.Key, m)] = Observed(1, 0.004);
        }

        var result = ranker.Rank(new RankerInput([a, b]) { Statistics = stats, CostWeight = 1 });
        var wb = Math.Exp(((double)0.8f - 0.9f) / 0.1);
        var gptCost = ((1 * 0.001) + (wb * 0.003)) / (1 + wb);
        Assert.Equal(gptCost / 0.004, result.Models.Single(m => m.Model == "gpt").NormalisedCost, 12);
        Assert.Equal("gpt", result.Models[0].Model);
        // The expected cost of this call, as recorded (US dollars), is reported beside the normalised one.
        Assert.Equal(gptCost, result.Models.Single(m => m.Model == "gpt").ExpectedCost!.Value, 15);
        Assert.Equal(0.004, result.Models.Single(m => m.Model == "small").ExpectedCost!.Value, 15);
    }

    [Fact]
    public void Rank_UsesTheCatalogue_WhenSomeCandidateHasNoObservedCost()
    {
        var ranker = new Ranker(Table());
        var a = N(1, "chat", 0.9f);
        var stats = new FakeStatistics();
        stats.Utterances[(a.Key, "gpt")] = Observed(1, 0.001); // the others have none: dollars against catalogue units would mislead
        var result = ranker.Rank(new RankerInput([a]) { Statistics = stats, CostWeight = 1 });
        Assert.Equal(1.0, result.Models.Single(m => m.Model == "gpt").NormalisedCost, 12); // the catalogue's priciest
        Assert.All(result.Models, m => Assert.Null(m.ExpectedCost)); // catalogue prices are not a call's cost
    }

    [Fact]
    public void Rank_FallsBackToTheRoutesObservedCost_WhenNoNeighbourHasOne()
    {
        var ranker = new Ranker(Table());
        var stats = new FakeStatistics();
        foreach (var (m, c) in new[] { ("gpt", 0.001), ("small", 0.002), ("coder", 0.002), ("math", 0.002) })
        {
            stats.Routes[("chat", m)] = Observed(1, c);
        }

        var result = ranker.Rank(new RankerInput([N(1, "chat", 0.9f)]) { Statistics = stats, CostWeight = 1 });
        Assert.Equal(0.5, result.Models.Single(m => m.Model == "gpt").NormalisedCost, 12);
        Assert.Equal(0.001, result.Models.Single(m => m.Model == "gpt").ExpectedCost!.Value, 15);
    }

    [Fact]
    public void Rank_WithoutUtteranceSmoothing_AnUtteranceWithoutOutcomesTakesItsRoutesRate_NotNaN()
    {
        var ranker = new Ranker(Table(), new RankingOptions { UtteranceSmoothingStrength = 0, RouteSmoothingStrength = 0 });
        var result = ranker.Rank(new RankerInput([N(1, "chat", 0.9f)]) { Statistics = new FakeStatistics() });
        Assert.All(result.Models, m => Assert.True(double.IsFinite(m.Quality)));
        Assert.Equal(0.9, result.Models.Single(m => m.Model == "gpt").Quality, 12); // the route's prior
    }

    [Fact]
    public void Rank_BlendsTheQualityHead_ClampsIt_AndLeavesOutTheLeftOutModels()
    {
        var ranker = new Ranker(Table(), new RankingOptions { QualityHeadWeight = 0.5, LeftOutModels = ["small"], TextModelWeight = 0 });
        var head = new Dictionary<string, double> { ["gpt"] = 2.0, ["small"] = 1, ["coder"] = 0, ["math"] = 0 };
        var result = ranker.Rank(new RankerInput([N(1, "chat", 0.9f)]) { HeadEstimates = head });
        Assert.DoesNotContain(result.Models, m => m.Model == "small");
        Assert.Equal(1.0, result.Models.Single(m => m.Model == "gpt").Quality, 12); // (0.9 + 2) / 2, clamped
        Assert.Equal(0, result.Models.Single(m => m.Model == "coder").Quality, 12); // no matched route targets it: the head does not speak

        var named = ranker.Rank(new RankerInput([N(1, "chat", 0.9f)]) { HeadEstimates = head, Candidates = ["small"] });
        Assert.Equal(["small"], named.Models.Select(m => m.Model)); // left out by default, not when asked for
    }

    [Fact]
    public void CostTerm_Choose_ALeftOutModel_NeitherWinsNorSetsTheLargestCost()
    {
        // Model 2 (quality −∞) is the priciest: the others' costs are normalised by model 1's.
        double[] quality = [0.5, 0.9, double.NegativeInfinity];
        double[] cost = [0.1, 1, 100];
        Assert.Equal(1, CostTerm.Choose(quality, cost, 0.3));  // 0.9 − 0.3 > 0.5 − 0.03
        Assert.Equal(0, CostTerm.Choose(quality, cost, 0.5));  // 0.9 − 0.5 < 0.5 − 0.05
    }
}
