using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;
using SemanticRouter.RouteHead;
using static SemanticRouter.Core.Tests.Ranking.RankingFixtures;

namespace SemanticRouter.Core.Tests.Ranking;

public class RankerTests
{
    [Fact]
    public void Rank_CodingNeighbours_RanksCodingTargetsFirstWithPriors()
    {
        var ranker = new Ranker(Table());
        var result = ranker.Rank(new RankerInput([N(1, "coding", 0.9f), N(2, "coding", 0.85f), N(3, "maths", 0.5f)]));

        Assert.Equal("coding", result.Match!.Value.Route);
        Assert.False(result.IsAbstained);
        Assert.Equal("coder", result.Models[0].Model);
        Assert.Equal(["coder", "gpt", "math", "small"], result.Models.Select(m => m.Model));
        Assert.Equal(3, result.Neighbors.Count);
        Assert.Equal(1.0, result.Neighbors.Sum(n => n.NormalisedWeight), 12);
        Assert.Equal("coding", result.Models[0].SupportingRoutes[0].Route);
        Assert.Equal(0, result.Models.Single(m => m.Model == "small").Quality); // no route with mass targets it
    }

    [Fact]
    public void Rank_ConfidenceNeverExceedsOne_WhenEveryNeighbourSharesTheRoute()
    {
        var ranker = new Ranker(Table(), new RankingOptions { Temperature = 0.07 });
        var rng = new Random(3);
        for (int trial = 0; trial < 200; trial++)
        {
            var neighbours = Enumerable.Range(1, 10).Select(i => N(i, "coding", (float)(0.3 + (0.7 * rng.NextDouble())))).OrderByDescending(n => n.Similarity).ToArray();
            var match = ranker.Rank(new RankerInput(neighbours)).Match!.Value;
            Assert.InRange(match.Confidence, 0.0, 1.0);
            Assert.Equal(1.0, match.Confidence, 12);
        }
    }

    [Fact]
    public void Rank_WeightsFollowTemperature()
    {
        var ranker = new Ranker(Table(), new RankingOptions { Temperature = 0.1 });
        var result = ranker.Rank(new RankerInput([N(1, "coding", 0.9f), N(2, "maths", 0.8f)]));
        Assert.Equal(1.0, result.Neighbors[0].Weight);
        Assert.Equal(Math.Exp(((double)0.8f - 0.9f) / 0.1), result.Neighbors[1].Weight, 12);
    }

    [Fact]
    public void Rank_WithoutHead_EqualsKnnRouterFormula()
    {
        var rng = new Random(7);
        var table = Table();
        var options = new RankingOptions { Temperature = 0.07, UtteranceSmoothingStrength = 3, RouteSmoothingStrength = 5 };
        var ranker = new Ranker(table, options);
        string[] routes = ["coding", "maths", "chat"];
        for (var trial = 0; trial < 50; trial++)
        {
            var neighbors = Enumerable.Range(0, 10).Select(i => N(i, routes[rng.Next(3)], (float)rng.NextDouble())).ToArray();
            var stats = new FakeStatistics();
            foreach (var n in neighbors)
            {
                foreach (var m in table.Models)
                {
                    var trials = rng.Next(0, 6);
                    stats.Utterances[(n.Key, m)] = new SuccessCounts(rng.Next(0, trials + 1), trials);
                    stats.Routes[(n.Route, m)] = new SuccessCounts(rng.Next(0, 4), 3);
                }
            }

            var result = ranker.Rank(new RankerInput(neighbors) { Statistics = stats });

            double sMax = neighbors.Max(n => n.Similarity);
            foreach (var model in table.Models)
            {
                double num = 0, den = 0;
                foreach (var n in neighbors)
                {
                    var w = Math.Exp((n.Similarity - sMax) / options.Temperature);
                    var q = 0.0;
                    if (table.TryGetPrior(n.Route, model, out var prior))
                    {
                        var routeRate = stats.ForRoute(n.Route, model).Smoothed(prior, options.RouteSmoothingStrength);
                        q = stats.ForUtterance(n.Key, model).Smoothed(routeRate, options.UtteranceSmoothingStrength);
                    }

                    num += w * q;
                    den += w;
                }

                Assert.Equal(num / den, result.Models.Single(m => m.Model == model).Quality, 10);
            }
        }
    }

