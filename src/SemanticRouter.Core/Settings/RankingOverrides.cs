namespace SemanticRouter.Settings;

/// <summary>
/// Ranking settings given explicitly: command-line flags, the server's configuration, a library caller's
/// values. Each one set wins over the settings file and the defaults (see <see cref="RankingSettingsResolver"/>);
/// null = not given. Named as in <c>ranking-options.json</c>.
/// </summary>
public sealed record RankingOverrides
{
    /// <summary>No setting given.</summary>
    public static RankingOverrides None { get; } = new();

    /// <summary><c>k</c>: neighbours that vote, and so the k a request without one gets.</summary>
    public int? K { get; init; }

    /// <summary><c>temperature</c>: τ of the neighbour vote.</summary>
    public double? Temperature { get; init; }

    /// <summary><c>utterance_smoothing</c>: β_u.</summary>
    public double? UtteranceSmoothing { get; init; }

    /// <summary><c>route_smoothing</c>: β_r.</summary>
    public double? RouteSmoothing { get; init; }

    /// <summary><c>text_model_weight</c>: λ_t.</summary>
    public double? TextModelWeight { get; init; }

    /// <summary><c>route_head_weight</c>: α (outcome routing with the index's route head).</summary>
    public double? RouteHeadWeight { get; init; }

    /// <summary><c>cost_weight</c>: the default λ of requests that give none.</summary>
    public double? CostWeight { get; init; }

    /// <summary><c>default_threshold</c>: θ of routes whose file sets none.</summary>
    public double? DefaultThreshold { get; init; }

    /// <summary><c>fallback_route</c>: whose targets an abstaining query gets.</summary>
    public string? FallbackRoute { get; init; }

    /// <summary><c>conversation_decay</c>: γ.</summary>
    public double? ConversationDecay { get; init; }
}
