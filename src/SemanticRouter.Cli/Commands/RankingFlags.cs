using System.CommandLine;
using System.Globalization;
using SemanticRouter.Ranking;
using SemanticRouter.Settings;

namespace SemanticRouter.Cli.Commands;

/// <summary>
/// The ranking settings that `serve`, `rank` and `eval --served` take on the command line: where an
/// abstaining query goes, the vote's temperature, the threshold of routes that set none, how strongly
/// observed outcomes are smoothed, how much earlier conversation turns count, and a settings file. For
/// `rank` and `eval --served` they become <see cref="RankingOverrides"/> and a <see cref="RankingSettingsFile"/>;
/// `serve` takes only the flags, each a server setting (<see cref="ServeCommand"/>). Which value wins is
/// <see cref="RankingSettingsResolver"/>'s to decide, not this class's.
/// </summary>
internal sealed class RankingFlags
{
    private readonly Option<string?> _fallback = new("--fallback-route")
    {
        Description = "Route whose target models are ranked when the router abstains (default: none; the abstention is only flagged)",
        HelpName = "ROUTE",
    };

    private readonly Option<double?> _temperature = new("--temperature")
    {
        Description = "τ of the neighbour vote, w = exp((s − s_max)/τ); default 0.05. Routing on observed outcomes does better at 0.1–0.2 (docs/ranking.md). A fitted head's τ wins, unless the --ranking-options file sets route_head_weight.",
    };

    private readonly Option<double?> _threshold = new("--default-threshold")
    {
        Description = "Abstention threshold on the top-1 cosine for routes whose file sets none (default 0)",
    };

    private readonly Option<double?> _routeSmoothing = new("--route-smoothing")
    {
        Description = "β_r: pseudo-trials that shrink a route's observed success rate towards its route file's prior (default 10)",
    };

    private readonly Option<double?> _utteranceSmoothing = new("--utterance-smoothing")
    {
        Description = "β_u: pseudo-trials that shrink an utterance's observed success rate towards its route's (default 4)",
    };

    private readonly Option<double?> _conversationDecay = new("--conversation-decay")
    {
        Description = "γ: weight of the previous turn when a request carries earlier turns (the one before gets γ², …); default 0.5, 0 = last turn only",
    };

    private readonly Option<double?> _textModelWeight = new("--text-model-weight")
    {
        Description = "λ_t: weight of the text outcome model (word n-grams of the query, fitted on stored outcomes with text) against the neighbours' success estimate; default 0.2, 0 = off",
    };

    private readonly Option<int?> _k = new("--k")
    {
        Description = "For --served: neighbours that vote (k); default 10. Routing on observed outcomes does better with 50 or more (docs/ranking.md).",
    };

    private readonly Option<string?> _settingsFile = new("--ranking-options")
    {
        Description = "Ranker settings file (k, temperature, utterance_smoothing, route_smoothing, text_model_weight, route_head_weight), e.g. what `fit --outcomes` chose; `serve` and `rank` default to the one the index carries (build --ranking-options), if any; a flag given too wins",
        HelpName = "FILE",
    };

    public IEnumerable<Option> Options => [_settingsFile, _fallback, _temperature, _threshold, _routeSmoothing, _utteranceSmoothing, _conversationDecay, _textModelWeight];

    /// <summary>
    /// The settings `eval --outcomes --served` ranks with: those that change how outcomes are weighed
    /// (no fallback, threshold or conversation there: every held-out prompt is one query in scope).
    /// </summary>
    public IEnumerable<Option> OutcomeOptions => [_settingsFile, _k, _temperature, _routeSmoothing, _utteranceSmoothing, _textModelWeight];

    /// <summary>
    /// The options <see cref="OutcomeOptions"/> ask for (the file's first, then the flags), defaults elsewhere,
    /// resolved without an index; with `eval`'s own --route-head-weight and --no-text-model as explicit settings.
    /// </summary>
    /// <exception cref="CliException">A value out of range, or a settings file that cannot be read.</exception>
    public RankingOptions BuildForOutcomes(ParseResult parse, double? routeHeadWeight = null, bool textModelOff = false)
    {
        var overrides = OutcomeOverrides(parse) with { RouteHeadWeight = routeHeadWeight };
        if (textModelOff)
        {
            overrides = overrides with { TextModelWeight = 0 };
        }

        return Resolve(parse, overrides).Options;
    }

    /// <summary>The flags of `serve` and `rank` as explicit settings (each null when not given).</summary>
    public RankingOverrides Overrides(ParseResult parse) => new()
    {
        FallbackRoute = parse.GetValue(_fallback),
        Temperature = parse.GetValue(_temperature),
        DefaultThreshold = parse.GetValue(_threshold),
        RouteSmoothing = parse.GetValue(_routeSmoothing),
        UtteranceSmoothing = parse.GetValue(_utteranceSmoothing),
        ConversationDecay = parse.GetValue(_conversationDecay),
        TextModelWeight = parse.GetValue(_textModelWeight),
    };

