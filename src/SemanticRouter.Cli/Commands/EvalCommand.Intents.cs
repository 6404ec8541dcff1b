using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SemanticRouter.Evaluation;
using SemanticRouter.Ranking;
using SemanticRouter.RouteHead;
using SemanticRouter.Settings;
using Spectre.Console;

namespace SemanticRouter.Cli.Commands;

/// <summary><c>eval --routes DIR</c>: the design on labelled data, exact search and a freshly trained head, beside the baselines.</summary>
internal static partial class EvalCommand
{
    private static async Task<int> Intents(string dir, string? testFile, string? paramsFile, bool json, ModelChoice model, TextWriter stdout, TextWriter stderr)
    {
        if (!Directory.Exists(dir))
        {
            throw new CliException($"routes directory '{dir}' not found", ExitCodes.BadInput);
        }

        testFile ??= Path.Combine(dir, "test.jsonl");
        paramsFile ??= Path.Combine(dir, RouteHeadParameters.DefaultFileName);
        RouteHeadParameters p;
        if (File.Exists(paramsFile))
        {
            p = RouteHeadParameters.Read(paramsFile);
        }
        else
        {
            await stderr.WriteLineAsync($"eval: no {paramsFile}; fitting on training data first").ConfigureAwait(false);
            p = FitCommand.Fit(dir, FitCommand.ValidationFile(dir, null), model, RouteHeadFitOptions.DefaultMaxAccuracyLoss, stderr);
        }

        var (routeNames, texts, labels) = EvalData.LoadRoutes(dir);
        var rows = EvalData.LoadJsonl(testFile);
        EvalData.WarnUnknownRoutes(rows, routeNames, testFile, stderr);
        using var data = new EvalData(model);
        var matrix = data.Embed(texts, "route utterances", stderr);
        var testMatrix = data.Embed(rows.Select(r => r.Text).ToList(), "test set", stderr);
        var oosTraining = p.HeadOutOfScopeClass ? FitCommand.LoadOutOfScopeTraining(dir, data, stderr) : null;
        var result = IntentEvaluation.Run(routeNames, matrix, labels, testMatrix, rows.Select(r => r.Route).ToList(), p, log: m => stderr.WriteLine($"eval: {m}"), outOfScopeTraining: oosTraining);
        var r = result.Report;
        if (json)
        {
            var o = ReportFields(r);
            o["baselines"] = result.Baselines.Select(b => new Dictionary<string, object?> { ["method"] = b.Method, ["accuracy"] = Num(b.Report.Accuracy), ["macro_f1"] = Num(b.Report.MacroF1) }).ToList();
            o["params"] = JsonDocument.Parse(p.ToJson()).RootElement;
            await stdout.WriteLineAsync(JsonSerializer.Serialize(o)).ConfigureAwait(false);
            return 0;
        }

        var console = Terminal.For(stdout);
        var table = new Table().AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("accuracy (in-scope, abstain = wrong)", Pct(r.Accuracy));
        table.AddRow("accuracy_no_abstain", Pct(r.AccuracyNoAbstain));
        table.AddRow("oos_precision", Pct(r.OosPrecision));
        table.AddRow("oos_recall", Pct(r.OosRecall));
        table.AddRow("macro_f1", Pct(r.MacroF1));
        table.AddRow("n (in-scope / out-of-scope)", string.Create(CultureInfo.InvariantCulture, $"{r.N} ({r.InScope} / {r.OutOfScope})"));
        console.Write(table);
        var baselines = new Table().AddColumn("method (same embeddings, no abstention)").AddColumn(new TableColumn("accuracy").RightAligned()).AddColumn(new TableColumn("macro_f1").RightAligned());
        foreach (var (method, report) in result.Baselines)
        {
            baselines.AddRow(Markup.Escape(method), Pct(report.Accuracy), Pct(report.MacroF1));
        }

        baselines.AddRow("ours, abstention off", Pct(r.AccuracyNoAbstain), "");
        console.Write(baselines);
        var confused = new Table().AddColumn("expected").AddColumn("predicted").AddColumn(new TableColumn("count").RightAligned());
        foreach (var c in r.MostConfused)
        {
            confused.AddRow(Markup.Escape(c.Expected), Markup.Escape(c.Predicted), c.Count.ToString(CultureInfo.InvariantCulture));
        }

        console.Write(confused);
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"params: k={p.K} temperature={p.Temperature} route_head_weight={p.RouteHeadWeight} head_temperature={p.HeadTemperature} head_l2={p.HeadL2} abstain={p.AbstainRule}<{p.Threshold:F4}")).ConfigureAwait(false);
        return 0;
    }
}
