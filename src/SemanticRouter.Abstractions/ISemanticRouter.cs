namespace SemanticRouter;

/// <summary>
/// A router, wherever it runs: in-process over a local index (<c>RouterEngine</c> in SemanticRouter.Core)
/// or remote over gRPC (<c>RouterClient</c> in SemanticRouter.Client). Callers program against this, so
/// moving from one to the other is a registration change, not a code change.
/// </summary>
/// <remarks>
/// Thread-safe: every method may be called concurrently. The cancellation token stops the work (a remote
/// call is cancelled; the engine stops between model runs). Bad input throws <see cref="RouterException"/>
/// with a <see cref="RouterErrorCode"/>; the same code whether the router is local or remote.
/// </remarks>
public interface ISemanticRouter
{
    /// <summary>Ranks the target models for a prompt, best first. Abstention is a value in <see cref="RoutingDecision.Route"/>.</summary>
    Task<RoutingDecision> RankAsync(RoutingRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reports how a model served a ranked request (or a query text). Completes once the outcome is durable.
    /// Idempotent: a replay with the same idempotency key (by default the request id and the model) returns the
    /// first receipt and is counted once.
    /// </summary>
    Task<OutcomeReceipt> RecordOutcomeAsync(OutcomeReport report, CancellationToken cancellationToken = default);

    /// <summary>The debugging view of one decision: the nearest utterances with each model's observed success on them.</summary>
    Task<NeighborReport> InspectNeighborsAsync(InspectRequest request, CancellationToken cancellationToken = default);

    /// <summary>The routes of the index now serving.</summary>
    Task<RouteListing> ListRoutesAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// The write side of a router: changes to what it serves. Kept apart from <see cref="ISemanticRouter"/> so
/// that a caller who only routes cannot change the index, and a server can guard these with an admin key.
/// </summary>
public interface ISemanticRouterAdmin
{
    /// <summary>Adds utterances to an existing route (route file and live index), all or nothing.</summary>
    Task<UtterancesAdded> AddUtterancesAsync(string route, IReadOnlyList<string> utterances, CancellationToken cancellationToken = default);

    /// <summary>
    /// Loads the index artefact at <paramref name="path"/> (null = the configured one) and swaps it in; on
    /// failure the index now serving keeps serving and <see cref="RouterException"/> says why.
    /// </summary>
    Task<IndexReloaded> ReloadIndexAsync(string? path, CancellationToken cancellationToken = default);
}
