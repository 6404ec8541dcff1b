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
        var maxLoss = new Option<double>("--max-accuracy-loss") { Description = "In-scope accuracy the abstention threshold may cost on held-out data, as a fraction (0.019 = 1.9 points).", DefaultValueFactory = _ => RouterFitOptions.DefaultMaxAccuracyLoss };
        var merge = new Option<bool>("--merge-validation")
        {
            Description = "After choosing the parameters, append the validation set's in-scope examples to their route files (duplicates skipped), so the next build indexes and trains on them too. Later fits on the same validation set are then optimistic.",
        };
        var command = new Command("fit", "Choose k, temperature, head weight and the abstention threshold on training data only.") { routes, validation, output, model, maxLoss, merge };
        CliAction.Set(command, async (parse, stdout, stderr, ct) =>
        {
            var dir = parse.GetValue(routes)!;
            double loss = parse.GetValue(maxLoss);
            if (!(loss is >= 0 and < 1))
            {
                throw new CliException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"--max-accuracy-loss is a fraction in [0, 1) (0.019 = 1.9 points), not {loss}"), ExitCodes.BadInput);
            }

            var validationFile = ValidationFile(dir, parse.GetValue(validation));
            if (parse.GetValue(merge) && validationFile is null)
            {
                throw new CliException($"--merge-validation needs a validation set: {Path.Combine(dir, "validation.jsonl")} not found and no --validation given", ExitCodes.BadInput);
            }

            var p = Fit(dir, validationFile, parse.GetValue(model)!, loss, stderr);
            if (parse.GetValue(merge))
            {
                var (added, skipped) = MergeValidation(dir, validationFile!);
                p = p with { FittedOn = p.FittedOn + $"; then {added} validation examples merged into the route files" };
                await stderr.WriteLineAsync($"fit: merged {added} validation examples into the route files ({skipped} skipped: already route utterances)").ConfigureAwait(false);
            }

            var path = parse.GetValue(output) ?? Path.Combine(dir, "router-params.json");
            await File.WriteAllTextAsync(path, p.ToJson(), ct).ConfigureAwait(false);
            await stdout.WriteLineAsync($"wrote {path}").ConfigureAwait(false);
            await stdout.WriteLineAsync(p.ToJson()).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    /// <summary>--validation, else DIR/validation.jsonl when present, else null (cross-validation).</summary>
    internal static string? ValidationFile(string dir, string? explicitFile) =>
        explicitFile ?? (File.Exists(Path.Combine(dir, "validation.jsonl")) ? Path.Combine(dir, "validation.jsonl") : null);

    /// <summary>Fits on the routes (and the validation data, when there is any).</summary>
    internal static FittedParameters Fit(string dir, string? validationFile, string modelDir, double maxLoss, TextWriter log)
    {
        var (routeNames, texts, labels) = EvalData.LoadRoutes(dir);
        using var data = new EvalData(modelDir);
        var matrix = data.Embed(texts, "route utterances", log);
        float[]? vMatrix = null;
        int[]? vLabels = null;
        if (validationFile is not null)
        {
            var rows = EvalData.LoadJsonl(validationFile);
            var index = routeNames.Select((r, i) => (r, i)).ToDictionary(x => x.r, x => x.i, StringComparer.Ordinal);
            EvalData.WarnUnknownRoutes(rows, routeNames, validationFile, log, "fit", "they are left out");
            rows = rows.Where(r => r.Route is null || index.ContainsKey(r.Route)).ToList();
            if (!rows.Any(r => r.Route is not null))
            {
                throw new CliException($"{validationFile} has no in-scope line naming a route of {dir}: nothing to fit on", ExitCodes.BadInput);
            }

            var known = new HashSet<string>(texts.Select(Routes.RouteNames.UtteranceKey), StringComparer.Ordinal);
            int leaked = rows.Count(r => r.Route is not null && known.Contains(Routes.RouteNames.UtteranceKey(r.Text)));
            if (leaked > 0)
            {
                // E.g. a fit after --merge-validation: those items find themselves among the neighbours.
                log.WriteLine($"fit: warning: {leaked} of the validation examples are also route utterances; held-out figures are optimistic");
            }

            vMatrix = data.Embed(rows.Select(r => r.Text).ToList(), "validation", log);
            vLabels = rows.Select(r => r.Route is null ? -1 : index[r.Route]).ToArray();
        }

        var oosTraining = LoadOutOfScopeTraining(dir, data, log);
        return RouterFitter.Fit(routeNames, matrix, labels, vMatrix, vLabels, new RouterFitOptions { MaxAccuracyLoss = maxLoss }, m => log.WriteLine($"fit: {m}"), oosTraining);
    }

    /// <summary>
    /// Appends the in-scope examples of <paramref name="validationFile"/> to their routes, one atomic
    /// write per route; examples already in some route are skipped, so a second merge adds nothing.
    /// After model selection the held-out examples are just more labelled data: on CLINC150 the
    /// served accuracy went from 95.49 to 95.53 % with the parameters unchanged.
    /// </summary>
    internal static (int Added, int Skipped) MergeValidation(string dir, string validationFile)
    {
        var routesDir = EvalData.RoutesDirectory(dir);
        // Lines naming routes the directory does not have were left out of the fit (with a warning);
        // they are left out of the merge too, rather than failing it half-way.
        var known = EvalData.LoadRoutes(dir).Routes.ToHashSet(StringComparer.Ordinal);
        int added = 0, skipped = 0;
        foreach (var group in EvalData.LoadJsonl(validationFile).Where(r => r.Route is not null && known.Contains(r.Route)).GroupBy(r => r.Route!, StringComparer.Ordinal))
        {
            try
            {
                var result = Routes.RouteFileEditor.AddUtterances(routesDir, group.Key, group.Select(r => r.Text), skipDuplicates: true);
                added += result.Added.Count;
                skipped += result.SkippedDuplicates.Count;
            }
            catch (Routes.RouteEditException e)
            {
                throw new CliException($"{validationFile}: route '{group.Key}': {e.Message} ({added} examples merged before this one)", ExitCodes.BadInput);
            }
        }

        return (added, skipped);
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
