using System.Globalization;
using System.Text.Json;
using SemanticRouter.Embeddings;
using SemanticRouter.Engine;
using SemanticRouter.Evaluation;
using SemanticRouter.Outcomes.Tables;
using Spectre.Console;

namespace SemanticRouter.Cli.Commands;

/// <summary>
/// <c>eval --outcomes TRAIN --test TEST</c>: the N-model, cost-aware router on a fixed split (RouterBench's),
/// with AIQ, the zero router, the best single model and the curve as λ moves (docs/evaluation.md#routerbench).
/// </summary>
internal static partial class EvalCommand
{
    /// <summary>What one cost–quality run asks for.</summary>
    private sealed record CostQualityRun(IReadOnlyList<string> Train, IReadOnlyList<string> Test, int Folds, int Seed, string? LongInput, string? Plot, bool Json, ModelChoice Model)
    {
        /// <summary>An index built from the training prompts (`import outcomes`, `fit --outcomes`, `build`) to rank the test prompts through too.</summary>
        public string? Index { get; init; }

        /// <summary>Its outcome store (`outcomes import` of the training files).</summary>
        public string? Db { get; init; }
    }

    /// <summary>One λ of the served check: how often the served ranking put eval's choice first, and what its picks scored.</summary>
    private sealed record ServedAgreement(double Lambda, int Agree, int Prompts, double ServedQuality, double ServedCost, double EvalQuality, double EvalCost);

    /// <summary>The λs the served check ranks at, all on eval's curve: 0 (quality only), about 0.0075, 0.075 and 0.75, and 10⁶ (the cheapest predicted).</summary>
    private static readonly int[] ServedLambdaSteps = [0, 8, 16, 24, 42];

    /// <summary>
    /// Ranks every test prompt through the index at each λ (<see cref="ServedLambdaSteps"/>) as `rank` and `serve`
    /// do (<see cref="RouterEngine.RankAsync"/>), and compares the first model with eval's choice.
    /// </summary>
    private static async Task<List<ServedAgreement>> CheckServed(string indexDir, string? db, CostQualityChoice choice, CostQualitySet test, IReadOnlyList<string> prompts, TextWriter stderr)
    {
        var lambdas = ServedLambdaSteps.Select(i => CostQualityEvaluation.Lambdas[i]).ToArray();
        var choices = CostQualityEvaluation.Choices(choice.Train, test, choice.Settings, lambdas);
        // Each prompt is ranked at every λ in turn: a small cache embeds it once.
        var (engine, encoder) = EngineOptions.Open(indexDir, null, db, embeddingCache: 16);
        using (encoder)
        using (engine)
        {
            var m = test.ModelCount;
            var agree = new int[lambdas.Length];
            var served = new double[lambdas.Length * 2];
            var evaluated = new double[lambdas.Length * 2];
            var models = test.Models.Select((name, j) => (name, j)).ToDictionary(p => p.name, p => p.j, StringComparer.Ordinal);
            for (var i = 0; i < prompts.Count; i++)
            {
                for (var l = 0; l < lambdas.Length; l++)
                {
                    var decision = await engine.RankAsync(new EngineQuery(prompts[i]) { CostWeight = lambdas[l] }).ConfigureAwait(false);
                    var top = models.TryGetValue(decision.Ranking.Models[0].Model, out var j) ? j
                        : throw new CliException($"--index ranks '{decision.Ranking.Models[0].Model}', which the test files do not name: build the index from the training files", ExitCodes.BadInput);
                    var pick = choices[l][i];
                    agree[l] += top == pick ? 1 : 0;
                    served[l * 2] += test.Scores[(i * m) + top];
                    served[(l * 2) + 1] += test.Costs[(i * m) + top];
                    evaluated[l * 2] += test.Scores[(i * m) + pick];
                    evaluated[(l * 2) + 1] += test.Costs[(i * m) + pick];
                }

                if ((i + 1) % 100 == 0 || i + 1 == prompts.Count)
                {
                    await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"eval: ranked {i + 1}/{prompts.Count} test prompts through {indexDir}")).ConfigureAwait(false);
                }
            }

