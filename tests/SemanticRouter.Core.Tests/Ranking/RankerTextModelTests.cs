using SemanticRouter.Neighbors;
using SemanticRouter.Ranking;
using static SemanticRouter.Core.Tests.Ranking.RankingFixtures;

namespace SemanticRouter.Core.Tests.Ranking;

/// <summary>How the text outcome model's estimates enter a ranking: Quality = (1 − λ_t)·neighbours + λ_t·P̂_text.</summary>
public class RankerTextModelTests
{
    private static readonly Neighbor[] Coding = [N(1, "coding", 0.9f), N(2, "coding", 0.85f)];

    [Fact]
    public void Rank_BlendsTheTextEstimateWithWeightLambda()
    {
        var plain = new Ranker(Table(), new RankingOptions { TextModelWeight = 0 }).Rank(new RankerInput(Coding));
        var ranker = new Ranker(Table(), new RankingOptions { TextModelWeight = 0.4 });
        var blended = ranker.Rank(new RankerInput(Coding) { TextEstimates = new Dictionary<string, double> { ["coder"] = 0.1 } });

        var before = plain.Models.Single(m => m.Model == "coder");
        var after = blended.Models.Single(m => m.Model == "coder");
        Assert.Equal((0.6 * before.Quality) + (0.4 * 0.1), after.Quality, 12);
        Assert.Equal(0.1, after.TextEstimate);
        Assert.Equal(before.SupportingRoutes, after.SupportingRoutes); // they still explain the neighbours' part

        // coder (0.9 prior) drops under gpt (0.8 prior, no text estimate: left as it was)
        Assert.Equal("gpt", blended.Models[0].Model);
        Assert.Null(blended.Models[0].TextEstimate);
        Assert.Equal(plain.Models.Single(m => m.Model == "gpt").Quality, blended.Models[0].Quality, 12);
    }

    [Fact]
    public void Rank_TextEstimateNeverLiftsAModelNoMatchedRouteTargets()
    {
        var ranker = new Ranker(Table(), new RankingOptions { TextModelWeight = 0.5 });
        var result = ranker.Rank(new RankerInput(Coding) { TextEstimates = new Dictionary<string, double> { ["small"] = 1.0 } });
        var small = result.Models.Single(m => m.Model == "small");
        Assert.Equal(0, small.Quality);
        Assert.Null(small.TextEstimate);
    }

    [Fact]
    public void Rank_Abstaining_RanksTheFallbackWithoutTheTextModel()
    {
        var ranker = new Ranker(Table(codingThreshold: 0.95), new RankingOptions { TextModelWeight = 0.5, FallbackRoute = "chat" });
        var result = ranker.Rank(new RankerInput(Coding) { TextEstimates = new Dictionary<string, double> { ["small"] = 0.0, ["gpt"] = 0.0 } });
        Assert.True(result.IsAbstained);
        Assert.All(result.Models, m => Assert.Null(m.TextEstimate));
        Assert.Equal("gpt", result.Models[0].Model);
        Assert.Equal(0.9, result.Models[0].Quality, 12);
    }

    [Fact]
    public void Rank_WeightZeroOrNoEstimates_IsUnchanged()
    {
        var estimates = new Dictionary<string, double> { ["coder"] = 0.0, ["gpt"] = 1.0 };
        var off = new Ranker(Table(), new RankingOptions { TextModelWeight = 0 }).Rank(new RankerInput(Coding) { TextEstimates = estimates });
        var none = new Ranker(Table()).Rank(new RankerInput(Coding));
        Assert.Equal(none.Models.Select(m => (m.Model, m.Quality)), off.Models.Select(m => (m.Model, m.Quality)));
        Assert.All(off.Models, m => Assert.Null(m.TextEstimate));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(1.5)]
    [InlineData(-0.2)]
    public void Rank_InvalidEstimate_IsIgnored(double estimate)
    {
        var ranker = new Ranker(Table(), new RankingOptions { TextModelWeight = 0.5 });
        var result = ranker.Rank(new RankerInput(Coding) { TextEstimates = new Dictionary<string, double> { ["coder"] = estimate } });
        Assert.Null(result.Models.Single(m => m.Model == "coder").TextEstimate);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void TextModelWeight_OutOfRange_Throws(double weight) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RankingOptions { TextModelWeight = weight });
}
