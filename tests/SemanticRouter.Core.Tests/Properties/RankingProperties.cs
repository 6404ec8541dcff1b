using FsCheck.Xunit;
using SemanticRouter.Core.Tests.Ranking;
using SemanticRouter.Neighbors;
using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;
using SemanticRouter.RouteHead;
using static SemanticRouter.Core.Tests.Ranking.RankingFixtures;

namespace SemanticRouter.Core.Tests.Properties;

/// <summary>Ranking invariants over random neighbourhoods, statistics and options (FsCheck drives the seeds).</summary>
public class RankingProperties
{
    private static readonly string[] RouteNames = ["coding", "maths", "chat"];

    // A route head's posterior, blended into the neighbours' vote at the options' α (as the engine does).
    private static RoutePosteriorFunction? Head(Dictionary<string, double>? head, RankingOptions options) =>
        head is null ? null : vote => RouteHeadMath.Blend(head, vote, options.RouteHeadWeight);

    private static (Neighbor[] Neighbors, FakeStatistics Stats) Scenario(int seed, bool utteranceStats = true)
    {
        var rng = new Random(seed);
        var neighbors = Enumerable.Range(0, rng.Next(1, 12))
            .Select(i => N(i, RouteNames[rng.Next(3)], (float)((rng.NextDouble() * 2) - 1)))
            .ToArray();
        var stats = new FakeStatistics();
        foreach (var n in neighbors)
        {
            foreach (var m in new[] { "gpt", "coder", "math", "small" })
            {
                var trials = rng.Next(0, 10) * rng.NextDouble();
                if (utteranceStats)
                {
                    stats.Utterances[(n.Key, m)] = new SuccessCounts(trials * rng.NextDouble(), trials);
                }

                stats.Routes[(n.Route, m)] = new SuccessCounts(trials * rng.NextDouble() * 0.5, trials * 0.5);
            }
        }

        return (neighbors, stats);
    }

    private static RankingOptions RandomOptions(Random rng) => new()
    {
        Temperature = 0.01 + rng.NextDouble(),
        UtteranceSmoothingStrength = rng.NextDouble() * 10,
        RouteSmoothingStrength = rng.NextDouble() * 10,
        RouteHeadWeight = rng.NextDouble(),
        DefaultThreshold = -1,
    };

    [Property(MaxTest = 300)]
    public bool Scores_AreSortedAndInUnitInterval_WhenLambdaIsZero(int seed)
    {
        var (neighbors, stats) = Scenario(seed);
        var rng = new Random(seed ^ 0x5eed);
        var head = rng.Next(2) == 0 ? null : RouteNames.ToDictionary(r => r, _ => rng.NextDouble());
        var options = RandomOptions(rng);
        var result = new Ranker(Table(), options).Rank(new RankerInput(neighbors) { Statistics = stats, RoutePosterior = Head(head, options) });
        var scores = result.Models.Select(m => m.Score).ToArray();
        return scores.All(s => s is >= 0 and <= 1)
            && scores.Zip(scores.Skip(1)).All(p => p.First >= p.Second)
            && result.Models.Count == 4
            && Math.Abs(result.Routes.Sum(r => r.Confidence) - 1) < 1e-9;
    }

    [Property(MaxTest = 300)]
    public bool Sorted_WithCost_TiesBrokenByName(int seed, bool withCost)
    {
        var (neighbors, stats) = Scenario(seed);
        var result = new Ranker(Table()).Rank(new RankerInput(neighbors) { Statistics = stats, CostWeight = withCost ? 0.3 : 0 });
        return result.Models.Zip(result.Models.Skip(1)).All(p =>
            p.First.Score > p.Second.Score || (p.First.Score == p.Second.Score && string.CompareOrdinal(p.First.Model, p.Second.Model) < 0));
    }

    /// <summary>
    /// Raising one neighbour's similarity never lowers the score of a model only that neighbour's route
    /// targets. Holds when a route's utterances share one estimate (route-level statistics); with
    /// per-utterance statistics a model's route quality is a weighted mean, so pulling a neighbour with a
    /// poor record closer may rightly lower it.
    /// </summary>
    [Property(MaxTest = 500)]
    public bool RaisingANeighbour_NeverLowersItsRoutesExclusiveModel(int seed, byte pick, byte raise)
    {
        var (neighbors, stats) = Scenario(seed, utteranceStats: false);
        var rng = new Random(seed ^ 0x1234);
        var options = RandomOptions(rng);
        var ranker = new Ranker(Table(), options);
        var head = rng.Next(2) == 0 ? null : RouteNames.ToDictionary(r => r, _ => rng.NextDouble());
        var i = pick % neighbors.Length;
        var exclusive = neighbors[i].Route switch { "coding" => "coder", "maths" => "math", _ => "small" };
        var before = ranker.Rank(new RankerInput(neighbors) { Statistics = stats, RoutePosterior = Head(head, options) });
        var raised = neighbors.ToArray();
        raised[i] = raised[i] with { Similarity = Math.Min(1f, raised[i].Similarity + (raise / 255f)) };
        var after = ranker.Rank(new RankerInput(raised) { Statistics = stats, RoutePosterior = Head(head, options) });
        double Score(RankingResult r) => r.Models.Single(m => m.Model == exclusive).Score;
        return Score(after) >= Score(before) - 1e-12;
    }

    [Property(MaxTest = 300)]
    public bool Filters_AreRespected(int seed, bool[] pickCandidates, bool[] pickExcluded)
    {
        string[] all = ["coder", "gpt", "math", "small"];
        var candidates = all.Where((_, j) => j < pickCandidates.Length && pickCandidates[j]).ToArray();
        var excluded = all.Where((_, j) => j < pickExcluded.Length && pickExcluded[j]).ToArray();
        var (neighbors, stats) = Scenario(seed);
        var expected = (candidates.Length == 0 ? all : candidates).Except(excluded).Order(StringComparer.Ordinal).ToList();
        var input = new RankerInput(neighbors) { Statistics = stats, Candidates = candidates, Excluded = excluded };
        if (expected.Count == 0)
        {
            // Filters that leave no model are refused, not answered with an empty ranking.
            try
            {
                new Ranker(Table()).Rank(input);
                return false;
            }
            catch (RouterException e)
            {
                return e.Code == RouterErrorCode.InvalidArgument;
            }
        }

        var result = new Ranker(Table()).Rank(input);
        return result.Models.Select(m => m.Model).Order(StringComparer.Ordinal).SequenceEqual(expected);
    }

    [Property(MaxTest = 500)]
    public bool Abstains_ExactlyWhenTopSimilarityIsBelowTheMatchedRoutesThreshold(int seed, sbyte codingThreshold, sbyte defaultThreshold)
    {
        var (neighbors, _) = Scenario(seed);
        var table = Table(codingThreshold: codingThreshold / 128.0);
        var ranker = new Ranker(table, new RankingOptions { DefaultThreshold = defaultThreshold / 128.0, FallbackRoute = "chat" });
        var result = ranker.Rank(new RankerInput(neighbors));
        var top = neighbors.Max(n => n.Similarity);
        var threshold = result.Match!.Value.Route == "coding" ? codingThreshold / 128.0 : defaultThreshold / 128.0;
        var shouldAbstain = top < threshold;
        return result.IsAbstained == shouldAbstain
            && (result.FallbackRoute == "chat") == shouldAbstain
            && (!shouldAbstain || result.Models.All(m => m.SupportingRoutes.All(s => s.Route == "chat")));
    }
}