    [Fact]
    public void Rank_HeadPosterior_BlendsWithAlphaAndCoversRoutesWithoutNeighbours()
    {
        var ranker = new Ranker(Table(), new RankingOptions { RouteHeadWeight = 0.5 });
        var head = new Dictionary<string, double> { ["maths"] = 3, ["coding"] = 1 }; // renormalised to 0.75 / 0.25
        var result = ranker.Rank(new RankerInput([N(1, "coding", 0.9f)])
        {
            RoutePosterior = vote => RouteHeadMath.Blend(head, vote, ranker.Options.RouteHeadWeight),
        });

        Assert.Equal(0.5 + (0.5 * 0.25), result.Routes.Single(r => r.Route == "coding").Confidence, 12);
        Assert.Equal(0.5 * 0.75, result.Routes.Single(r => r.Route == "maths").Confidence, 12);
        var math = result.Models.Single(m => m.Model == "math");
        Assert.Equal(0.375 * 0.95, math.Quality, 12); // maths has no neighbour: its route rate (the prior)
    }

    [Fact]
    public void Rank_BelowThreshold_AbstainsOntoFallbackRoute()
    {
        var ranker = new Ranker(Table(codingThreshold: 0.8), new RankingOptions { FallbackRoute = "chat" });
        var result = ranker.Rank(new RankerInput([N(1, "coding", 0.7f)]));

        Assert.True(result.IsAbstained);
        Assert.Equal("chat", result.FallbackRoute);
        Assert.Equal("coding", result.Match!.Value.Route);
        Assert.Equal(["gpt", "small", "coder", "math"], result.Models.Select(m => m.Model));
        Assert.Equal(0.9, result.Models[0].Quality, 12);
    }

    [Fact]
    public void Rank_AtThreshold_DoesNotAbstain()
    {
        var ranker = new Ranker(Table(codingThreshold: 0.5), new RankingOptions { FallbackRoute = "chat" });
        Assert.False(ranker.Rank(new RankerInput([N(1, "coding", 0.5f)])).IsAbstained);
    }

    [Fact]
    public void Rank_NoNeighbours_AbstainsWithoutMatch()
    {
        var result = new Ranker(Table()).Rank(new RankerInput([]));
        Assert.True(result.IsAbstained);
        Assert.Null(result.Match);
        Assert.Null(result.FallbackRoute);
        Assert.All(result.Models, m => Assert.Equal(0, m.Score));
    }

    [Fact]
    public void Rank_CostWeight_PenalisesExpensiveModels()
    {
        var ranker = new Ranker(Table());
        var neighbors = new[] { N(1, "chat", 0.9f) };
        Assert.Equal("gpt", ranker.Rank(new RankerInput(neighbors)).Models[0].Model);

        var cheap = ranker.Rank(new RankerInput(neighbors) { CostWeight = 1 });
        Assert.Equal("small", cheap.Models[0].Model);
        var gpt = cheap.Models.Single(m => m.Model == "gpt");
        Assert.Equal(1.0, gpt.NormalisedCost, 12);
        Assert.Equal(gpt.Quality - 1.0, gpt.Score, 12);
    }

    [Fact]
    public void Rank_ExpectedCostsOfThisQuery_ReplaceTheCatalogues_OnlyWhenTheyCoverEveryCandidate()
    {
        var ranker = new Ranker(Table());
        var neighbors = new[] { N(1, "chat", 0.9f) };

        // The catalogue says gpt costs 100 times small; this query's calls say gpt is the cheaper one.
        var expected = new Dictionary<string, double> { ["gpt"] = 0.001, ["small"] = 0.004, ["coder"] = 0.002, ["math"] = 0.003 };
        var result = ranker.Rank(new RankerInput(neighbors) { CostWeight = 1, ExpectedCosts = expected });
        Assert.Equal("gpt", result.Models[0].Model);
        Assert.Equal(0.25, result.Models.Single(m => m.Model == "gpt").NormalisedCost, 12);
        Assert.Equal(1.0, result.Models.Single(m => m.Model == "small").NormalisedCost, 12);

        // The same choice as the evaluation's, from the same estimates (models in ordinal order).
        var ordered = result.Models.OrderBy(m => m.Model, StringComparer.Ordinal).ToArray();
        var pick = CostTerm.Choose([.. ordered.Select(m => m.Quality)], [.. ordered.Select(m => expected[m.Model])], 1);
        Assert.Equal(result.Models[0].Model, ordered[pick].Model);

        // Partial coverage would compare dollars with catalogue units: the catalogue decides.
        var partial = ranker.Rank(new RankerInput(neighbors) { CostWeight = 1, ExpectedCosts = new Dictionary<string, double> { ["gpt"] = 0.001 } });
        Assert.Equal("small", partial.Models[0].Model);
        Assert.Throws<ArgumentException>(() => ranker.Rank(new RankerInput(neighbors) { ExpectedCosts = expected.ToDictionary(e => e.Key, e => e.Key == "gpt" ? -1.0 : e.Value) }));
    }

