using System.Globalization;
using System.Text.Json;
using SemanticRouter.Embeddings;
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
    private sealed record CostQualityRun(IReadOnlyList<string> Train, IReadOnlyList<string> Test, int Folds, int Seed, string? LongInput, string? Plot, bool Json, ModelChoice Model);

    /// <summary>Comma-separated paths (files or folders) of one flag.</summary>
    private static string[] Paths(string value) => [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private static OutcomeTable ReadTable(IReadOnlyList<string> paths, string flag, TextWriter stderr)
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
            stderr.WriteLine($"eval: skipped {s}");
        }

        if (table.Skipped.Count > 5)
        {
            stderr.WriteLine($"eval: skipped {table.Skipped.Count - 5} more rows with a blank cell");
        }

        if (table.Rows.Count == 0)
        {
            throw new CliException($"{flag}: no prompts with every model's outcome", ExitCodes.BadInput);
        }

        if (!table.HasCosts)
        {
            throw new CliException($"{flag}: no costs (RouterBench's MODEL|total_cost columns, or \"costs\" in JSONL): cost–quality routing needs each call's cost", ExitCodes.BadInput);
        }

        return table;
    }

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
                costs[(i * m) + j] = table.Rows[i].Costs![order[j]];
            }
        }

        return new CostQualitySet(matrix, dims, [.. order.Select(j => table.Models[j])], scores, costs, [.. table.Rows.Select(r => r.Group)]);
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
        var test = ReadTable(run.Test, "--test", stderr);
        if (!train.Models.SequenceEqual(test.Models, StringComparer.Ordinal))
        {
            throw new CliException($"--test names the models {string.Join(", ", test.Models)}, but --outcomes names {string.Join(", ", train.Models)}", ExitCodes.BadInput);
        }

        await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"eval: {train.Rows.Count} training prompts, {test.Rows.Count} test prompts, {train.Models.Count} models")).ConfigureAwait(false);
        void Log(string m) => stderr.WriteLine($"eval: {m}");

        // The long-input policy: given, or chosen as everything else is, by CV AIQ on the training prompts.
        var policies = fixedPolicy is { } only ? [only] : new[] { LongInputPolicy.Head, LongInputPolicy.HeadTail };
        var trainPrompts = train.Rows.Select(r => r.Prompt).ToList();
        (LongInputPolicy Policy, CostQualitySet Set, CostQualitySettings Settings, double CvAiq)? best = null;
        foreach (var policy in policies)
        {
            using var embed = new EvalData(run.Model, policy);
            var set = ToSet(train, embed.Embed(trainPrompts, $"training prompts ({LongInputPolicies.Name(policy)})", stderr), embed.Dimensions);
            if (policies.Length > 1)
            {
                var (settings, cv) = CostQualityEvaluation.Choose(set, CostQualityGrid.Default, run.Folds, run.Seed, 0);
                Log(string.Create(CultureInfo.InvariantCulture, $"long input {LongInputPolicies.Name(policy)}: CV AIQ {cv:F4} ({settings})"));
                if (best is null || cv > best.Value.CvAiq)
                {
                    best = (policy, set, settings, cv);
                }
            }
            else
            {
                best = (policy, set, null!, double.NaN);
            }
        }

        var chosenPolicy = best!.Value.Policy;
        Log($"long input: {LongInputPolicies.Name(chosenPolicy)}{(fixedPolicy is null ? " (chosen on the training folds)" : "")}");
        CostQualitySet testSet;
        using (var embed = new EvalData(run.Model, chosenPolicy))
        {
            testSet = ToSet(test, embed.Embed([.. test.Rows.Select(r => r.Prompt)], "test prompts", stderr), embed.Dimensions);
        }

        var report = CostQualityEvaluation.Run(best.Value.Set, testSet, CostQualityGrid.Default, run.Folds, run.Seed, log: Log);
        if (run.Plot is { } plotFile)
        {
            CostQualityPlot.Write(plotFile, report);
        }

        if (run.Json)
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(CostQualityJson(report, chosenPolicy, run))).ConfigureAwait(false);
            return 0;
        }

        var console = Terminal.For(stdout);
        var table = new Table().AddColumn("model").AddColumn(new TableColumn("quality").RightAligned()).AddColumn(new TableColumn("cost / query").RightAligned());
        foreach (var x in report.Models.OrderBy(x => x.Cost))
        {
            table.AddRow(Markup.Escape(x.Model), x.Quality.ToString("F4", CultureInfo.InvariantCulture), Usd(x.Cost));
        }

        table.AddRow("[bold]oracle[/]", report.Oracle.Quality.ToString("F4", CultureInfo.InvariantCulture), Usd(report.Oracle.Cost));
        console.Write(table);
        var inv = CultureInfo.InvariantCulture;
        await stdout.WriteLineAsync(string.Create(inv, $"{report.TestPrompts} test prompts, {report.TrainPrompts} training prompts; best single {report.BestSingle.Model} {report.BestSingle.Quality:F4} at {Usd(report.BestSingle.Cost)}")).ConfigureAwait(false);
        await stdout.WriteLineAsync(string.Create(inv, $"AIQ {report.Aiq:F4} (zero router {report.ZeroRouterAiq:F4}); quality at the best single's cost {report.QualityAtBestCost:F4}, at 80 % of it {report.QualityAt80PercentBestCost:F4}; cost to match it {Pct(report.CostToMatchBest)}; λ = 0 quality {report.Top1Quality:F4}")).ConfigureAwait(false);
        await stdout.WriteLineAsync($"chosen on the training folds: {report.Chosen}, long input {LongInputPolicies.Name(chosenPolicy)}").ConfigureAwait(false);
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
