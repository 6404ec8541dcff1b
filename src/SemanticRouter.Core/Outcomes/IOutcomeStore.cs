namespace SemanticRouter.Outcomes;

/// <summary>
/// Where credited outcomes are kept: the record of what every model did, and the live statistics the
/// ranker reads. <see cref="SqliteOutcomeStore"/> is the one implementation; a store shared by replicas
/// (Redis) implements the same.
/// </summary>
/// <remarks>
/// Contract: <see cref="RecordAsync"/> completes only once its outcomes are durable (an acknowledged outcome
/// survives a crash), records all of a call or none of it, and only then moves the statistics, so a reader
/// sees an outcome wholly or not at all. An outcome whose <see cref="Outcome.EffectiveIdempotencyKey"/> was
/// recorded before (by this process, an earlier one, or another replica sharing the store) is not recorded
/// again: the first one comes back with <see cref="StoredOutcome.Replayed"/> set. A store that cannot write
/// (disk full, unreachable) throws <see cref="OutcomeStoreUnavailableException"/> and has recorded none of
/// the call. Concurrent calls may share one commit (group commit). The statistics
/// (<see cref="IOutcomeStatistics"/>) answer from memory: the ranker never waits on I/O. Thread-safe.
/// </remarks>
public interface IOutcomeStore : IOutcomeStatistics, IDisposable
{
    /// <summary>Outcomes stored.</summary>
    long Count { get; }

    /// <summary>Outcomes stored with their query text (what the text outcome model can learn from).</summary>
    long TextCount { get; }

    /// <summary>
    /// Records credited outcomes durably, all or nothing; completes once committed. One whose idempotency
    /// key is already stored is returned as first stored, with <see cref="StoredOutcome.Replayed"/> set.
    /// </summary>
    /// <exception cref="OutcomeRejectedException">An outcome that is not storable (score outside [0, 1], no or two targets); nothing is written.</exception>
    /// <exception cref="OutcomeStoreUnavailableException">The store cannot write now (disk full, unreachable); nothing of the call is written.</exception>
    Task<IReadOnlyList<StoredOutcome>> RecordAsync(IReadOnlyList<CreditedOutcome> outcomes, CancellationToken cancellationToken = default);

    /// <summary>The outcome recorded under <paramref name="idempotencyKey"/> (with <see cref="StoredOutcome.Replayed"/> set), or null.</summary>
    /// <exception cref="OutcomeStoreUnavailableException">The store cannot be read now.</exception>
    Task<StoredOutcome?> FindAsync(string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// The newest outcomes stored with their query text, oldest first: at most <paramref name="newest"/> of them, and
    /// only as many of the newest as fit in <paramref name="maxTextChars"/> characters of text together (so what a
    /// refit holds in memory is bounded by size, not only by count; a text longer than the whole budget is never read).
    /// </summary>
    Task<IReadOnlyList<TextOutcome>> ReadTextOutcomesAsync(int newest, long maxTextChars, CancellationToken cancellationToken = default);

    /// <summary>Every route × model count, sorted by route then model (for reports).</summary>
    IReadOnlyList<RouteModelCounts> RouteCounts();
}

/// <summary>Conveniences over <see cref="IOutcomeStore"/>.</summary>
public static class OutcomeStoreExtensions
{
    /// <summary>Records one credited outcome; completes once it is durable.</summary>
    public static async Task<StoredOutcome> RecordAsync(this IOutcomeStore store, Outcome outcome, OutcomeCredits credits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var stored = await store.RecordAsync([new CreditedOutcome(outcome, credits)], cancellationToken).ConfigureAwait(false);
        return stored[0];
    }
}
