using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SemanticRouter.IO;
using SemanticRouter.Ranking;

namespace SemanticRouter.Settings;

/// <summary>
/// Ranker settings kept in a file (<c>ranking-options.json</c>), so that what
/// <c>eval --outcomes --served --choose</c> or <c>fit --outcomes</c> chose on outcome data is what <c>serve</c>,
/// <c>rank</c> and <c>eval --served</c> run with, without copying numbers into flags. Every setting is
/// optional: one the file leaves out keeps its default. How a file combines with the defaults, the index,
/// its route head and explicit settings is <see cref="RankingSettingsResolver"/>'s to decide. The route
/// head's <c>router-params.json</c> stays separate: it is fitted on route utterances, this on outcomes.
/// </summary>
public sealed record RankingSettingsFile
{
    public const string SchemaId = "semantic-router/ranking-options/v1";

    /// <summary>The name <c>eval --write-options</c> suggests and the docs use.</summary>
    public const string DefaultFileName = "ranking-options.json";

    [JsonPropertyName("schema")]
    public string Schema { get; init; } = SchemaId;

    [JsonPropertyName("k")]
    public int? K { get; init; }

    [JsonPropertyName("temperature")]
    public double? Temperature { get; init; }

    [JsonPropertyName("utterance_smoothing")]
    public double? UtteranceSmoothing { get; init; }

    [JsonPropertyName("route_smoothing")]
    public double? RouteSmoothing { get; init; }

    [JsonPropertyName("text_model_weight")]
    public double? TextModelWeight { get; init; }

    /// <summary>
    /// α: the weight of the index's route head in the route vote, with the file's k and τ kept (see
    /// <c>RouterEngineOptions.RouteHeadWeight</c>). Left out = the head's own fitted blend, with its k and τ.
    /// </summary>
    [JsonPropertyName("route_head_weight")]
    public double? RouteHeadWeight { get; init; }

    /// <summary>β: the weight of <see cref="QualityHead"/>'s estimate in each model's quality (many-model outcome routing).</summary>
    [JsonPropertyName("quality_head_weight")]
    public double? QualityHeadWeight { get; init; }

    /// <summary>The per-model ridge quality head `fit --outcomes` fitted on the training prompts (used when β &gt; 0).</summary>
    [JsonPropertyName("quality_head")]
    public QualityHeadFile? QualityHead { get; init; }

    /// <summary>Models ranked only when a request names them (beaten on the training prompts in quality and cost).</summary>
    [JsonPropertyName("left_out_models")]
    public string[]? LeftOutModels { get; init; }

    /// <summary>
    /// What the encoder reads of a text longer than its window (<c>head</c> or <c>head-tail</c>): `build` embeds
    /// the utterances so and records it in the manifest, whose value every query encoder then takes.
    /// </summary>
    [JsonPropertyName("long_input")]
    public string? LongInput { get; init; }

    /// <summary>The policy <see cref="LongInput"/> names, or null when the file sets none.</summary>
    [JsonIgnore]
    public Embeddings.LongInputPolicy? LongInputPolicy => LongInput is null ? null : Embeddings.LongInputPolicies.Parse(LongInput);

    /// <summary>How the settings were chosen, for the people who read the file later.</summary>
    [JsonPropertyName("fitted_on")]
    public string? FittedOn { get; init; }

    /// <summary>Figures measured while choosing (e.g. held-out APGR); informational, never read back.</summary>
    [JsonPropertyName("fit_metrics")]
    public Dictionary<string, double>? FitMetrics { get; init; }

