using System.CommandLine;
using SemanticRouter.Evaluation;

namespace SemanticRouter.Cli.Commands;

/// <summary><c>semantic-router fit --routes DIR [--validation FILE] [--out FILE]</c>.</summary>
internal static class FitCommand
{
    internal static Command Create()
    {
        var routes = new Option<string>("--routes") { Description = "Directory from `import` (DIR/routes/*.yaml) or a routes folder.", Required = true, HelpName = "DIR" };
        var validation = new Option<string?>("--validation") { Description = "Held-out JSON lines ({text, route|null}) to choose the blend and the out-of-scope threshold on; default: DIR/validation.jsonl when present, else cross-validation on the utterances. DIR/oos_train.jsonl, when present, trains an out-of-scope class of the head.", HelpName = "FILE" };
        var output = new Option<string?>("--out") { Description = "Parameters file to write (default: DIR/router-params.json).", HelpName = "FILE" };
        var model = ModelOptions.Model();
        var maxLoss = new Option<double>("--max-accuracy-loss") { Description = "In-scope accuracy the abstention threshold may cost on held-out data.", DefaultValueFactory = _ => RouterFitOptions.DefaultMaxAccuracyLoss };
        var command = new Command("fit", "Choose k, temperature, head weight and the abstention threshold on training data only.") { routes, validation, output, model, maxLoss };
        CliAction.Set(command, async (parse, stdout, stderr, ct) =>
        {
            var dir = parse.GetValue(routes)!;
            var p = Fit(dir, parse.GetValue(validation), parse.GetValue(model)!, parse.GetValue(maxLoss), stderr);
            var path = parse.GetValue(output) ?? Path.Combine(dir, "router-params.json");
            await File.WriteAllTextAsync(path, p.ToJson(), ct).ConfigureAwait(false);
            await stdout.WriteLineAsync($"wrote {path}").ConfigureAwait(false);
            await stdout.WriteLineAsync(p.ToJson()).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    /// <summary>Fits on the routes (and the validation data, when there is any).</summary>
    internal static FittedParameters Fit(string dir, string? validationFile, string modelDir, double maxLoss, TextWriter log)
    {
        var (routeNames, texts, labels) = EvalData.LoadRoutes(dir);
        using var data = new EvalData(modelDir);
        var matrix = data.Embed(texts, "route utterances", log);
        var files = validationFile is not null
            ? [validationFile]
            : new[] { Path.Combine(dir, "validation.jsonl") }.Where(File.Exists).ToArray();
        float[]? vMatrix = null;
        int[]? vLabels = null;
        if (files.Length > 0)
        {
            var rows = files.SelectMany(EvalData.LoadJsonl).ToList();
            var index = routeNames.Select((r, i) => (r, i)).ToDictionary(x => x.r, x => x.i, StringComparer.Ordinal);
            rows = rows.Where(r => r.Route is null || index.ContainsKey(r.Route)).ToList();
            vMatrix = data.Embed(rows.Select(r => r.Text).ToList(), "validation", log);
            vLabels = rows.Select(r => r.Route is null ? -1 : index[r.Route]).ToArray();
        }

        var oosTraining = LoadOutOfScopeTraining(dir, data, log);
        return RouterFitter.Fit(routeNames, matrix, labels, vMatrix, vLabels, new RouterFitOptions { MaxAccuracyLoss = maxLoss }, m => log.WriteLine($"fit: {m}"), oosTraining);
    }

    /// <summary>DIR/oos_train.jsonl (out-of-scope training examples), embedded; null when absent.</summary>
    internal static float[]? LoadOutOfScopeTraining(string dir, EvalData data, TextWriter log)
    {
        var path = Path.Combine(dir, "oos_train.jsonl");
        if (!File.Exists(path))
        {
            return null;
        }

        var texts = EvalData.LoadJsonl(path).Where(r => r.Route is null).Select(r => r.Text).ToList();
        return texts.Count == 0 ? null : data.Embed(texts, "out-of-scope training examples", log);
    }
}
