using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SemanticRouter.Evaluation;
using SemanticRouter.Ranking;
using SemanticRouter.RouteHead;
using SemanticRouter.Settings;
using Spectre.Console;

namespace SemanticRouter.Cli.Commands;

/// <summary><c>eval --outcomes FILE_OR_DIR</c>: model routing on observed outcomes, the served ranker (settings given or chosen per fold) or the harness.</summary>
internal static partial class EvalCommand
{
    /// <summary>
    /// Which router `eval --outcomes` measures, and with what. By default the served ranker with its
    /// settings chosen per fold from <see cref="ServedSettingsGrid.Evaluation"/> (as with --served
    /// --choose); --served alone ranks with the settings given; --harness measures the harness.
    /// </summary>
    private static (RankingOptions? Options, ServedSettingsGrid? Grid) ServedSettings(ParseResult parse, RankingFlags ranking, Option<bool> harness, Option<bool> served, Option<bool> choose, Option<int> ensemble, Option<bool> routeHead, Option<double?> routeHeadWeight, Option<int> innerFolds, Option<bool> noText, Option<string?> gridSpec, Option<string?> writeOptions)
    {
        bool Given(Option o) => parse.GetResult(o) is { Implicit: false };
        if (parse.GetValue(harness))
        {
            // The harness chooses its own weights on the training folds; the served ranker's flags mean nothing to it.
            Option[] servedOnly = [served, choose, gridSpec, routeHeadWeight, writeOptions, .. ranking.OutcomeOptions];
            if (servedOnly.FirstOrDefault(Given) is { } flag)
            {
                throw new CliException($"{flag.Name} applies to the served ranker, not to --harness (which chooses its own weights on the training folds)", ExitCodes.BadInput);
            }

            return (null, null);
        }

        // Without --served, the default: the served ranker with its settings chosen on the training folds.
        var choosing = parse.GetValue(choose) || !parse.GetValue(served);
        if (!choosing && parse.GetValue(gridSpec) is not null)
        {
            throw new CliException("--grid is what --choose chooses among; add --choose, or leave out --served", ExitCodes.BadInput);
        }

        if (Given(ensemble))
        {
            throw new CliException("--ensemble applies to the harness; add --harness", ExitCodes.BadInput);
        }

        if (Given(routeHead))
        {
            throw new CliException("--route-head changes the harness's route part; add --harness (the served ranker takes a route head's weight: --served --route-head-weight A, or route_head_weight in --grid)", ExitCodes.BadInput);
        }

        if (!choosing && Given(innerFolds))
        {
            throw new CliException("--inner-folds sets the split that chooses the settings; --served ranks with the settings given (add --choose, or leave out --served)", ExitCodes.BadInput);
        }

        if (choosing && ranking.ChosenOutcomeOption(parse) is { } fixedFlag)
        {
            throw new CliException($"{fixedFlag} is chosen on the training folds; add --served to rank with it given", ExitCodes.BadInput);
        }

        double? alpha = parse.GetValue(routeHeadWeight);
        if (alpha is { } a)
        {
            if (choosing)
            {
                throw new CliException("--route-head-weight is chosen on the training folds (route_head_weight in --grid); add --served to rank with it given", ExitCodes.BadInput);
            }

            if (a is not (>= 0 and <= 1))
            {
                throw new CliException($"--route-head-weight must be in [0, 1], not {a.ToString(System.Globalization.CultureInfo.InvariantCulture)}", ExitCodes.BadInput);
            }
        }

        var withoutText = parse.GetValue(noText);
        var options = ranking.BuildForOutcomes(parse, routeHeadWeight: alpha, textModelOff: withoutText);
        var grid = choosing ? GridFlag.Grid(parse.GetValue(gridSpec), !withoutText, ServedSettingsGrid.Evaluation) : null;
        return (options, grid);
    }

    /// <summary>What one <c>eval --outcomes</c> run asks for; <see cref="Served"/> set = through the served ranker with those options (or with settings chosen from <see cref="Grid"/>).</summary>
    private sealed record OutcomeRun(string Source, string? WeakColumn, string? StrongColumn, int Folds, int InnerFolds, int Ensemble, bool RouteHead, int Seed, bool TextModel, int Points, string? Plot, string? Scores, bool Json, ModelChoice Model, RankingOptions? Served, ServedSettingsGrid? Grid, string? WriteOptions);

