using System.Globalization;
using SemanticRouter.Ranking;
using SemanticRouter.RouteHead;

namespace SemanticRouter.Settings;

/// <summary>What an index brings to the settings: those it carries, its route head's fit and its routes.</summary>
/// <param name="CarriedSettings">The <c>ranking-options.json</c> the artefact carries (<c>build --ranking-options</c>), or null.</param>
/// <param name="RouteHead">The fitted route head's parameters, or null when the index has no route head.</param>
/// <param name="Routes">The index's route names (a fallback route must be one of them).</param>
public sealed record IndexRankingContext(RankingSettingsFile? CarriedSettings, RouteHeadParameters? RouteHead, IReadOnlyCollection<string> Routes);

/// <summary>How the route posterior P(r|q) is formed.</summary>
public enum RouteHeadUse
{
    /// <summary>No route head: the neighbours' vote alone.</summary>
    None,

    /// <summary>Intent routing: the route head's own fitted blend (its k, τ and α), as <c>fit</c> and <c>eval --index</c> measure it.</summary>
    FittedBlend,

    /// <summary>Outcome routing: the head classifier blended into the ranker's own neighbours' vote at the settings' α.</summary>
    Weighted,
}

/// <summary>The settings a router ranks with, and how they came about.</summary>
/// <param name="Options">What the ranker ranks with; <c>Options.K</c> is also the k of a request that gives none.</param>
/// <param name="RouteHead">How the route posterior is formed.</param>
/// <param name="Warnings">Settings given but not used, one sentence each (for logs).</param>
public sealed record ResolvedRanking(RankingOptions Options, RouteHeadUse RouteHead, IReadOnlyList<string> Warnings)
{
    /// <summary>The k of a request that gives none (0 over gRPC): the resolved k, the route head's fitted k in intent routing.</summary>
    public int DefaultK => Options.K;

    /// <summary>The settings file that took part (the one given, else the one the index carries), or null.</summary>
    public RankingSettingsFile? SettingsFile { get; init; }

    /// <summary>Where <see cref="SettingsFile"/> came from, for messages: its path, or "the index's ranking-options.json".</summary>
    public string? SettingsSource { get; init; }

    /// <summary>The settings file's quality head, ready to predict (null: none, or its weight is 0).</summary>
    public QualityHeadPredictor? QualityHead { get; init; }
}

/// <summary>A quality head with its models' names: each model's quality predicted from a query's embedding.</summary>
public sealed class QualityHeadPredictor(RidgeQualityHead head, IReadOnlyList<string> models)
{
    public int Dimensions => head.Dimensions;

    /// <summary>Model → predicted quality in [0, 1].</summary>
    public Dictionary<string, double> Predict(ReadOnlySpan<float> embedding)
    {
        Span<double> p = stackalloc double[head.Models];
        head.Predict(embedding, p);
        var estimates = new Dictionary<string, double>(models.Count, StringComparer.Ordinal);
        for (var m = 0; m < models.Count; m++)
        {
            estimates[models[m]] = p[m];
        }

        return estimates;
    }
}

/// <summary>A setting out of range, or a fallback route the index does not have.</summary>
public sealed class RankingSettingsException : ArgumentException
{
    public RankingSettingsException() { }

    public RankingSettingsException(string message) : base(message) { }

    public RankingSettingsException(string message, Exception innerException) : base(message, innerException) { }

    public RankingSettingsException(string key, string value, string problem, Exception? innerException = null)
        : base($"{key} {value}: {problem}", innerException)
    {
        Key = key;
        Value = value;
        Problem = problem;
    }

    /// <summary>The setting, named as in <c>ranking-options.json</c> (e.g. <c>temperature</c>).</summary>
    public string? Key { get; }

    /// <summary>The value given.</summary>
    public string? Value { get; }

    /// <summary>What is wrong with it, one sentence (e.g. "Temperature must be positive and finite.").</summary>
    public string? Problem { get; }
}

/// <summary>
/// The one place that decides which ranking settings win (docs/ranking.md has the table). For each setting,
/// highest first:
/// <list type="number">
/// <item>an explicit setting (<see cref="RankingOverrides"/>: a flag, the server's configuration);</item>
/// <item>the settings file given (<c>--ranking-options</c>), else the one the index carries; a given file
/// replaces the carried one, it is not merged with it;</item>
/// <item>the defaults of <see cref="RankingOptions"/>.</item>
/// </list>
/// Except with a route head and no <c>route_head_weight</c> anywhere (intent routing): then k, τ and α are the
/// head's fit, which <c>fit --routes</c> chose and <c>eval --index</c> measures, and a k or τ given elsewhere
/// is ignored with a warning. With <c>route_head_weight</c> given (outcome routing) the settings' own k and τ
/// rank and α weighs the head. Without a route head, a <c>route_head_weight</c> above 0 is ignored with a warning.
/// <c>rank</c>, <c>serve</c>, <c>eval --index</c>, <c>outcomes import</c> and every <c>RouterEngine</c> resolve
/// through here (the engine at start and on each reload, with the settings it started on); <c>eval --served</c>
/// too, without an index.
/// </summary>
public static class RankingSettingsResolver
{
    /// <summary>τ that stands for the head's "Infinity" (a plain vote): the ranker's τ must be finite.</summary>
    public const double PlainVoteTemperature = 1e6;

