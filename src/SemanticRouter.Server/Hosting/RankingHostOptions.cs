namespace SemanticRouter.Server.Hosting;

/// <summary>
/// The ranking settings the host gives the engine, each a `serve` flag (and <see cref="DefaultK"/>). Unset
/// ones keep what the settings file says, else what the index carries, else the defaults (docs/ranking.md);
/// a request's own k or cost weight wins over these. Bound from the section <see cref="SettingNames.Section"/>.
/// </summary>
public sealed class RankingHostOptions
{
    /// <summary>A ranking settings file (`serve --ranking-options`), used instead of the one the index carries.</summary>
    public string? RankingOptionsFile { get; set; }

    /// <summary>Neighbours that vote when a request says k = 0 (no flag; the file's or index's k otherwise).</summary>
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

    /// <summary>True when any setting is given (otherwise the engine takes what the index carries, unchanged).</summary>
    public bool AnySet =>
        RankingOptionsFile is not null || DefaultK is not null || Temperature is not null || DefaultThreshold is not null || FallbackRoute is not null
        || RouteSmoothing is not null || UtteranceSmoothing is not null || ConversationDecay is not null || TextModelWeight is not null;
}
