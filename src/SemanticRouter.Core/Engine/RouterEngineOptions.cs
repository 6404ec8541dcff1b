using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;
using SemanticRouter.Settings;

namespace SemanticRouter.Engine;

/// <summary>Settings of a <see cref="RouterEngine"/>. Null means the default everywhere.</summary>
public sealed class RouterEngineOptions
{
    /// <summary>Longest accepted query, in UTF-8 bytes (longer ones are refused, not truncated silently).</summary>
    public const int DefaultMaxQueryBytes = 16 * 1024;

    /// <summary>The index artefact directory.</summary>
    public required string IndexDirectory { get; init; }

    /// <summary>The SQLite outcome store (created if missing); null = <see cref="DefaultOutcomeDatabase"/>.</summary>
    public string? OutcomeDatabase { get; init; }

    /// <summary>
    /// Opens the outcome store the engine records into and ranks from (it owns and disposes it); null = the
    /// SQLite store at <see cref="OutcomeDatabase"/>. The seam for another <see cref="IOutcomeStore"/> (one
    /// shared by replicas).
    /// </summary>
    public Func<IOutcomeStore>? OpenOutcomeStore { get; init; }

    /// <summary>
    /// <c>&lt;index&gt;.outcomes.db</c> beside the artefact directory — never inside it: a rebuild
    /// replaces the whole directory, and outcomes must outlive every index version.
    /// </summary>
    public static string DefaultOutcomeDatabase(string indexDirectory) =>
        Path.TrimEndingDirectorySeparator(Path.GetFullPath(indexDirectory)) + ".outcomes.db";

    /// <summary>
    /// A ranking settings file (<c>ranking-options.json</c>, read with <see cref="RankingSettingsFile.Read"/>) to
    /// rank with instead of the one the index carries; null = the index's, if any. Settings are resolved once,
    /// at start (<see cref="RankingSettingsResolver"/>; the result is <see cref="RouterEngine.Settings"/>), and a
    /// reload keeps them.
    /// </summary>
    public RankingSettingsFile? RankingSettings { get; init; }

    /// <summary>Settings given explicitly (flags, configuration): each wins over the file and the defaults.</summary>
    public RankingOverrides? RankingOverrides { get; init; }

    /// <summary>HNSW search breadth; 0 = the value the index was built with.</summary>
    public int EfSearch { get; init; }

    public int MaxQueryBytes { get; init; } = DefaultMaxQueryBytes;

    /// <summary>How long a ranking's neighbours are remembered for outcomes by request id.</summary>
    public TimeSpan? RequestTtl { get; init; }

    /// <summary>How the text outcome model is fitted; null = defaults (with half the cores: it refits in the background).</summary>
    public TextOutcomeModelOptions? TextModel { get; init; }

    /// <summary>Called (on a background thread) each time a fitted text outcome model starts serving: for logs.</summary>
    public Action<TextModelFit>? OnTextModelFitted { get; init; }

    /// <summary>The text outcome model is fitted on at most this many of the newest text outcomes.</summary>
    public int TextModelMaxOutcomes { get; init; } = 200_000;

    /// <summary>
    /// ... and on at most this many characters of their texts together (the newest that fit): the count alone would
    /// let 200,000 texts of the largest allowed request (64 KiB each) take gigabytes per refit.
    /// </summary>
    public long TextModelMaxTextChars { get; init; } = 64_000_000;

    /// <summary>How many rankings are remembered at most.</summary>
    public int? RequestCapacity { get; init; }
}
