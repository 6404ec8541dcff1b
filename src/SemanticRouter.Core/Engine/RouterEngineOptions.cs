using SemanticRouter.Ranking;

namespace SemanticRouter.Engine;

/// <summary>Settings of a <see cref="RouterEngine"/>. Null means the default everywhere.</summary>
public sealed class RouterEngineOptions
{
    /// <summary>Longest accepted query, in UTF-8 bytes (longer ones are refused, not truncated silently).</summary>
    public const int DefaultMaxQueryBytes = 16 * 1024;

    /// <summary>Most neighbours one call may ask for.</summary>
    public const int DefaultMaxK = 1000;

    /// <summary>The index artefact directory.</summary>
    public required string IndexDirectory { get; init; }

    /// <summary>The SQLite outcome store (created if missing); null = <see cref="DefaultOutcomeDatabase"/>.</summary>
    public string? OutcomeDatabase { get; init; }

    /// <summary>
    /// <c>&lt;index&gt;.outcomes.db</c> beside the artefact directory — never inside it: a rebuild
    /// replaces the whole directory, and outcomes must outlive every index version.
    /// </summary>
    public static string DefaultOutcomeDatabase(string indexDirectory) =>
        Path.TrimEndingDirectorySeparator(Path.GetFullPath(indexDirectory)) + ".outcomes.db";

    /// <summary>
    /// Ranking parameters (k, τ, β, λ, thresholds). Null, with <see cref="RouteHeadWeight"/> null too: the
    /// settings the index carries (<c>build --ranking-options</c>) over <see cref="RankingOptions.Default"/>,
    /// and their α; the defaults when it carries none. Read once, at start: a reload keeps them.
    /// </summary>
    public RankingOptions? Ranking { get; init; }

    /// <summary>
    /// α for an index with a fitted route head, when the ranking is tuned on outcomes rather than on
    /// route labels: the ranker keeps <see cref="Ranking"/>'s k and τ and blends the head classifier's
    /// posterior into its own neighbours' route vote with this weight, as
    /// <c>eval --outcomes --served --route-head-weight</c> measures. Null = the head's fitted blend,
    /// with the k and τ fitted for it (intent routing); ignored without a head.
    /// </summary>
    public double? RouteHeadWeight { get; init; }

    /// <summary>HNSW search breadth; 0 = the value the index was built with.</summary>
    public int EfSearch { get; init; }

    public int MaxQueryBytes { get; init; } = DefaultMaxQueryBytes;

    public int MaxK { get; init; } = DefaultMaxK;

    /// <summary>How long a ranking's neighbours are remembered for outcomes by request id.</summary>
    public TimeSpan? RequestTtl { get; init; }

    /// <summary>How the text outcome model is fitted; null = defaults (with half the cores: it refits in the background).</summary>
    public TextOutcomeModelOptions? TextModel { get; init; }

    /// <summary>Called (on a background thread) each time a fitted text outcome model starts serving: for logs.</summary>
    public Action<TextModelFit>? OnTextModelFitted { get; init; }

    /// <summary>The text outcome model is fitted on at most this many of the newest text outcomes.</summary>
    public int TextModelMaxOutcomes { get; init; } = 200_000;

    /// <summary>How many rankings are remembered at most.</summary>
    public int? RequestCapacity { get; init; }
}
