using SemanticRouter.Neighbors;

namespace SemanticRouter.Ranking;

/// <summary>A route and its posterior probability P(r|q).</summary>
public readonly record struct RouteMatch(string Route, double Confidence);

/// <summary>How much one route contributed to a model's quality: P(r|q) · Q_r(m).</summary>
public readonly record struct RouteContribution(string Route, double Contribution);

/// <summary>
/// One candidate model: <see cref="Score"/> = <see cref="Quality"/> − λ·<see cref="NormalisedCost"/>;
/// Quality is the posterior-weighted success estimate in [0, 1]; NormalisedCost is its price over the
/// largest candidate price, in [0, 1]. SupportingRoutes are the routes that contributed, largest first;
/// they sum to the neighbours' estimate, which <see cref="TextEstimate"/>, when present, was blended with:
/// Quality = (1 − λ_t)·Σ contributions + λ_t·TextEstimate.
/// </summary>
public sealed record RankedModel(string Model, double Score, double Quality, double NormalisedCost, IReadOnlyList<RouteContribution> SupportingRoutes)
{
    /// <summary>The text outcome model's P̂(success), when it was blended into <see cref="Quality"/>; otherwise null.</summary>
    public double? TextEstimate { get; init; }

    /// <summary>
    /// What this call of the model is expected to cost, in the currency its costs were recorded in (US dollars for
    /// RecordOutcome and imported tables): the neighbours' observed costs weighed as their outcomes are, else the
    /// matched routes'. Null when the cost term fell back to the catalogue's prices, which are not a call's cost.
    /// </summary>
    public double? ExpectedCost { get; init; }
}

/// <summary>
/// The answer of <see cref="Ranker.Rank"/>: every candidate, best first (ties by name), the best route,
/// and whether the ranker abstained. Abstention is a value: when <see cref="IsAbstained"/>, the top-1
/// similarity was under the matched route's threshold and, if a fallback route is configured,
/// <see cref="Models"/> ranks the fallback route's targets.
/// </summary>
public sealed record RankingResult
{
    public required IReadOnlyList<RankedModel> Models { get; init; }

    /// <summary>The route with the largest posterior, or null when there were no neighbours and no posterior.</summary>
    public RouteMatch? Match { get; init; }

    /// <summary>Every route with posterior mass, largest first.</summary>
    public required IReadOnlyList<RouteMatch> Routes { get; init; }

    public bool IsAbstained { get; init; }

    /// <summary>The fallback route named when abstaining (null when not abstaining or none is configured).</summary>
    public string? FallbackRoute { get; init; }

    /// <summary>Similarity of the nearest neighbour (NaN when there is none).</summary>
    public double TopSimilarity { get; init; }

    /// <summary>The threshold the top similarity was compared with.</summary>
    public double Threshold { get; init; }

    /// <summary>The neighbours that voted, with their weights (most similar first).</summary>
    public required IReadOnlyList<WeightedNeighbor> Neighbors { get; init; }
}

/// <summary>A neighbour with the vote weight w_i = exp((s_i − s_max)/τ) it received, and that weight normalised (Σ = 1).</summary>
public sealed record WeightedNeighbor(Neighbor Neighbor, double Weight, double NormalisedWeight);
