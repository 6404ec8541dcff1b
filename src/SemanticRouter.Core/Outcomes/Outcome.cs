namespace SemanticRouter.Outcomes;

/// <summary>
/// What a caller reports after using a model: the model and how well it did (a score in [0, 1];
/// success = 1, failure = 0), about either a ranking (<see cref="RequestId"/>) or a query text
/// (<see cref="QueryText"/>); exactly one of the two.
/// </summary>
public sealed record Outcome(string Model, double Score)
{
    public string? RequestId { get; init; }

    public string? QueryText { get; init; }

    /// <summary>When it happened (null = when recorded).</summary>
    public DateTimeOffset? Time { get; init; }

    /// <summary>
    /// Makes a retried report count once: the caller's key, or null for the default
    /// (<see cref="EffectiveIdempotencyKey"/>). At most <see cref="MaxIdempotencyKeyLength"/> characters.
    /// </summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>What the call cost, in US dollars, when the caller knows it (kept with the outcome).</summary>
    public double? CostUsd { get; init; }

    /// <summary>The longest idempotency key accepted (characters).</summary>
    public const int MaxIdempotencyKeyLength = 256;

    /// <summary>
    /// The key a store counts this outcome once under — the one place that decides it: the caller's key;
    /// else, for an outcome about a ranking, its request id and the model (a retry of the same report);
    /// else none (an outcome by query text without a key counts every time it is reported).
    /// </summary>
    public string? EffectiveIdempotencyKey =>
        IdempotencyKey ?? (string.IsNullOrWhiteSpace(RequestId) ? null : "request:" + RequestId + "\n" + Model);

    public static Outcome ForRequest(string requestId, string model, double score) => new(model, score) { RequestId = requestId };

    public static Outcome ForRequest(string requestId, string model, bool success) => ForRequest(requestId, model, success ? 1 : 0);

    public static Outcome ForQuery(string queryText, string model, double score) => new(model, score) { QueryText = queryText };

    public static Outcome ForQuery(string queryText, string model, bool success) => ForQuery(queryText, model, success ? 1 : 0);

    /// <summary>
    /// Refuses an outcome that cannot be recorded: a score outside [0, 1], a model that is empty or (given
    /// <paramref name="isKnownModel"/>, the catalogue) unknown, neither or both of request id and query text.
    /// </summary>
    /// <exception cref="OutcomeRejectedException">The outcome, with the reason.</exception>
    public void Validate(Func<string, bool>? isKnownModel = null)
    {
        if (!(Score is >= 0 and <= 1))
        {
            throw new OutcomeRejectedException(OutcomeRejectionReason.ScoreOutOfRange, $"Score {Score} is outside [0, 1].");
        }

        if (string.IsNullOrWhiteSpace(Model) || !(isKnownModel?.Invoke(Model) ?? true))
        {
            throw new OutcomeRejectedException(OutcomeRejectionReason.UnknownModel, $"Unknown model '{Model}'.");
        }

        if (IdempotencyKey is { } key && (string.IsNullOrWhiteSpace(key) || key.Length > MaxIdempotencyKeyLength))
        {
            throw new OutcomeRejectedException(OutcomeRejectionReason.InvalidIdempotencyKey,
                $"The idempotency key must be 1 to {MaxIdempotencyKeyLength} characters, not {key.Length}.");
        }

        if (CostUsd is { } cost && !(double.IsFinite(cost) && cost >= 0))
        {
            throw new OutcomeRejectedException(OutcomeRejectionReason.CostOutOfRange, $"The cost {cost} must be a finite, non-negative number of US dollars.");
        }

        var hasId = !string.IsNullOrWhiteSpace(RequestId);
        var hasText = !string.IsNullOrWhiteSpace(QueryText);
        if (hasId == hasText)
        {
            throw new OutcomeRejectedException(OutcomeRejectionReason.InvalidTarget,
                hasId ? "Give a request id or query text, not both." : "An outcome needs a request id or query text.");
        }
    }
}

/// <summary>An outcome with what it credits: what an <see cref="IOutcomeStore"/> records.</summary>
public sealed record CreditedOutcome(Outcome Outcome, OutcomeCredits Credits);

/// <summary>
/// Works out what an outcome credits (the engine's crediting: by request id from the rankings it
/// remembers, by query text from the text's neighbours); refuses an outcome it cannot credit with
/// <see cref="OutcomeRejectedException"/>.
/// </summary>
public delegate Task<OutcomeCredits> OutcomeCreditor(Outcome outcome, CancellationToken cancellationToken);