    /// <summary>Resolves the settings; <paramref name="index"/> null = no index (an evaluation that ranks without one).</summary>
    /// <exception cref="RankingSettingsException">An explicit setting out of range, or a fallback route the index does not have.</exception>
    /// <exception cref="InvalidDataException">A settings file value out of range (files are checked when read, so only a file built in memory).</exception>
    public static ResolvedRanking Resolve(IndexRankingContext? index, RankingSettingsFile? file = null, RankingOverrides? overrides = null)
    {
        overrides ??= RankingOverrides.None;
        string? source = file?.SourcePath ?? (file is null ? null : "the given ranking settings");
        if (file is null && index?.CarriedSettings is { } carried)
        {
            (file, source) = (carried, $"the index's {RankingSettingsFile.DefaultFileName}");
        }

        var options = new RankingOptions();
        file?.ApplyTo(options);
        Set("k", overrides.K, v => options.K = v);
        Set("temperature", overrides.Temperature, v => options.Temperature = v);
        Set("utterance_smoothing", overrides.UtteranceSmoothing, v => options.UtteranceSmoothingStrength = v);
        Set("route_smoothing", overrides.RouteSmoothing, v => options.RouteSmoothingStrength = v);
        Set("text_model_weight", overrides.TextModelWeight, v => options.TextModelWeight = v);
        Set("route_head_weight", overrides.RouteHeadWeight, v => options.RouteHeadWeight = v);
        Set("cost_weight", overrides.CostWeight, v => options.CostWeight = v);
        Set("default_threshold", overrides.DefaultThreshold, v => options.DefaultThreshold = v);
        Set("conversation_decay", overrides.ConversationDecay, v => options.ConversationDecay = v);
        if (overrides.FallbackRoute is { } fallback)
        {
            if (index is not null && !index.Routes.Contains(fallback))
            {
                var routes = index.Routes.Order(StringComparer.Ordinal).ToList();
                throw new RankingSettingsException("fallback_route", $"'{fallback}'",
                    $"is not a route of the index (routes: {string.Join(", ", routes.Take(10))}{(routes.Count > 10 ? ", …" : "")})");
            }

            Set("fallback_route", $"'{fallback}'", () => options.FallbackRoute = fallback);
        }

        var warnings = new List<string>();
        var use = RouteHeadUse.None;
        double? alpha = overrides.RouteHeadWeight ?? file?.RouteHeadWeight;
        if (index?.RouteHead is { } head)
        {
            if (alpha is null)
            {
                use = RouteHeadUse.FittedBlend;
                var inv = CultureInfo.InvariantCulture;
                Ignored("k", overrides.K is not null, file?.K is not null, $"k ({head.K.ToString(inv)})");
                Ignored("temperature", overrides.Temperature is not null, file?.Temperature is not null, $"τ ({head.Temperature.ToString(inv)})");
                options.K = head.K;
                options.Temperature = head.Temperature > 0 && double.IsFinite(head.Temperature) ? head.Temperature : PlainVoteTemperature;
                options.RouteHeadWeight = head.RouteHeadWeight;
            }
            else
            {
                use = RouteHeadUse.Weighted;
            }
        }
        else if (index is not null && alpha > 0)
        {
            warnings.Add($"{Origin(overrides.RouteHeadWeight is not null)} route_head_weight is ignored: the index has no route head (fit --routes, then build, trains one)");
            options.RouteHeadWeight = 0;
        }

        var qualityHead = options.QualityHeadWeight > 0 && file?.QualityHead is { } q ? new QualityHeadPredictor(RidgeQualityHead.FromFile(q), q.Models) : null;
        return new ResolvedRanking(options, use, warnings) { SettingsFile = file, SettingsSource = file is null ? null : source, QualityHead = qualityHead };

        string Origin(bool explicitly) => explicitly ? "the given" : $"{source}:";

        void Ignored(string key, bool explicitly, bool inFile, string fitted)
        {
            if (explicitly || inFile)
            {
                warnings.Add($"{Origin(explicitly)} {key} is ignored: the index has a fitted route head, whose {fitted} the ranking uses (a file with route_head_weight keeps its own k and τ; docs/ranking.md)");
            }
        }
    }

    // RankingOptions' setters hold the ranges; their message, without the parameter name, names the problem.
    private static void Set<T>(string key, T? value, Action<T> set)
        where T : struct
    {
        if (value is { } v)
        {
            Set(key, Convert.ToString(v, CultureInfo.InvariantCulture) ?? "", () => set(v));
        }
    }

    private static void Set(string key, string value, Action set)
    {
        try
        {
            set();
        }
        catch (ArgumentException e)
        {
            throw new RankingSettingsException(key, value, ErrorMessage.Of(e), e);
        }
    }
}
