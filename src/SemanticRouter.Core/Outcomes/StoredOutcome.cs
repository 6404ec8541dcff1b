namespace SemanticRouter.Outcomes;

/// <summary>One row of the raw outcome table.</summary>
public sealed record StoredOutcome(long Id, DateTimeOffset Time, string? RequestId, string? QueryText, string Model, double Score, OutcomeCredits Credits);

/// <summary>One stored outcome with the text of its query: how well <see cref="Model"/> did (score in [0, 1]); the text outcome model learns from these.</summary>
public readonly record struct TextOutcome(string Text, string Model, double Score);
