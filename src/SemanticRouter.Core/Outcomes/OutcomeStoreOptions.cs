using SemanticRouter.Ranking;

namespace SemanticRouter.Outcomes;

/// <summary>How an <see cref="OutcomeStore"/> resolves and validates outcomes. Null means default everywhere.</summary>
public sealed class OutcomeStoreOptions
{
    /// <summary>Where rankings are remembered; outcomes by request id are resolved here (null = request ids are unknown).</summary>
    public RequestLog? RequestLog { get; init; }

    /// <summary>
    /// The seam for outcomes that carry query text: embeds and searches the query (the caller's index)
    /// and returns its neighbours, most similar first. Null = query-text outcomes are refused with
    /// <see cref="OutcomeRejectionReason.QueryTextUnsupported"/>.
    /// </summary>
    public Func<string, IReadOnlyList<Neighbor>>? FindNeighbors { get; init; }

    /// <summary>Weights for neighbours found by <see cref="FindNeighbors"/> (k, τ); null = <see cref="RankingOptions.Default"/>.</summary>
    public RankingOptions? Weighting { get; init; }

    /// <summary>The model catalogue: false = <see cref="OutcomeRejectionReason.UnknownModel"/>. Null accepts any non-empty name.</summary>
    public Func<string, bool>? IsKnownModel { get; init; }

    public TimeProvider? Time { get; init; }
}

/// <summary>One row of the raw outcome table.</summary>
public sealed record StoredOutcome(long Id, DateTimeOffset Time, string? RequestId, string? QueryText, string Model, double Score, OutcomeCredits Credits);