    /// <summary>The flags of `eval --served` (<see cref="OutcomeOptions"/>) as explicit settings.</summary>
    private RankingOverrides OutcomeOverrides(ParseResult parse) => new()
    {
        K = parse.GetValue(_k),
        Temperature = parse.GetValue(_temperature),
        RouteSmoothing = parse.GetValue(_routeSmoothing),
        UtteranceSmoothing = parse.GetValue(_utteranceSmoothing),
        TextModelWeight = parse.GetValue(_textModelWeight),
    };

    /// <summary>The resolution of the --ranking-options file and <paramref name="overrides"/> without an index, with errors as one CLI line.</summary>
    private ResolvedRanking Resolve(ParseResult parse, RankingOverrides overrides)
    {
        var file = SettingsFile(parse);
        try
        {
            return RankingSettingsResolver.Resolve(null, file, overrides);
        }
        catch (RankingSettingsException e)
        {
            throw Explain(e);
        }
    }

    /// <summary>A setting the resolver refused, as the one line that names the flag it came from.</summary>
    internal static CliException Explain(RankingSettingsException e)
    {
        string flag = e.Key is { } key ? "--" + key.Replace('_', '-') : "--ranking-options";
        return new CliException(e.Key == "fallback_route" ? $"{flag} {e.Value} {e.Problem}" : $"{flag}: {e.Problem ?? e.Message}", ExitCodes.BadInput);
    }

    /// <summary>The --ranking-options file, checked; null when not given.</summary>
    /// <exception cref="CliException">The file is missing, unreadable or not valid ranking options (one line naming it).</exception>
    public RankingSettingsFile? SettingsFile(ParseResult parse) =>
        parse.GetValue(_settingsFile) is { } path ? ReadSettingsFile(path) : null;

    /// <summary>A ranking settings file, checked (for --ranking-options of every command that takes one).</summary>
    /// <exception cref="CliException">The file is missing, unreadable or not valid ranking options (one line naming it).</exception>
    internal static RankingSettingsFile ReadSettingsFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"--ranking-options {path}: file not found", ExitCodes.BadInput);
        }

        try
        {
            return RankingSettingsFile.Read(path);
        }
        catch (InvalidDataException e)
        {
            throw new CliException($"--ranking-options {e.Message}", ExitCodes.BadInput);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"--ranking-options: cannot read {path}: {e.Message}", ExitCodes.BadInput);
        }
    }

    /// <summary>Refuses a settings file to write whose directory is missing: checked before the minutes of choosing, not after.</summary>
    public static void CheckSettingsOutput(string flag, string file)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(file)) is { } directory && !Directory.Exists(directory))
        {
            throw new CliException($"{flag} {file}: directory {directory} does not exist", ExitCodes.BadInput);
        }
    }

    /// <summary>Writes chosen settings for a later --ranking-options (atomically; one line when it cannot).</summary>
    public static void WriteSettingsFile(string flag, string file, RankingSettingsFile settings)
    {
        try
        {
            settings.Write(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot write {flag} {file}: {e.Message}", ExitCodes.BadInput);
        }
    }

    /// <summary>The first given flag among those `eval --served --choose` chooses (all of <see cref="OutcomeOptions"/> but --route-smoothing), or null.</summary>
    public string? ChosenOutcomeOption(ParseResult parse) =>
        new Option[] { _settingsFile, _k, _temperature, _utteranceSmoothing, _textModelWeight }.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false })?.Name;

    /// <summary>Whether any of <see cref="OutcomeOptions"/> was given.</summary>
    public bool AnyOutcomeOption(ParseResult parse) => OutcomeOptions.Any(o => parse.GetResult(o) is { Implicit: false });

    /// <summary>The settings a file sets, e.g. "k 125, temperature 1, route_head_weight 0.5".</summary>
    internal static string Describe(RankingSettingsFile settings)
    {
        var parts = new List<string>();
        void Add(string key, double? value)
        {
            if (value is { } v)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{key} {v}"));
            }
        }

        Add("k", settings.K);
        Add("temperature", settings.Temperature);
        Add("utterance_smoothing", settings.UtteranceSmoothing);
        Add("route_smoothing", settings.RouteSmoothing);
        Add("text_model_weight", settings.TextModelWeight);
        Add("route_head_weight", settings.RouteHeadWeight);
        return parts.Count == 0 ? "none set (the defaults)" : string.Join(", ", parts);
    }
}
