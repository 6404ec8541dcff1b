using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SemanticRouter.Evaluation;
using SemanticRouter.Ranking;
using SemanticRouter.RouteHead;
using SemanticRouter.Settings;
using Spectre.Console;

namespace SemanticRouter.Cli.Commands;

/// <summary>
/// <c>semantic-router eval</c>, three modes, one file each: <c>--routes DIR</c> (<c>EvalCommand.Intents.cs</c>),
/// <c>--index DIR --test FILE</c> (<c>EvalCommand.Index.cs</c>: the served path) and <c>--outcomes FILE_OR_DIR</c>
/// (<c>EvalCommand.Outcomes.cs</c>). This file declares the options and dispatches.
/// </summary>
internal static partial class EvalCommand
{
    internal static Command Create()
    {
        var routes = new Option<string?>("--routes") { Description = "Directory from `import` (routes/*.yaml); the index is built from it (exact search).", HelpName = "DIR" };
        var test = new Option<string?>("--test") { Description = "JSON lines {\"text\", \"route\"} (route null = out of scope); default DIR/test.jsonl. With --outcomes: the test outcome files (comma-separated) of a fixed split.", HelpName = "FILE" };
        var parameters = new Option<string?>("--params") { Description = "Parameters from `fit` (default DIR/router-params.json; fitted now on training data if missing).", HelpName = "FILE" };
        var exact = new Option<bool>("--exact") { Description = "Exact brute-force neighbours (the only search eval uses until it reads an index artefact)." };
        var outcomes = new Option<string?>("--outcomes") { Description = "Outcome data: RouteLLM's CSV file or folder (weak and strong model columns; CV); with --test, the training files (RouterBench's CSV or JSONL with costs, comma-separated) of a fixed split.", HelpName = "FILE_OR_DIR" };
        var longInput = new Option<string?>("--long-input") { Description = "For --outcomes with --test: what the encoder reads of a prompt longer than its window, head or head-tail (default: chosen by CV AIQ on the training prompts).", HelpName = "POLICY" };
        var folds = new Option<int>("--folds") { Description = "Cross-validation folds for --outcomes.", DefaultValueFactory = _ => 5 };
        var noText = new Option<bool>("--no-text-model") { Description = "For --outcomes: leave the text outcome model out (λ_t 0; the harness: neighbours, routes and outcome head only), to see what it adds." };
        var innerFolds = new Option<int>("--inner-folds") { Description = "For --outcomes: folds of the inner split of each outer fold's training prompts that chooses the settings (the served ranker: k, τ, β_u, λ_t, α; the harness: k, α, ρ, λ_t and the text model's L2; default 5).", DefaultValueFactory = _ => 5 };
        var routeHead = new Option<bool>("--route-head") { Description = "For --outcomes --harness: take P(route | prompt) in the route part from a softmax regression over the routes, not from the neighbours' vote (measured, not the default: docs/evaluation.md)." };
        var routeHeadWeight = new Option<double?>("--route-head-weight")
        {
            Description = "For --outcomes --served: train a route classifier on each fold's training prompts and blend its P(route | prompt) into the ranker's route vote with this weight (RouteHeadWeight, 0–1; docs/evaluation.md).",
            HelpName = "A",
        };
        var ensemble = new Option<int>("--ensemble") { Description = "For --outcomes --harness: score each held-out prompt with the mean of the N best configurations of the inner split, not only the best (default 1).", HelpName = "N", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { Description = "Seed of the fold assignment for --outcomes (another seed, other folds: shows how much the figures move).", DefaultValueFactory = _ => 0 };
        var points = new Option<int>("--points") { Description = "Threshold sweep points (RouteLLM's num_results).", DefaultValueFactory = _ => 10 };
        var scoresFile = new Option<string?>("--scores") { Description = "For --outcomes: write every prompt's held-out score to this CSV (route, score, weak and strong outcome, prompt), to see which prompts the router sends to the strong model.", HelpName = "FILE" };
        var plot = new Option<string?>("--plot") { Description = "Write the quality-versus-strong-calls curve to this PNG.", HelpName = "FILE" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var served = new Option<bool>("--served") { Description = "For --outcomes: rank held-out prompts with the served ranker and the settings given (--k, --temperature, --utterance-smoothing, --route-smoothing, --text-model-weight, --route-head-weight, --ranking-options; defaults as `serve`), as `serve` would after `outcomes import` of the training prompts; nothing is chosen on the data." };
        var choose = new Option<bool>("--choose") { Description = "For --outcomes (the default unless --served or --harness is given; with --served, restores it): the served ranker with k, τ, β_u, λ_t and the route head's α chosen per outer fold on an inner split of its training prompts (--grid, --inner-folds)." };
        var harness = new Option<bool>("--harness") { Description = "For --outcomes: measure the harness (kNN + route + outcome head + text model, its weights chosen on an inner split; --ensemble, --route-head) instead of the served ranker (docs/evaluation.md)." };
        var gridSpec = GridFlag.Create("For --outcomes", ServedSettingsGrid.Evaluation);
        var writeOptions = new Option<string?>("--write-options") { Description = $"For --outcomes (not with --harness, nor with --served without --choose): write the settings chosen on all prompts to this file ({RankingSettingsFile.DefaultFileName}), which `serve`, `rank` and `eval --served` read with --ranking-options FILE.", HelpName = "FILE" };
        var ranking = new RankingFlags();
        var columns = new OutcomeColumnFlags();
        var model = ModelOptions.Model();
        model.Description = $"Model folder (default: ${ModelOptions.ModelEnvironmentVariable}, else with --index the one the index was built with, else {ModelOptions.DefaultModelDirectory})";
        var db = new Option<string?>("--db") { Description = "With --outcomes TRAIN --test TEST --index DIR: the outcome store of that index (`outcomes import` of TRAIN); each test prompt is also ranked through it, and the report says how often the served ranking puts eval's choice first.", HelpName = "FILE" };
        var index = new Option<string?>("--index")
        {
            Description = "Evaluate a built index artefact through the served path (RouterEngine: HNSW search, route head, ranker, abstention) instead of rebuilding from --routes.",
            HelpName = "DIR",
        };
        var command = new Command("eval", "Measure routing quality on a labelled test set, or model routing on outcome data.")
        {
            db, routes, test, parameters, exact, outcomes, longInput, harness, folds, innerFolds, ensemble, routeHead, routeHeadWeight, seed, noText, points, plot, scoresFile, json, served, choose, gridSpec, writeOptions, model, index,
        };
        foreach (var option in ranking.OutcomeOptions.Concat(columns.All))
        {
            command.Options.Add(option);
        }

        CliAction.Set(command, async (parse, stdout, stderr, _) =>
        {
            if (parse.GetValue(outcomes) is { } trainSource && parse.GetValue(test) is { } testSource)
            {
                // A fixed train/test split with many models and their costs: the cost–quality evaluation.
                return await CostQuality(new CostQualityRun(Paths(trainSource), Paths(testSource), parse.GetValue(folds), parse.GetValue(seed), parse.GetValue(longInput), parse.GetValue(plot), parse.GetValue(json), ModelOptions.Resolve(parse.GetValue(model)))
                {
                    Index = parse.GetValue(index),
                    Db = parse.GetValue(db),
                }, stdout, stderr).ConfigureAwait(false);
            }

            if (parse.GetValue(outcomes) is { } costSource && parse.GetValue(test) is null && columns.Given(parse) is null
                && !parse.GetValue(served) && !parse.GetValue(choose) && Paths(costSource) is { Length: > 0 } costPaths
                && costPaths.All(p => File.Exists(p) && SemanticRouter.Outcomes.OutcomeImporter.IsCostTable(p)))
            {
                // Many models with costs and no fixed split: the cost–quality evaluation, cross-validated.
                return await CostQuality(new CostQualityRun(costPaths, [], parse.GetValue(folds), parse.GetValue(seed), parse.GetValue(longInput), parse.GetValue(plot), parse.GetValue(json), ModelOptions.Resolve(parse.GetValue(model))), stdout, stderr).ConfigureAwait(false);
            }

            if (parse.GetValue(longInput) is not null)
            {
                throw new CliException("--long-input applies with --outcomes on tables with costs", ExitCodes.BadInput);
            }

            if (parse.GetValue(outcomes) is { } outcomeSource)
            {
                var (servedOptions, grid) = ServedSettings(parse, ranking, harness, served, choose, ensemble, routeHead, routeHeadWeight, innerFolds, noText, gridSpec, writeOptions);
                var optionsFile = parse.GetValue(writeOptions);
                if (optionsFile is not null && grid is null)
                {
                    throw new CliException("--write-options writes the settings chosen on the training folds; leave out --served (or add --choose)", ExitCodes.BadInput);
                }

                if (optionsFile is not null)
                {
                    RankingFlags.CheckSettingsOutput("--write-options", optionsFile);
                }

                return await Outcomes(new OutcomeRun(outcomeSource, parse.GetValue(columns.Weak), parse.GetValue(columns.Strong), parse.GetValue(folds), parse.GetValue(innerFolds), parse.GetValue(ensemble), parse.GetValue(routeHead), parse.GetValue(seed), !parse.GetValue(noText), parse.GetValue(points), parse.GetValue(plot), parse.GetValue(scoresFile), parse.GetValue(json), ModelOptions.Resolve(parse.GetValue(model)), servedOptions, grid, optionsFile), stdout, stderr).ConfigureAwait(false);
            }

            if (columns.Given(parse) is { } column)
            {
                throw new CliException($"{column.Name} names a column of an outcome file; it applies with --outcomes only", ExitCodes.BadInput);
            }

            // Intent evaluation has no folds or curve: an outcome flag here is a mistake, not something to ignore.
            Option[] outcomeOnly = [harness, folds, innerFolds, ensemble, routeHead, routeHeadWeight, seed, noText, points, plot, scoresFile, served, choose, gridSpec, writeOptions, .. ranking.OutcomeOptions];
            if (outcomeOnly.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } stray)
            {
                throw new CliException($"{stray.Name} applies with --outcomes only", ExitCodes.BadInput);
            }

            if (parse.GetValue(index) is { } indexDir)
            {
                string file = parse.GetValue(test) ?? throw new CliException("--index needs --test FILE.jsonl", ExitCodes.BadInput);
                return await ServedPath(indexDir, parse.GetValue(model), file, parse.GetValue(json), stdout, stderr).ConfigureAwait(false);
            }

            var dir = parse.GetValue(routes) ?? throw new CliException("give --routes DIR or --index DIR (intent evaluation), or --outcomes FILE_OR_DIR", ExitCodes.BadInput);
            return await Intents(dir, parse.GetValue(test), parse.GetValue(parameters), parse.GetValue(json), ModelOptions.Resolve(parse.GetValue(model)), stdout, stderr).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>The report's fixed JSON keys: accuracy, accuracy_no_abstain, oos_precision, oos_recall, macro_f1, n.</summary>
    internal static Dictionary<string, object?> ReportFields(ClassificationReport r) => new()
    {
        ["accuracy"] = Num(r.Accuracy),
        ["accuracy_no_abstain"] = Num(r.AccuracyNoAbstain),
        ["oos_precision"] = Num(r.OosPrecision),
        ["oos_recall"] = Num(r.OosRecall),
        ["macro_f1"] = Num(r.MacroF1),
        ["n"] = r.N,
    };

    private static double? Num(double v) => double.IsNaN(v) ? null : Math.Round(v, 6);

    private static string Pct(double v) => double.IsNaN(v) ? "n/a" : v.ToString("P2", CultureInfo.InvariantCulture);
}
