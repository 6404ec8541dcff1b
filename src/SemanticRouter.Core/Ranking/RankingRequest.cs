using SemanticRouter.Outcomes;

namespace SemanticRouter.Ranking;

/// <summary>One ranking: the query's neighbours (already searched, most similar first) and the filters.</summary>
public sealed record RankingRequest(IReadOnlyList<Neighbor> Neighbors)
{
    /// <summary>Optional route posterior P_head(r) from a route classifier; blended with weight α. Renormalised over known routes.</summary>
    public IReadOnlyDictionary<string, double>? RoutePosterior { get; init; }

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

    /// <summary>Observed outcomes (null = none: priors only).</summary>
    public IOutcomeStatistics? Statistics { get; init; }
}