    private static async Task<int> Outcomes(OutcomeRun run, TextWriter stdout, TextWriter stderr)
    {
        if (run.Folds < 2)
        {
            throw new CliException($"--folds must be at least 2, not {run.Folds}", ExitCodes.BadInput);
        }

        if (run.Points < 2)
        {
            throw new CliException($"--points must be at least 2 (the curve needs points between all-weak and all-strong), not {run.Points}", ExitCodes.BadInput);
        }

        if (run.InnerFolds < 2)
        {
            throw new CliException($"--inner-folds must be at least 2, not {run.InnerFolds}", ExitCodes.BadInput);
        }

        if (run.Ensemble < 1)
        {
            throw new CliException($"--ensemble must be at least 1, not {run.Ensemble}", ExitCodes.BadInput);
        }

        var data = EvalData.LoadOutcomes(run.Source, run.WeakColumn, run.StrongColumn);

        if (run.Folds > data.Prompts.Count / 2)
        {
            // Each fold must hold out at least two prompts, and its inner split needs some of each outcome.
            throw new CliException($"--folds {run.Folds} is too many for {data.Prompts.Count} prompts (at most {data.Prompts.Count / 2})", ExitCodes.BadInput);
        }

        await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"eval: {data.Prompts.Count} prompts ({data.Excluded} contaminated excluded); weak {data.WeakModel}, strong {data.StrongModel}{(data.IsGraded ? "; graded outcomes: a model's quality is its mean score" : "")}")).ConfigureAwait(false);
        if (EvalData.StrongModelWarning(data) is { } warning)
        {
            await stderr.WriteLineAsync($"eval: {warning}").ConfigureAwait(false);
        }

        using var embed = new EvalData(run.Model);
        var matrix = embed.Embed(data.Prompts, "prompts", stderr);
        void Log(string m) => stderr.WriteLine($"eval: {m}");

        // Both paths end in the same report: the router's figures and intervals, the baselines beside
        // it, and every prompt's held-out score.
        RouteLlmMetrics router;
        RouteLlmIntervals ci;
        IReadOnlyList<double> scores;
        string name;
        var shortName = run.Served is null ? "ours" : "served ranker";
        string? recommendation = null;
        RankingOptions? recommendedSettings = null;
        var recommendedInnerApgr = double.NaN;
        var baselines = new List<(string Name, string Key, RouteLlmMetrics Metrics)>();
        var fields = new Dictionary<string, object?>();
        if (run.Served is { } options)
        {
            var served = ServedOutcomeEvaluation.Run(matrix, data.Weak, data.Strong, data.Routes, data.RouteOf, data.Prompts, options, run.Folds, run.Seed, run.Points, log: Log, grid: run.Grid, innerFolds: run.InnerFolds);
            (router, ci, scores) = (served.Router, served.RouterIntervals, served.Scores);
            name = run.Grid is null
                ? string.Create(CultureInfo.InvariantCulture, $"served ranker (k {options.K}, τ {options.Temperature}, β_u {options.UtteranceSmoothingStrength}, β_r {options.RouteSmoothingStrength}, λ_t {options.TextModelWeight}{(options.RouteHeadWeight > 0 ? $", route head α {options.RouteHeadWeight}" : "")})")
                : string.Create(CultureInfo.InvariantCulture, $"served ranker (k, τ, β_u, λ_t{(run.Grid.UsesRouteHead ? ", route head α" : "")} chosen per fold; β_r {options.RouteSmoothingStrength})");
            baselines.Add(("random", "random", served.Random));
            fields["served"] = true;
            if (run.Grid is null)
            {
                fields["route_head_weight"] = options.RouteHeadWeight;
            }

            fields["ranking"] = run.Grid is null ? SettingsJson(options) : new Dictionary<string, object> { ["route_smoothing"] = options.RouteSmoothingStrength };
            if (run.Grid is not null)
            {
                fields["inner_folds"] = run.InnerFolds;
                if (served.Recommended is { } r)
                {
                    (recommendedSettings, recommendedInnerApgr) = (r, served.RecommendedInnerApgr);
                    fields["recommended"] = SettingsJson(r);
                    // α has no serve flag (it only means something with the index's route head): it travels in the file.
                    recommendation = run.WriteOptions is { } file
                        ? $"to serve the settings chosen on all {data.Prompts.Count} prompts: semantic-router build --ranking-options {file} (the index then carries them), or semantic-router serve --index DIR --ranking-options {file}"
                        : r.RouteHeadWeight > 0
                        ? string.Create(CultureInfo.InvariantCulture, $"to serve the settings chosen on all {data.Prompts.Count} prompts (route head α {r.RouteHeadWeight}: an index with a route head, from fit --routes), write them with --write-options FILE and run semantic-router build --ranking-options FILE")
                        : string.Create(CultureInfo.InvariantCulture,
                            $"to serve the settings chosen on all {data.Prompts.Count} prompts: SEMANTIC_ROUTER_DEFAULT_K={r.K} semantic-router serve --index DIR --temperature {r.Temperature} --utterance-smoothing {r.UtteranceSmoothingStrength} --text-model-weight {r.TextModelWeight} (or write them with --write-options FILE)");
                }

                fields["chosen"] = served.ChosenPerFold.Select(c => new Dictionary<string, object?> { ["fold"] = c.Fold, ["k"] = c.K, ["temperature"] = c.Temperature, ["utterance_smoothing"] = c.UtteranceSmoothing, ["text_model_weight"] = c.TextModelWeight, ["route_head_weight"] = c.RouteHeadWeight, ["inner_apgr"] = Num(c.InnerApgr) }).ToList();
            }
        }
        else
        {
            var result = OutcomeEvaluation.Run(matrix, data.Weak, data.Strong, run.Folds, seed: run.Seed, points: run.Points, log: Log, routes: data.RouteOf, texts: run.TextModel ? data.Prompts : null, innerFolds: run.InnerFolds, ensemble: run.Ensemble, routeHead: run.RouteHead);
            (router, ci, scores) = (result.Router, result.RouterIntervals, result.Scores);
            name = run.TextModel ? "ours (kNN + route + outcome head + text model)" : "ours (kNN + route + outcome head)";
            baselines.Add(("kNN only", "knn_only", result.KnnOnly));
            baselines.Add(("random", "random", result.Random));
            fields["text_model"] = run.TextModel;
            fields["inner_folds"] = run.InnerFolds;
            fields["ensemble"] = run.Ensemble;
            fields["route_head"] = run.RouteHead;
            fields["chosen"] = result.ChosenPerFold.Select(c => new Dictionary<string, object> { ["fold"] = c.Fold, ["k"] = c.K, ["temperature"] = c.Temperature, ["alpha"] = c.Alpha, ["rho"] = c.Rho, ["text_weight"] = c.TextWeight, ["text_l2"] = c.TextL2 }).ToList();
        }

        // Written after the report is out: if the write fails, the minutes of measuring are not lost with it.
        void WriteChosenSettings()
        {
            if (run.WriteOptions is { } optionsFile && recommendedSettings is { } chosenSettings)
            {
                WriteSettings(optionsFile, chosenSettings, recommendedInnerApgr, router, data, run);
                stderr.WriteLine($"eval: wrote the settings chosen on all prompts to {optionsFile}");
            }
        }

        if (run.Plot is not null)
        {
            OutcomePlot.Write(run.Plot, [(shortName, router), .. baselines.Select(b => (b.Name, b.Metrics))], data, run.Folds);
        }

        if (run.Scores is not null)
        {
            await WriteScoresAsync(run.Scores, scores, data).ConfigureAwait(false);
        }

        if (run.Json)
        {
            var o = new Dictionary<string, object?>
            {
                ["apgr"] = Num(router.Apgr),
                ["cpt50"] = Num(router.Cpt50),
                ["cpt80"] = Num(router.Cpt80),
                ["apgr_ci"] = Interval(ci.Apgr),
                ["cpt50_ci"] = Interval(ci.Cpt50),
                ["cpt80_ci"] = Interval(ci.Cpt80),
                ["ci_level"] = ci.Level,
                ["ci_resamples"] = ci.Resamples,
            };
            foreach (var (_, key, m) in baselines)
            {
                o[key] = new Dictionary<string, object?> { ["apgr"] = Num(m.Apgr), ["cpt50"] = Num(m.Cpt50), ["cpt80"] = Num(m.Cpt80) };
            }

            o["weak_model"] = data.WeakModel;
            o["strong_model"] = data.StrongModel;
            o["weak_accuracy"] = Num(router.WeakQuality);
            o["strong_accuracy"] = Num(router.StrongQuality);
            o["graded"] = data.IsGraded;
            o["n"] = data.Prompts.Count;
            o["folds"] = run.Folds;
            o["seed"] = run.Seed;
            foreach (var (key, value) in fields)
            {
                o[key] = value;
            }

            await stdout.WriteLineAsync(JsonSerializer.Serialize(o)).ConfigureAwait(false);
            WriteChosenSettings();
            return 0;
        }

        var console = Terminal.For(stdout);
        var table = new Table().AddColumn("router").AddColumn(new TableColumn("APGR").RightAligned()).AddColumn(new TableColumn("CPT(50%)").RightAligned()).AddColumn(new TableColumn("CPT(80%)").RightAligned());
        foreach (var (label, m) in new[] { (name, router) }.Concat(baselines.Select(b => (b.Name, b.Metrics))))
        {
            table.AddRow(Markup.Escape(label), m.Apgr.ToString("F3", CultureInfo.InvariantCulture), Pct(m.Cpt50), Pct(m.Cpt80));
        }

        console.Write(table);
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{data.Prompts.Count} prompts, {run.Folds}-fold CV (seed {run.Seed}); weak {data.WeakModel} {router.WeakQuality:P1}, strong {data.StrongModel} {router.StrongQuality:P1}{(data.IsGraded ? " (mean scores)" : "")}")).ConfigureAwait(false);
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{shortName}, {ci.Level:P0} bootstrap interval over prompts ({ci.Resamples} resamples): APGR {ci.Apgr.Lower:F3}–{ci.Apgr.Upper:F3}, CPT(50%) {Pct(ci.Cpt50.Lower)}–{Pct(ci.Cpt50.Upper)}, CPT(80%) {Pct(ci.Cpt80.Lower)}–{Pct(ci.Cpt80.Upper)}")).ConfigureAwait(false);
        if (recommendation is not null)
        {
            await stdout.WriteLineAsync(recommendation).ConfigureAwait(false);
        }

        WriteChosenSettings();
        return 0;
    }


