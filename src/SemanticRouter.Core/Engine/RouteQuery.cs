namespace SemanticRouter.Engine;

/// <summary>One ranking request as the engine sees it (the gRPC and CLI shells map onto this).</summary>
public sealed record RouteQuery(string Text)
{
    /// <summary>Earlier turns of the conversation, oldest first (optional).</summary>
    public IReadOnlyList<string> EarlierTurns { get; init; } = [];

    /// <summary>Neighbours to consult; null = the ranking default.</summary>
    public int? K { get; init; }

    /// <summary>Only these models (null or empty = all).</summary>
    public IReadOnlyCollection<string>? Candidates { get; init; }

    /// <summary>Never these models.</summary>
    public IReadOnlyCollection<string>? Excluded { get; init; }

    /// <summary>Quality–cost trade-off λ; null = the configured default.</summary>
    public double? CostWeight { get; init; }
}