            var n = prompts.Count;
            return [.. lambdas.Select((lambda, l) => new ServedAgreement(lambda, agree[l], n, served[l * 2] / n, served[(l * 2) + 1] / n, evaluated[l * 2] / n, evaluated[(l * 2) + 1] / n))];
        }
    }

    /// <summary>Comma-separated paths (files or folders) of one flag.</summary>
    internal static string[] Paths(string value) => [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    internal static OutcomeTable ReadTable(IReadOnlyList<string> paths, string flag, TextWriter stderr, string command = "eval")
    {
        OutcomeTable table;
        try
        {
            table = OutcomeTableReader.Read(paths);
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or IOException)
        {
            throw new CliException($"{flag}: {e.Message}", ExitCodes.BadInput);
        }

        foreach (var s in table.Skipped.Take(5))
        {
            stderr.WriteLine($"{command}: skipped {s}");
        }

        if (table.Skipped.Count > 5)
        {
            stderr.WriteLine($"{command}: skipped {table.Skipped.Count - 5} more rows with a blank cell");
        }

        if (table.Rows.Count == 0)
        {
            throw new CliException($"{flag}: no prompts with every model's outcome", ExitCodes.BadInput);
        }

        if (!table.HasCosts)
        {
            if (table.Rows.FirstOrDefault(r => r.Costs is not null) is { } priced)
            {
                throw new CliException($"{flag}: {Path.GetFileName(priced.Source)} carries costs and another file does not: give every file its costs, or none", ExitCodes.BadInput);
            }
        }

        return table;
    }

    /// <summary>What every call costs in a table without costs: the same for each model, so only quality tells them apart.</summary>
    private const double UnitCost = 1;

    /// <summary>
    /// The table as the evaluation reads it, its models in ordinal name order: ties of score then go to
    /// the same model as in the ranker, which breaks them by name.
    /// </summary>
    private static CostQualitySet ToSet(OutcomeTable table, float[] matrix, int dims)
    {
        var m = table.Models.Count;
        var order = Enumerable.Range(0, m).OrderBy(j => table.Models[j], StringComparer.Ordinal).ToArray();
        var scores = new double[table.Rows.Count * m];
        var costs = new double[table.Rows.Count * m];
        for (var i = 0; i < table.Rows.Count; i++)
        {
            for (var j = 0; j < m; j++)
            {
                scores[(i * m) + j] = table.Rows[i].Scores[order[j]];
                costs[(i * m) + j] = table.Rows[i].Costs?[order[j]] ?? UnitCost;
            }
        }

        return new CostQualitySet(matrix, dims, [.. order.Select(j => table.Models[j])], scores, costs, [.. table.Rows.Select(r => r.Group)]);
    }

    /// <summary>What the training folds chose: the long-input policy, the training set read with it, the settings and their CV AIQ.</summary>
    internal sealed record CostQualityChoice(LongInputPolicy Policy, CostQualitySet Train, CostQualitySettings Settings, double CvAiq);

    /// <summary>
    /// The one choice `eval --outcomes TRAIN --test TEST` and `fit --outcomes` (cost tables) make on training
    /// prompts alone: per long-input policy (or the one given), the settings with the best CV AIQ; then the
    /// policy whose best is best (head is kept on a tie).
    /// </summary>
    internal static CostQualityChoice ChooseOnTraining(OutcomeTable train, ModelChoice model, int folds, int seed, LongInputPolicy? fixedPolicy, string command, TextWriter stderr)
    {
        void Log(string m) => stderr.WriteLine($"{command}: {m}");
        var policies = fixedPolicy is { } only ? [only] : new[] { LongInputPolicy.Head, LongInputPolicy.HeadTail };
        var prompts = train.Rows.Select(r => r.Prompt).ToList();
        CostQualityChoice? best = null;
        foreach (var policy in policies)
        {
            using var embed = new EvalData(model, policy);
            var set = ToSet(train, embed.Embed(prompts, $"training prompts ({LongInputPolicies.Name(policy)})", stderr), embed.Dimensions);
            var (settings, cv) = CostQualityEvaluation.Choose(set, CostQualityGrid.Default, folds, seed, 0);
            Log(string.Create(CultureInfo.InvariantCulture, $"long input {LongInputPolicies.Name(policy)}: CV AIQ {cv:F4} ({settings})"));
            if (best is null || cv > best.CvAiq)
            {
                best = new CostQualityChoice(policy, set, settings, cv);
            }
        }

        Log($"long input: {LongInputPolicies.Name(best!.Policy)}{(fixedPolicy is null ? " (chosen on the training folds)" : "")}");
        return best;
    }

    private static async Task<int> CostQuality(CostQualityRun run, TextWriter stdout, TextWriter stderr)
    {
        if (run.Folds < 2)
        {
            throw new CliException($"--folds must be at least 2, not {run.Folds}", ExitCodes.BadInput);
        }

        LongInputPolicy? fixedPolicy = null;
        if (run.LongInput is { } name)
        {
            fixedPolicy = LongInputPolicies.TryParse(name, out var p) ? p : throw new CliException($"--long-input must be head or head-tail, not '{Clip(name)}'", ExitCodes.BadInput);
        }

        var train = ReadTable(run.Train, "--outcomes", stderr);
        if (run.Test.Count == 0)
        {
            return await CostQualityFolds(run, train, fixedPolicy, stdout, stderr).ConfigureAwait(false);
        }

        var test = ReadTable(run.Test, "--test", stderr);
        if (train.HasCosts != test.HasCosts)
        {
            throw new CliException($"{(train.HasCosts ? "--test" : "--outcomes")} has no costs and {(train.HasCosts ? "--outcomes" : "--test")} has: give both their costs, or neither", ExitCodes.BadInput);
        }

        if (!train.HasCosts)
        {
            // Tables without costs (the JSONL form's "costs" is optional) still ask which model for this prompt.
            // Every call then costs the same (ToSet), the curve is one point, and AIQ is the quality of the λ = 0
            // pick, set against the best single model's (CostQualityEvaluation).
            await stderr.WriteLineAsync("eval: --outcomes and --test: no costs (RouterBench's MODEL|total_cost columns, or \"costs\" in JSONL): every call counts as 1, so the router is judged on quality alone").ConfigureAwait(false);
        }

        if (!train.Models.SequenceEqual(test.Models, StringComparer.Ordinal))
        {
            throw new CliException($"--test names the models {string.Join(", ", test.Models)}, but --outcomes names {string.Join(", ", train.Models)}", ExitCodes.BadInput);
        }

        await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"eval: {train.Rows.Count} training prompts, {test.Rows.Count} test prompts, {train.Models.Count} models")).ConfigureAwait(false);
        void Log(string m) => stderr.WriteLine($"eval: {m}");
        var choice = ChooseOnTraining(train, run.Model, run.Folds, run.Seed, fixedPolicy, "eval", stderr);
        var chosenPolicy = choice.Policy;
        CostQualitySet testSet;
        using (var embed = new EvalData(run.Model, chosenPolicy))
        {
            testSet = ToSet(test, embed.Embed([.. test.Rows.Select(r => r.Prompt)], "test prompts", stderr), embed.Dimensions);
        }

        var report = CostQualityEvaluation.Run(choice.Train, testSet, CostQualityGrid.Default, run.Folds, run.Seed, log: Log, chosen: (choice.Settings, choice.CvAiq));
        List<ServedAgreement>? served = null;
        if (run.Index is { } indexDir)
        {
            served = await CheckServed(indexDir, run.Db, choice, testSet, [.. test.Rows.Select(r => r.Prompt)], stderr).ConfigureAwait(false);
        }

        return await WriteReport(report, chosenPolicy, run, served, null, stdout).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>eval --outcomes FILE</c> on tables with costs and no <c>--test</c>: <c>--folds</c>-fold cross-validation,
    /// everything (the long-input policy too) chosen on each fold's training part (<see cref="CostQualityEvaluation.CrossValidate"/>).
    /// </summary>
    private static async Task<int> CostQualityFolds(CostQualityRun run, OutcomeTable table, LongInputPolicy? fixedPolicy, TextWriter stdout, TextWriter stderr)
    {
        if (run.Index is not null)
        {
            throw new CliException("--index checks the served ranking on a fixed split: give --test TEST too", ExitCodes.BadInput);
        }

        if (table.Rows.Count < 4 * run.Folds)
        {
            throw new CliException($"{table.Rows.Count} prompts are too few for {run.Folds} folds within {run.Folds} folds (at least {4 * run.Folds})", ExitCodes.BadInput);
        }

        await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"eval: {table.Rows.Count} prompts, {table.Models.Count} models, {run.Folds}-fold cross-validation (settings chosen on each fold's training part)")).ConfigureAwait(false);
        var policies = fixedPolicy is { } only ? [only] : new[] { LongInputPolicy.Head, LongInputPolicy.HeadTail };
        var prompts = table.Rows.Select(r => r.Prompt).ToList();
        var variants = new List<CostQualitySet>();
        foreach (var policy in policies)
        {
            using var embed = new EvalData(run.Model, policy);
            variants.Add(ToSet(table, embed.Embed(prompts, $"prompts ({LongInputPolicies.Name(policy)})", stderr), embed.Dimensions));
        }

        var report = CostQualityEvaluation.CrossValidate(variants, CostQualityGrid.Default, run.Folds, run.Seed, 0, m => stderr.WriteLine($"eval: {m}"), out var perFold);
        var mostCommon = perFold.GroupBy(c => c.Variant).OrderByDescending(g => g.Count()).First().Key;
        var folds = perFold.Select(c => new Dictionary<string, object?>
        {
            ["fold"] = c.Fold,
            ["k"] = c.Settings.K,
            ["temperature"] = c.Settings.Temperature,
            ["head_weight"] = c.Settings.HeadWeight,
            ["head_l2"] = c.Settings.HeadL2,
            ["prune_dominated"] = c.Settings.PruneDominated,
            ["long_input"] = LongInputPolicies.Name(policies[c.Variant]),
            ["inner_cv_aiq"] = Num(c.InnerCvAiq),
        }).ToList();
        return await WriteReport(report, policies[mostCommon], run, null, folds, stdout).ConfigureAwait(false);
    }

    private static async Task<int> WriteReport(CostQualityReport report, LongInputPolicy chosenPolicy, CostQualityRun run, List<ServedAgreement>? served, List<Dictionary<string, object?>>? folds, TextWriter stdout)
    {
        if (run.Plot is { } plotFile)
        {
            CostQualityPlot.Write(plotFile, report);
        }

        if (run.Json)
        {
            var json = CostQualityJson(report, chosenPolicy, run);
            if (folds is not null)
            {
                json["chosen_per_fold"] = folds;
            }

            if (served is not null)
            {
                json["served"] = served.Select(a => new Dictionary<string, object?>
                {
                    ["lambda"] = a.Lambda,
                    ["agree"] = a.Agree,
                    ["prompts"] = a.Prompts,
                    ["agreement"] = Num((double)a.Agree / a.Prompts),
                    ["served_quality"] = Num(a.ServedQuality),
                    ["served_cost"] = Num(a.ServedCost),
                    ["eval_quality"] = Num(a.EvalQuality),
                    ["eval_cost"] = Num(a.EvalCost),
                }).ToList();
            }

            await stdout.WriteLineAsync(JsonSerializer.Serialize(json)).ConfigureAwait(false);
            return 0;
        }

        var console = Terminal.For(stdout);
        var inv = CultureInfo.InvariantCulture;
        var table = new Table().AddColumn("model").AddColumn(new TableColumn("quality").RightAligned());
        if (report.FlatCost)
        {
            // No costs: quality alone, best first.
            foreach (var x in report.Models.OrderByDescending(x => x.Quality))
            {
                table.AddRow(Markup.Escape(x.Model), x.Quality.ToString("F4", inv));
            }

            table.AddRow("[bold]oracle[/]", report.Oracle.Quality.ToString("F4", inv));
            console.Write(table);
            await stdout.WriteLineAsync(string.Create(inv, $"{report.TestPrompts} test prompts, {report.TrainPrompts} training prompts, no costs; best single {report.BestSingle.Model} {report.BestSingle.Quality:F4}")).ConfigureAwait(false);
            await stdout.WriteLineAsync(string.Create(inv, $"router (its first model per prompt) {report.Top1Quality:F4}, {report.Top1Quality - report.BestSingle.Quality:+0.0000;-0.0000} against the best single model (AIQ, with every call costing the same, is this quality: {report.Aiq:F4}, zero router {report.ZeroRouterAiq:F4})")).ConfigureAwait(false);
            await stdout.WriteLineAsync($"chosen on the training folds: {report.Chosen}, long input {LongInputPolicies.Name(chosenPolicy)}").ConfigureAwait(false);
            return 0;
        }

        table.AddColumn(new TableColumn("cost / query").RightAligned());
        foreach (var x in report.Models.OrderBy(x => x.Cost))
        {
            table.AddRow(Markup.Escape(x.Model), x.Quality.ToString("F4", inv), Usd(x.Cost));
        }

        table.AddRow("[bold]oracle[/]", report.Oracle.Quality.ToString("F4", inv), Usd(report.Oracle.Cost));
        console.Write(table);
        await stdout.WriteLineAsync(string.Create(inv, $"{report.TestPrompts} test prompts, {report.TrainPrompts} training prompts; best single {report.BestSingle.Model} {report.BestSingle.Quality:F4} at {Usd(report.BestSingle.Cost)}")).ConfigureAwait(false);
        await stdout.WriteLineAsync(string.Create(inv, $"AIQ {report.Aiq:F4} (zero router {report.ZeroRouterAiq:F4}); quality at the best single's cost {report.QualityAtBestCost:F4}, at 80 % of it {report.QualityAt80PercentBestCost:F4}; cost to match it {Pct(report.CostToMatchBest)}; λ = 0 quality {report.Top1Quality:F4}")).ConfigureAwait(false);
        await stdout.WriteLineAsync($"chosen on the training folds: {report.Chosen}, long input {LongInputPolicies.Name(chosenPolicy)}").ConfigureAwait(false);
        foreach (var a in served ?? [])
        {
            await stdout.WriteLineAsync(string.Create(inv, $"served (--index) at λ {a.Lambda:G4}: eval's choice first for {a.Agree}/{a.Prompts} test prompts; quality {a.ServedQuality:F4} at {Usd(a.ServedCost)} (eval {a.EvalQuality:F4} at {Usd(a.EvalCost)})")).ConfigureAwait(false);
        }

        return 0;
    }

    private static Dictionary<string, object?> CostQualityJson(CostQualityReport r, LongInputPolicy policy, CostQualityRun run) => new()
    {
        ["models"] = r.Models.Select(x => new Dictionary<string, object?> { ["model"] = x.Model, ["quality"] = Num(x.Quality), ["cost"] = Num(x.Cost) }).ToList(),
        ["best_single"] = new Dictionary<string, object?> { ["model"] = r.BestSingle.Model, ["quality"] = Num(r.BestSingle.Quality), ["cost"] = Num(r.BestSingle.Cost) },
        ["oracle"] = new Dictionary<string, object?> { ["quality"] = Num(r.Oracle.Quality), ["cost"] = Num(r.Oracle.Cost) },
        ["curve"] = r.Curve.Select(p => new Dictionary<string, object?> { ["lambda"] = p.Lambda, ["cost"] = Num(p.Cost), ["quality"] = Num(p.Quality) }).ToList(),
        ["aiq"] = Num(r.Aiq),
        ["zero_router_aiq"] = Num(r.ZeroRouterAiq),
        ["max_cost"] = Num(r.MaxCost),
        ["quality_at_best_cost"] = Num(r.QualityAtBestCost),
        ["quality_at_80pct_best_cost"] = Num(r.QualityAt80PercentBestCost),
        ["cost_to_match_best"] = Num(r.CostToMatchBest),
        ["top1_quality"] = Num(r.Top1Quality),
        ["costs"] = !r.FlatCost, // false: the tables had no costs, every call counted as 1, and aiq is the best quality
        ["chosen"] = new Dictionary<string, object?>
        {
            ["k"] = r.Chosen.K,
            ["temperature"] = r.Chosen.Temperature,
            ["head_weight"] = r.Chosen.HeadWeight,
            ["head_l2"] = r.Chosen.HeadL2,
            ["prune_dominated"] = r.Chosen.PruneDominated,
            ["long_input"] = LongInputPolicies.Name(policy),
            ["cv_aiq"] = Num(r.ChosenCvAiq),
        },
        ["n_train"] = r.TrainPrompts,
        ["n"] = r.TestPrompts,
        ["folds"] = run.Folds,
        ["seed"] = run.Seed,
    };

    private static string Usd(double v) => (v * 1000).ToString("F3", CultureInfo.InvariantCulture) + " m$";

    private static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
