namespace SemanticRouter.Engine;

/// <summary>
/// One ranking request as the engine sees it: the CLI builds it, and <c>RouterEngine.Contract.cs</c> maps the
/// contract's <c>RoutingRequest</c> onto it.
/// </summary>
public sealed record EngineQuery(string Text)
{
    /// <summary>Earlier turns of the conversation, oldest first (optional).</summary>
    public IReadOnlyList<string> EarlierTurns { get; init; } = [];

    /// <summary>Neighbours that vote; null = the resolved default (<c>RouterEngine.Settings.DefaultK</c>: the route head's fitted k in intent routing).</summary>
    public int? K { get; init; }

    /// <summary>Only these models (null or empty = all).</summary>
    public IReadOnlyCollection<string>? Candidates { get; init; }

    /// <summary>Never these models.</summary>
    public IReadOnlyCollection<string>? Excluded { get; init; }

    /// <summary>Quality–cost trade-off λ; null = the configured default.</summary>
    public double? CostWeight { get; init; }
}
