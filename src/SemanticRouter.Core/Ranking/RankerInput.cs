using SemanticRouter.Neighbors;
using SemanticRouter.Outcomes;

namespace SemanticRouter.Ranking;

/// <summary>
/// P(r|q) of one query, given its neighbours' route vote P_knn(r): how a route head takes part in a ranking.
/// Every route it names must be in the routing table.
/// </summary>
public delegate IReadOnlyDictionary<string, double> RoutePosteriorFunction(IReadOnlyDictionary<string, double> neighborVote);

/// <summary>One ranking: the query's neighbours (already searched, most similar first) and the filters.</summary>
public sealed record RankerInput(IReadOnlyList<Neighbor> Neighbors)
{
    /// <summary>
    /// P(r|q) from the neighbours' vote P_knn (route → probability) when a route head takes part: its own fitted
    /// blend, or the classifier blended into the vote (<c>RouteHead.RouteHeadMath.Blend</c>). Null = P_knn.
    /// </summary>
    public RoutePosteriorFunction? RoutePosterior { get; init; }

    /// <summary>Only these models (null or empty = every model of the routing table). An unknown name throws <see cref="UnknownModelException"/>.</summary>
    public IReadOnlyCollection<string>? Candidates { get; init; }

    /// <summary>Never these models. An unknown name throws <see cref="UnknownModelException"/>.</summary>
    public IReadOnlyCollection<string>? Excluded { get; init; }

    /// <summary>Overrides <see cref="RankingOptions.CostWeight"/> (λ) for this request.</summary>
    public double? CostWeight { get; init; }

    /// <summary>Overrides <see cref="RankingOptions.K"/>: only the first K neighbours vote.</summary>
    public int? K { get; init; }

    /// <summary>
    /// An abstention decided by the caller (e.g. a fitted rule on the route head's scores); null =
    /// the ranker's own rule (top-1 similarity under the matched route's threshold).
    /// </summary>
    public bool? Abstain { get; init; }

    /// <summary>
    /// P̂_text(m) of the text outcome model for the models it predicts (null = none); blended into a model's
    /// quality with weight <see cref="RankingOptions.TextModelWeight"/>.
    /// </summary>
    public IReadOnlyDictionary<string, double>? TextEstimates { get; init; }

    /// <summary>
    /// The expected cost of each model's call for this query, given by the caller. Used for the cost term
    /// only when it covers every candidate, so that one currency is compared; when null the ranker works
    /// them out from the neighbours' observed costs, and failing those uses the catalogue's
    /// (<c>routes/models.yaml</c>).
    /// </summary>
    public IReadOnlyDictionary<string, double>? ExpectedCosts { get; init; }

    /// <summary>
    /// Each model's quality predicted from the query's embedding by the index's quality head (null = none);
    /// blended into a model's quality with weight <see cref="RankingOptions.QualityHeadWeight"/>.
    /// </summary>
    public IReadOnlyDictionary<string, double>? HeadEstimates { get; init; }

    /// <summary>Observed outcomes (null = none: priors only).</summary>
    public IOutcomeStatistics? Statistics { get; init; }
}
