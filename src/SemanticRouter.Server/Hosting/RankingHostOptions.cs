namespace SemanticRouter.Server.Hosting;

/// <summary>
/// The ranking settings the host gives the engine: the settings file and the explicit settings of
/// <c>RankingSettingsResolver</c>, most of them a `serve` flag too (not <see cref="DefaultK"/>,
/// <see cref="RouteHeadWeight"/>, <see cref="CostWeight"/>). Unset ones keep what the settings file says, else what
/// the index carries, else the defaults; with a fitted route head and no route_head_weight the head's k and τ win
/// (docs/ranking.md has the table). A request's own k or cost weight wins over these. Bound from the section
/// <see cref="SettingNames.Section"/>.
/// </summary>
public sealed class RankingHostOptions
{
    /// <summary>A ranking settings file (`serve --ranking-options`), used instead of the one the index carries.</summary>
    public string? RankingOptionsFile { get; set; }

    /// <summary>k: neighbours that vote, and so the k of a request that says k = 0 (no flag; the file's or index's k otherwise).</summary>
    public int? DefaultK { get; set; }

    /// <summary>τ of the neighbour vote (`--temperature`).</summary>
    public double? Temperature { get; set; }

    /// <summary>Abstention threshold for routes whose file sets none (`--default-threshold`).</summary>
    public double? DefaultThreshold { get; set; }

    /// <summary>Route whose targets an abstaining query gets (`--fallback-route`); it must be a route of the index.</summary>
    public string? FallbackRoute { get; set; }

    /// <summary>β_r (`--route-smoothing`).</summary>
    public double? RouteSmoothing { get; set; }

    /// <summary>β_u (`--utterance-smoothing`).</summary>
    public double? UtteranceSmoothing { get; set; }

    /// <summary>γ (`--conversation-decay`).</summary>
    public double? ConversationDecay { get; set; }

    /// <summary>λ_t (`--text-model-weight`).</summary>
    public double? TextModelWeight { get; set; }

    /// <summary>α: the route head's weight in the route vote, with the settings' own k and τ (outcome routing; no flag).</summary>
    public double? RouteHeadWeight { get; set; }

    /// <summary>λ: the quality–cost trade-off of requests that give none (no flag).</summary>
    public double? CostWeight { get; set; }

    /// <summary>True when any setting is given (otherwise the engine takes what the index carries, unchanged).</summary>
    public bool AnySet =>
        RankingOptionsFile is not null || DefaultK is not null || Temperature is not null || DefaultThreshold is not null || FallbackRoute is not null
        || RouteSmoothing is not null || UtteranceSmoothing is not null || ConversationDecay is not null || TextModelWeight is not null
        || RouteHeadWeight is not null || CostWeight is not null;
}