    [Fact]
    public void Rank_CandidatesAndExclusions_AreRespected()
    {
        var ranker = new Ranker(Table());
        var result = ranker.Rank(new RankerInput([N(1, "coding", 0.9f)]) { Candidates = ["gpt", "coder", "small"], Excluded = ["coder"] });
        Assert.Equal(["gpt", "small"], result.Models.Select(m => m.Model));
        // Cost normalised by the max over candidates: gpt is the most expensive candidate.
        Assert.Equal(1.0, result.Models[0].NormalisedCost);
    }

    [Fact]
    public void Rank_ExclusionsLeavingNoModel_AreRefusedNotAnsweredEmpty()
    {
        var ranker = new Ranker(Table());
        var e = Assert.Throws<RouterException>(() => ranker.Rank(new RankerInput([N(1, "coding", 0.9f)]) { Candidates = ["gpt", "coder"], Excluded = ["coder", "gpt"] }));
        Assert.Equal(RouterErrorCode.InvalidArgument, e.Code);
        Assert.Equal("no model left to rank: excluded removes every one of the 2 candidate models.", e.Message);
    }

    [Fact]
    public void Rank_UnknownCandidate_Throws()
    {
        var ranker = new Ranker(Table());
        var e = Assert.Throws<UnknownModelException>(() => ranker.Rank(new RankerInput([]) { Candidates = ["nope"] }));
        Assert.Equal("nope", e.Model);
        Assert.Throws<UnknownModelException>(() => ranker.Rank(new RankerInput([]) { Excluded = ["nope"] }));
    }

    [Fact]
    public void Rank_OnlyKNeighboursVote()
    {
        var ranker = new Ranker(Table(), new RankingOptions { K = 2 });
        var result = ranker.Rank(new RankerInput([N(1, "maths", 0.1f), N(2, "coding", 0.9f), N(3, "coding", 0.8f)]));
        Assert.Equal(2, result.Neighbors.Count);
        Assert.DoesNotContain(result.Routes, r => r.Route == "maths");
        Assert.Single(new Ranker(Table()).Rank(new RankerInput([N(1, "maths", 0.1f), N(2, "coding", 0.9f)]) { K = 1 }).Neighbors);
    }

    [Fact]
    public void Rank_UtteranceOutcomes_MoveScoresTowardsObservedSuccess()
    {
        var ranker = new Ranker(Table());
        var n = N(1, "coding", 0.9f);
        var stats = new FakeStatistics();
        stats.Utterances[(n.Key, "coder")] = new SuccessCounts(0, 100); // coder always fails here
        var result = ranker.Rank(new RankerInput([n]) { Statistics = stats });
        Assert.Equal("gpt", result.Models[0].Model);
        Assert.True(result.Models.Single(m => m.Model == "coder").Quality < 0.05);
    }

    [Fact]
    public void Options_RejectInvalidValues()
    {
        var o = new RankingOptions();
        Assert.Throws<ArgumentOutOfRangeException>(() => o.K = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.Temperature = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.CostWeight = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.RouteHeadWeight = 1.5);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.ConversationDecay = 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => o.UtteranceSmoothingStrength = double.NaN);
        Assert.Throws<ArgumentException>(() => new Ranker(Table(), new RankingOptions { FallbackRoute = "nope" }));
    }

    [Fact]
    public void RoutingTable_RejectsBadPriorsAndDuplicates()
    {
        Assert.Throws<ArgumentException>(() => new RoutingTable([new RouteTargets("a", [new("m", 1.5)])]));
        Assert.Throws<ArgumentException>(() => new RoutingTable([new RouteTargets("a", []), new RouteTargets("a", [])]));
        Assert.Throws<ArgumentException>(() => new RoutingTable([new RouteTargets("a", [new("m", 0.5), new("m", 0.4)])]));
    }
}
