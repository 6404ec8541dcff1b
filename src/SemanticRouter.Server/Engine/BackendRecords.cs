namespace SemanticRouter.Server.Engine;

/// <summary>One earlier turn of a conversation.</summary>
public sealed record ConversationTurn(string Role, string Text);

/// <summary>A ranking request as the engine sees it; already validated for shape by the server.</summary>
/// <param name="Query">Non-empty, within the size limit.</param>
/// <param name="History">Earlier turns, oldest first (may be empty).</param>
/// <param name="K">Neighbours that vote: the caller's value or the server default, always in 1..MaxK.</param>
/// <param name="Candidates">Only these models (empty = all).</param>
/// <param name="Excluded">Never these models.</param>
/// <param name="CostWeight">λ; null = the engine default.</param>
/// <param name="IncludeNeighbors">Return the neighbours in <see cref="RankResult.Neighbors"/>.</param>
/// <param name="Metadata">Caller metadata to keep with the request id.</param>
public sealed record RankQuery(
    string Query,
    IReadOnlyList<ConversationTurn> History,
    int K,
    IReadOnlyList<string> Candidates,
    IReadOnlyList<string> Excluded,
    double? CostWeight,
    bool IncludeNeighbors,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>One ranked target model.</summary>
public sealed record ModelScore(string Model, double Score, IReadOnlyList<string> SupportingRoutes, double SuccessEstimate = 0, double Cost = 0)
{
    /// <summary>The text outcome model's estimate when it was blended into <see cref="SuccessEstimate"/>.</summary>
    public double? TextEstimate { get; init; }
}

/// <summary>The matched route, or the abstention (a value, not an error).</summary>
public sealed record RouteDecision(string Route, double Confidence, bool Abstained, string? FallbackRoute, double Threshold);

/// <summary>Success counts of one model on one neighbour.</summary>
public sealed record ModelSuccessStats(string Model, double Successes, double Trials, double Estimate);

/// <summary>One nearest utterance.</summary>
public sealed record NeighborInfo(string Utterance, string Route, double Similarity, double Weight, IReadOnlyList<ModelSuccessStats>? Models = null);

/// <summary>Where the time of one ranking went; reported to <c>/metrics</c> when given.</summary>
public sealed record RankTimings(TimeSpan Embedding, TimeSpan Search);

/// <summary>
/// The answer to <see cref="IRouterBackend.RankAsync"/>: a unique request id (cited by outcomes),
/// the models sorted by score descending (the server sorts again defensively), the route match or
/// abstention, the neighbours (when asked), the index version, and optionally where the time went.
/// </summary>
public sealed record RankResult(
    string RequestId,
    IReadOnlyList<ModelScore> Models,
    RouteDecision Match,
    IReadOnlyList<NeighborInfo> Neighbors,
    string IndexVersion,
    RankTimings? Timings = null,
    bool? EmbeddingCacheHit = null);

/// <summary>An outcome: either <see cref="RequestId"/> or <see cref="Query"/> is set, and exactly one of <see cref="Success"/>/<see cref="Score"/>.</summary>
public sealed record OutcomeReport(string? RequestId, string? Query, string Model, bool? Success, double? Score)
{
    /// <summary>The outcome as a number in [0, 1] (success = 1, failure = 0).</summary>
    public double Value => Score ?? (Success == true ? 1.0 : 0.0);
}

/// <summary>Acknowledgement of a durable outcome.</summary>
public sealed record OutcomeReceipt(string RequestId);

/// <summary>A neighbour inspection request.</summary>
public sealed record InspectQuery(string Query, IReadOnlyList<ConversationTurn> History, int K);

/// <summary>The debugging view of one decision.</summary>
public sealed record NeighborInspection(IReadOnlyList<NeighborInfo> Neighbors, RouteDecision Match, string IndexVersion);

/// <summary>One route of the live index.</summary>
public sealed record RouteSummary(string Name, string? Description, IReadOnlyList<string> Models, int UtteranceCount, double Threshold);

/// <summary>All routes of the live index.</summary>
public sealed record RouteListing(IReadOnlyList<RouteSummary> Routes, string IndexVersion);

/// <summary>The answer to <see cref="IRouterBackend.AddUtterancesAsync"/>.</summary>
public sealed record UtterancesAdded(int Added, string IndexVersion);

/// <summary>
/// The answer to <see cref="IRouterBackend.ReloadAsync"/>. <c>RankingSettingsChanged</c>: the new index
/// carries other ranker settings than the index the server started on, which it applies only when it restarts.
/// </summary>
public sealed record ReloadResult(string IndexVersion, string PreviousIndexVersion, int UtteranceCount, int RouteCount, bool RankingSettingsChanged = false);
