namespace SemanticRouter;

/// <summary>
/// How a model served a request. Exactly one of <see cref="RequestId"/> (from <see cref="RoutingDecision"/>) and
/// <see cref="Query"/> (the prompt text, when the request id has expired or was never asked for) is set.
/// </summary>
/// <param name="Model">The target model that served the request.</param>
/// <param name="Score">The outcome in [0, 1]: 1 success, 0 failure, or a graded score.</param>
public sealed record OutcomeReport(string Model, double Score)
{
    /// <summary>The ranking this outcome is about.</summary>
    public string? RequestId { get; init; }

    /// <summary>The prompt text, instead of a request id.</summary>
    public string? Query { get; init; }

    /// <summary>
    /// Makes a retried report count once: a second report with the same key returns the first receipt.
    /// Null = the request id and the model (an outcome by query text then has none: each report counts).
    /// </summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>What the call cost, in US dollars, when the caller knows it (teaches the router each model's expected cost).</summary>
    public double? CostUsd { get; init; }

    /// <summary>A success or failure of <paramref name="model"/> on the ranking <paramref name="requestId"/>.</summary>
    public static OutcomeReport ForRequest(string requestId, string model, bool success) =>
        new(model, success ? 1.0 : 0.0) { RequestId = requestId };
}

/// <summary>The acknowledgement of a durable outcome.</summary>
/// <param name="RequestId">The request id the outcome was filed under (a fresh one for an outcome by query text).</param>
/// <param name="Replayed">True when this report repeated an idempotency key already recorded: nothing new was counted.</param>
public sealed record OutcomeReceipt(string RequestId, bool Replayed = false);

/// <summary>A prompt to inspect.</summary>
public sealed record InspectRequest(string Query)
{
    /// <summary>Earlier turns, oldest first.</summary>
    public IReadOnlyList<ConversationTurn> History { get; init; } = [];

    /// <summary>Neighbours to return; null = the router's default.</summary>
    public int? K { get; init; }
}

/// <summary>The answer to <see cref="ISemanticRouter.InspectNeighborsAsync"/>: the neighbours with per-model tallies.</summary>
public sealed record NeighborReport(IReadOnlyList<NeighborVote> Neighbors, RouteVerdict Route, string IndexVersion);

/// <summary>One route of the index now serving.</summary>
public sealed record RouteSummary(string Name, string? Description, IReadOnlyList<string> Models, int UtteranceCount, double Threshold);

/// <summary>The answer to <see cref="ISemanticRouter.ListRoutesAsync"/>.</summary>
public sealed record RouteListing(IReadOnlyList<RouteSummary> Routes, string IndexVersion);

/// <summary>The answer to <see cref="ISemanticRouterAdmin.AddUtterancesAsync"/>.</summary>
public sealed record UtterancesAdded(int Added, string IndexVersion);

/// <summary>The answer to <see cref="ISemanticRouterAdmin.ReloadIndexAsync"/>.</summary>
/// <param name="IndexVersion">The version now serving.</param>
/// <param name="PreviousIndexVersion">The version that served before.</param>
/// <param name="UtteranceCount">Utterances in the index now serving.</param>
/// <param name="RouteCount">Routes in the index now serving.</param>
/// <param name="RankingSettingsChanged">The new index carries other ranking settings than those the router started with; they apply at its next start.</param>
public sealed record IndexReloaded(string IndexVersion, string PreviousIndexVersion, int UtteranceCount, int RouteCount, bool RankingSettingsChanged = false);