    /// <summary>The file it was read from (<see cref="Read"/>), for messages; null when built in memory.</summary>
    [JsonIgnore]
    public string? SourcePath { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        // The file is for people to read too: keep ` and + as they are, not \u0060.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // A misspelt key would otherwise be dropped silently and its setting left at the default.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The outcome-weighing settings of <paramref name="options"/>: k, τ, β_u, β_r, λ_t and α.</summary>
    public static RankingSettingsFile From(RankingOptions options, string? fittedOn = null, Dictionary<string, double>? fitMetrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new RankingSettingsFile
        {
            K = options.K,
            Temperature = options.Temperature,
            UtteranceSmoothing = options.UtteranceSmoothingStrength,
            RouteSmoothing = options.RouteSmoothingStrength,
            TextModelWeight = options.TextModelWeight,
            // Written even at 0: served with an index that has a route head, the file then ranks as `eval
            // --served` measured it (its k and τ, the neighbours' vote alone) rather than with the head's blend.
            RouteHeadWeight = options.RouteHeadWeight,
            FittedOn = fittedOn,
            FitMetrics = fitMetrics,
        };
    }

    /// <summary>Sets on <paramref name="options"/> every setting the file gives.</summary>
    /// <exception cref="InvalidDataException">A value out of range; the message names the key.</exception>
    public void ApplyTo(RankingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Set("k", K, v => options.K = v);
        Set("temperature", Temperature, v => options.Temperature = v);
        Set("utterance_smoothing", UtteranceSmoothing, v => options.UtteranceSmoothingStrength = v);
        Set("route_smoothing", RouteSmoothing, v => options.RouteSmoothingStrength = v);
        Set("text_model_weight", TextModelWeight, v => options.TextModelWeight = v);
        Set("route_head_weight", RouteHeadWeight, v => options.RouteHeadWeight = v);
        Set("quality_head_weight", QualityHeadWeight, v => options.QualityHeadWeight = v);
        if (LeftOutModels is { } leftOut)
        {
            options.LeftOutModels = leftOut.All(m => !string.IsNullOrWhiteSpace(m))
                ? leftOut
                : throw new InvalidDataException("left_out_models: every entry must be a model name");
        }

        if (LongInput is { } name && !Embeddings.LongInputPolicies.TryParse(name, out _))
        {
            throw new InvalidDataException($"long_input must be 'head' or 'head-tail', not '{(name.Length <= 40 ? name : name[..40] + "…")}'");
        }

        if (QualityHead is { } head)
        {
            _ = RidgeQualityHead.FromFile(head); // lengths and numbers checked when read, not at the first query
        }
        else if (QualityHeadWeight > 0)
        {
            throw new InvalidDataException("quality_head_weight is above 0 but the file has no quality_head");
        }
    }

    /// <summary>The defaults with every setting the file gives set.</summary>
    /// <exception cref="InvalidDataException">A value out of range; the message names the key.</exception>
    public RankingOptions ToOptions()
    {
        var options = new RankingOptions();
        ApplyTo(options);
        return options;
    }

    /// <summary>Whether two files set the same settings (what they say of how they were fitted aside); null is a file that sets none.</summary>
    public static bool SameSettings(RankingSettingsFile? a, RankingSettingsFile? b)
    {
        a ??= new RankingSettingsFile();
        b ??= new RankingSettingsFile();
        return a.K == b.K && a.Temperature == b.Temperature && a.UtteranceSmoothing == b.UtteranceSmoothing
            && a.RouteSmoothing == b.RouteSmoothing && a.TextModelWeight == b.TextModelWeight && a.RouteHeadWeight == b.RouteHeadWeight
            && a.QualityHeadWeight == b.QualityHeadWeight && a.LongInput == b.LongInput
            && (a.LeftOutModels ?? []).SequenceEqual(b.LeftOutModels ?? [], StringComparer.Ordinal)
            && JsonSerializer.Serialize(a.QualityHead) == JsonSerializer.Serialize(b.QualityHead);
    }

    private static void Set<T>(string key, T? value, Action<T> set)
        where T : struct
    {
        if (value is not { } v)
        {
            return;
        }

        try
        {
            set(v);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{key} {v}: {ErrorMessage.Of(e)}"), e);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <exception cref="InvalidDataException">Not JSON, an unknown key, a wrong type or another schema.</exception>
    public static RankingSettingsFile FromJson(string json)
    {
        RankingSettingsFile? file;
        try
        {
            file = JsonSerializer.Deserialize<RankingSettingsFile>(json, Json);
        }
        catch (JsonException e)
        {
            // System.Text.Json's message ends in the JSON path and position, which is what a reader needs.
            throw new InvalidDataException(e.Message, e);
        }

        if (file is null)
        {
            throw new InvalidDataException("empty ranking options (the JSON is null)");
        }

        if (file.Schema != SchemaId)
        {
            throw new InvalidDataException($"schema '{file.Schema}' is not '{SchemaId}'");
        }

        // Check the ranges now, so a bad file fails when it is read and not at the first query.
        file.ApplyTo(new RankingOptions());
        return file;
    }

    /// <summary>Reads and checks a settings file.</summary>
    /// <exception cref="InvalidDataException">The file is not valid ranking options; the message names the file.</exception>
    /// <exception cref="IOException">It cannot be read.</exception>
    public static RankingSettingsFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return FromJson(File.ReadAllText(path)) with { SourcePath = path };
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Writes the file whole or not at all: a crash mid-write leaves the previous file.</summary>
    public void Write(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        AtomicWrite.ReplaceFile(path, Encoding.UTF8.GetBytes(ToJson() + "\n"));
    }
}
