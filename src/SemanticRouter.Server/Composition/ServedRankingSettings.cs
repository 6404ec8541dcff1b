using System.Globalization;
using Microsoft.Extensions.Options;
using SemanticRouter.Artifacts;
using SemanticRouter.Ranking;
using SemanticRouter.Server.Hosting;

namespace SemanticRouter.Server.Composition;

/// <summary>
/// The ranking settings the engine is opened with: the configured settings file (else the one the index
/// carries, else the defaults), each configured setting over it. Stands in until the engine's own settings
/// resolver (issue 26) takes <see cref="RankingHostOptions"/> and gives options, default k and warnings;
/// it decides exactly what `serve` decided before, and nothing else should grow here.
/// </summary>
internal sealed record ServedRankingSettings(RankingOptions Options, double? RouteHeadWeight, int DefaultK, string Source, IReadOnlyList<string> Warnings)
{
    /// <exception cref="OptionsValidationException">The fallback route is not a route of the index, or the default k is over MaxK.</exception>
    public static ServedRankingSettings Resolve(RankingHostOptions settings, RouterArtifact artifact, int maxK)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(artifact);
        RankingSettingsFile? file;
        string source;
        if (settings.RankingOptionsFile is { } path)
        {
            (file, source) = (RankingSettingsFile.Read(path), $"{SettingNames.Section}:{nameof(settings.RankingOptionsFile)} {path}");
        }
        else if (artifact.RankingSettings is { } carried)
        {
            (file, source) = (carried, $"the index's {ArtifactFiles.RankingSettings}");
        }
        else
        {
            (file, source) = (null, "the defaults");
        }

        var options = file?.ToOptions() ?? new RankingOptions();
        if (settings.DefaultK is { } k)
        {
            options.K = k;
        }

        if (settings.Temperature is { } temperature)
        {
            options.Temperature = temperature;
        }

        if (settings.DefaultThreshold is { } threshold)
        {
            options.DefaultThreshold = threshold;
        }

        if (settings.RouteSmoothing is { } routeSmoothing)
        {
            options.RouteSmoothingStrength = routeSmoothing;
        }

        if (settings.UtteranceSmoothing is { } utteranceSmoothing)
        {
            options.UtteranceSmoothingStrength = utteranceSmoothing;
        }

        if (settings.ConversationDecay is { } decay)
        {
            options.ConversationDecay = decay;
        }

        if (settings.TextModelWeight is { } textWeight)
        {
            options.TextModelWeight = textWeight;
        }

        if (settings.FallbackRoute is { } fallback)
        {
            var routes = artifact.Catalog.Routes.Select(r => r.Name).ToList();
            if (!routes.Contains(fallback, StringComparer.Ordinal))
            {
                throw Invalid(nameof(settings.FallbackRoute),
                    $"'{fallback}' is not a route of the index (routes: {string.Join(", ", routes.Take(10))}{(routes.Count > 10 ? ", …" : "")}).");
            }

            options.FallbackRoute = fallback;
        }

        // With a fitted route head and no α, the engine ranks with the head's own k and τ (docs/ranking.md).
        double? alpha = file?.RouteHeadWeight;
        var warnings = new List<string>();
        var head = artifact.Head;
        bool headDecides = head is not null && alpha is null;
        if (headDecides && (settings.Temperature ?? file?.Temperature) is not null)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"the temperature ({(settings.Temperature is null ? source : SettingNames.Describe(nameof(settings.Temperature)))}) is ignored: the index has a fitted route head, whose τ ({head!.Parameters.Tau}) the ranking uses (a settings file with route_head_weight keeps its own k and τ)"));
        }

        if (headDecides && (settings.DefaultK ?? file?.K) is not null)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"the k ({(settings.DefaultK is null ? source : SettingNames.Describe(nameof(settings.DefaultK)))}) is ignored: the index has a fitted route head, whose k ({head!.Parameters.K}) the ranking uses (a settings file with route_head_weight keeps its own k and τ)"));
        }

        if (alpha is > 0 && head is null)
        {
            warnings.Add($"route_head_weight ({source}) is ignored: the index has no route head (fit --routes, then build, trains one)");
        }

        int defaultK = headDecides ? head!.Parameters.K : options.K;
        if (defaultK > maxK)
        {
            throw Invalid(nameof(settings.DefaultK),
                $"must be in 1..MaxK ({maxK}), not {defaultK} (the k of {(settings.DefaultK is null ? (headDecides ? "the index's route head" : source) : "this setting")}); raise {SettingNames.Section}:MaxK or set a smaller k.");
        }

        return new ServedRankingSettings(options, alpha, defaultK, source, warnings);
    }

    /// <summary>The settings as one line for the start-up log, e.g. "k 10, temperature 0.05, …".</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"default k {DefaultK}, temperature {Options.Temperature}, utterance_smoothing {Options.UtteranceSmoothingStrength}, route_smoothing {Options.RouteSmoothingStrength}, text_model_weight {Options.TextModelWeight}, route_head_weight {(RouteHeadWeight is { } a ? a.ToString(CultureInfo.InvariantCulture) : "the head's fit (if any)")}, conversation_decay {Options.ConversationDecay}, default_threshold {Options.DefaultThreshold}, fallback_route {Options.FallbackRoute ?? "none"}");

    private static OptionsValidationException Invalid(string key, string message) =>
        new(Microsoft.Extensions.Options.Options.DefaultName, typeof(RankingHostOptions), [$"{SettingNames.Describe(key)} {message}"]);
}
