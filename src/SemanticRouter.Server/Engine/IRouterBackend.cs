namespace SemanticRouter.Server.Engine;

/// <summary>
/// What the gRPC service needs from the engine. The server validates what it can see on its own
/// (empty or oversize query, k range, score range) before calling; everything that needs the
/// engine's knowledge (unknown model, route or request id, duplicates, corrupt artefacts) is
/// reported by throwing <see cref="RouterInputException"/>, which the service maps to a status code.
/// </summary>
/// <remarks>
/// Thread-safety: every method may be called concurrently from many calls. The cancellation token
/// is the call's: it fires on the client's deadline or cancellation and on server shutdown; an
/// implementation should stop work and throw <see cref="OperationCanceledException"/>.
/// Any other exception is an internal error: logged, answered with INTERNAL.
/// </remarks>
public interface IRouterBackend
{
    /// <summary>Ranks the target models for a query. Abstention is a value in <see cref="RankResult.Match"/>.</summary>
    ValueTask<RankResult> RankAsync(RankQuery query, CancellationToken cancellationToken);

    /// <summary>Records an outcome; completes only once it is durable.</summary>
    ValueTask<OutcomeReceipt> RecordOutcomeAsync(OutcomeReport report, CancellationToken cancellationToken);

    /// <summary>The k nearest utterances of a query with per-model statistics.</summary>
    ValueTask<NeighborInspection> InspectNeighborsAsync(InspectQuery query, CancellationToken cancellationToken);

    /// <summary>The routes of the live index.</summary>
    ValueTask<RouteListing> ListRoutesAsync(CancellationToken cancellationToken);

    /// <summary>Adds utterances to an existing route (route file and live index), all or nothing.</summary>
    ValueTask<UtterancesAdded> AddUtterancesAsync(string route, IReadOnlyList<string> utterances, CancellationToken cancellationToken);

    /// <summary>
    /// Loads the artefact at <paramref name="path"/> (null = the configured one) and swaps it in;
    /// on failure the old index keeps serving and <see cref="RouterInputException"/> with
    /// <see cref="RouterErrorKind.CorruptArtifact"/> (or <see cref="RouterErrorKind.NotFound"/>) is thrown.
    /// </summary>
    ValueTask<ReloadResult> ReloadAsync(string? path, CancellationToken cancellationToken);

    /// <summary>False while no index is loaded (health check answers NOT_SERVING, calls UNAVAILABLE).</summary>
    bool IsReady { get; }
}