    /// <summary>The served ranker settings an outcome evaluation ranked with or recommends.</summary>
    private static Dictionary<string, object> SettingsJson(RankingOptions o) => new()
    {
        ["k"] = o.K,
        ["temperature"] = o.Temperature,
        ["utterance_smoothing"] = o.UtteranceSmoothingStrength,
        ["route_smoothing"] = o.RouteSmoothingStrength,
        ["text_model_weight"] = o.TextModelWeight,
        ["route_head_weight"] = o.RouteHeadWeight,
    };

    /// <summary>[lower, upper]; an infinite bound (a CPT some resamples never reach) is null.</summary>
    private static double?[] Interval(ConfidenceInterval c) => [double.IsFinite(c.Lower) ? Num(c.Lower) : null, double.IsFinite(c.Upper) ? Num(c.Upper) : null];

    /// <summary>
    /// The settings chosen on all prompts, as a --ranking-options file; its fit_metrics carry the nested
    /// estimate of what they serve (the outer folds' figures), not the optimistic inner one alone.
    /// </summary>
    private static void WriteSettings(string file, RankingOptions chosen, double innerApgr, RouteLlmMetrics outer, OutcomeDataset data, OutcomeRun run)
    {
        var metrics = new Dictionary<string, double>
        {
            ["inner_apgr"] = Math.Round(innerApgr, 6),
            ["apgr"] = Math.Round(outer.Apgr, 6),
            ["cpt50"] = Math.Round(outer.Cpt50, 6),
            ["cpt80"] = Math.Round(outer.Cpt80, 6),
        };
        var fittedOn = string.Create(CultureInfo.InvariantCulture,
            $"eval --outcomes --served --choose: best APGR on a {run.InnerFolds}-fold split of all {data.Prompts.Count} prompts ({data.WeakModel} vs {data.StrongModel}); apgr/cpt50/cpt80 are the {run.Folds}-fold nested estimate (seed {run.Seed})");
        RankingFlags.WriteSettingsFile("--write-options", file, RankingSettingsFile.From(chosen, fittedOn, metrics.Where(m => double.IsFinite(m.Value)).ToDictionary()));
    }

    private static async Task WriteScoresAsync(string file, IReadOnlyList<double> scores, OutcomeDataset data)
    {
        try
        {
            await using var writer = new StreamWriter(file);
            await writer.WriteLineAsync("route,score,weak,strong,prompt").ConfigureAwait(false);
            for (var i = 0; i < data.Prompts.Count; i++)
            {
                await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{Csv(data.Routes[data.RouteOf[i]])},{scores[i]:R},{data.Weak[i]:R},{data.Strong[i]:R},{Csv(data.Prompts[i])}")).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot write --scores {file}: {e.Message}", ExitCodes.BadInput);
        }
    }

    private static string Csv(string field) => field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;
}
