using SemanticRouter.Insight;
using SemanticRouter.Neighbors;
using SemanticRouter.Outcomes;

namespace SemanticRouter.Engine;

/// <summary>Outcomes: crediting (<see cref="OutcomeCrediting"/>), recording, importing, and the text outcome model they feed.</summary>
public sealed partial class RouterEngine
{
    /// <summary>Text outcomes the serving text outcome model was fitted on (0 = none serving yet, or turned off).</summary>
    public int TextModelOutcomes => _text?.Model?.OutcomeCount ?? 0;

    /// <summary>
    /// Refits the text outcome model on the stored text outcomes now and waits for it. The engine also
    /// does this by itself, in the background, as text outcomes accumulate; this is for tests and tools.
    /// </summary>
    public Task RefitTextModelAsync() => _text?.RefitAsync() ?? Task.CompletedTask;

    /// <summary>Completes when the start-up fit of the text outcome model is done (rankings before then go without it).</summary>
    public Task TextModelReady { get; } = Task.CompletedTask;

    /// <summary>
    /// Credits an outcome (<see cref="OutcomeCrediting"/>: the ranking its request id names, or its text's
    /// neighbours), stores it durably (returns once committed) and updates the live statistics. An outcome whose
    /// idempotency key (<see cref="Outcome.EffectiveIdempotencyKey"/>) was recorded before — here, before a
    /// restart, or at another replica sharing the store — counts nothing: the first one comes back with
    /// <see cref="StoredOutcome.Replayed"/> set, even when its ranking is no longer remembered.
    /// </summary>
    /// <exception cref="OutcomeRejectedException">Unknown request id, unknown model, score outside [0, 1], ….</exception>
    /// <exception cref="OutcomeStoreUnavailableException">The store cannot write now (disk full, unreachable): nothing stored.</exception>
    public async Task<StoredOutcome> RecordOutcomeAsync(Outcome outcome, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.QueryText is { } text)
        {
            ValidateText(text, "query");
        }

        outcome.Validate(IsKnownModel);
        // A replay is answered before crediting: the request log forgets rankings (TTL, restart), the store does not.
        if (outcome.EffectiveIdempotencyKey is { } key && await _outcomes.FindAsync(key, cancellationToken).ConfigureAwait(false) is { } first)
        {
            return first;
        }

        var credits = await _crediting.CreditAsync(outcome, cancellationToken).ConfigureAwait(false);
        // The store checks the key again inside its commit: of two concurrent first reports, one counts.
        var stored = await _outcomes.RecordAsync(outcome, credits, cancellationToken).ConfigureAwait(false);
        if (!stored.Replayed)
        {
            string? route = credits.Routes.Count == 0 ? null : credits.Routes.MaxBy(r => r.Weight).Route;
            _recent.Add(new RecentOutcome(stored.Time, stored.RequestId, stored.Model, stored.Score, route));
        }

        if (stored.QueryText is not null && !stored.Replayed)
        {
            _text?.RefitIfGrown();
        }

        return stored;
    }

    /// <summary>
    /// Imports an outcome history file (<see cref="OutcomeImporter"/>: CSV or JSONL of text, model, outcome)
    /// into the outcome store, each text credited as <see cref="RecordOutcomeAsync"/> credits an outcome that
    /// comes with its text: its neighbours in this index, weighed with the settings the engine ranks with.
    /// </summary>
    /// <exception cref="OutcomeImportException">A malformed line, an unknown model, a text without neighbours; with its line.</exception>
    public async Task<OutcomeImportSummary> ImportOutcomesAsync(string path, OutcomeImportOptions? options = null, CancellationToken cancellationToken = default)
    {
        var summary = await OutcomeImporter.ImportAsync(path, _outcomes, _crediting.CreditAsync, IsKnownModel, options, cancellationToken).ConfigureAwait(false);
        if (_outcomes.TextCount > 0)
        {
            _text?.RefitIfGrown();
        }

        return summary;
    }

    /// <summary>Whether the model catalogue now serving has <paramref name="model"/>.</summary>
    public bool IsKnownModel(string model) => Volatile.Read(ref _snapshot).Catalog.Models.Contains(model);

    // An outcome's text → its neighbours, weighed with the k and τ the ranker weighs a query's neighbours with.
    private async Task<(IReadOnlyList<Neighbor> Neighbors, int K, double Temperature)> FindNeighborsAsync(string text, CancellationToken cancellationToken)
    {
        var embedding = await _embedder.GenerateAsync([text], cancellationToken: cancellationToken).ConfigureAwait(false);
        var snapshot = Volatile.Read(ref _snapshot);
        var options = snapshot.Settings.Options;
        return (Search(snapshot, embedding[0].Vector.ToArray(), options.K), options.K, options.Temperature);
    }
}
