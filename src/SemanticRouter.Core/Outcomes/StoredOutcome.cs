namespace SemanticRouter.Outcomes;

/// <summary>One row of the raw outcome table.</summary>
public sealed record StoredOutcome(long Id, DateTimeOffset Time, string? RequestId, string? QueryText, string Model, double Score, OutcomeCredits Credits)
{
    /// <summary>The key it was counted once under (<see cref="Outcome.EffectiveIdempotencyKey"/>); null = none.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>What the call cost, in US dollars, if the caller said.</summary>
    public double? CostUsd { get; init; }

    /// <summary>
    /// True when this is the outcome first recorded under the same idempotency key, returned for a replay:
    /// the replay itself counted nothing.
    /// </summary>
    public bool Replayed { get; init; }
}

/// <summary>One stored outcome with the text of its query: how well <see cref="Model"/> did (score in [0, 1]); the text outcome model learns from these.</summary>
public readonly record struct TextOutcome(string Text, string Model, double Score);
