using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SemanticRouter.Engine;
using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;
using Spectre.Console;
using SemanticRouter.Routes;

namespace SemanticRouter.Cli.Commands;

/// <summary>
/// What `outcomes import` writes into: an outcome store and the crediting of an index. In production a
/// <see cref="RouterEngine"/> (its neighbour search, its settings, its store); in tests, the same importer
/// and crediting over a fake search.
/// </summary>
internal interface IOutcomeImportTarget : IDisposable
{
    /// <summary>Imports the file, each text credited by its neighbours in the index.</summary>
    Task<OutcomeImportSummary> ImportOutcomesAsync(string path, OutcomeImportOptions options, CancellationToken cancellationToken);

    /// <summary>Outcomes in the store after the import.</summary>
    long OutcomeCount { get; }
}

/// <summary>Opens the import target for an index directory and an outcome store file.</summary>
internal delegate IOutcomeImportTarget OpenOutcomeImport(string indexDirectory, string outcomeDatabase);

/// <summary>`semantic-router outcomes import|stats`: bulk history into the outcome store, and its statistics.</summary>
internal static class OutcomesCommand
{
    internal static Command Create(OpenOutcomeImport? openImport = null)
    {
        var command = new Command("outcomes", "Import and inspect observed model outcomes (the outcome store).");
        command.Subcommands.Add(Import(openImport));
        command.Subcommands.Add(Stats());
        command.Subcommands.Add(Record());
        return command;
    }

    private static Option<string> Db(string description) => new("--db") { Description = description, Required = true, HelpName = "FILE" };

    private static Command Import(OpenOutcomeImport? openImport)
    {
        var file = new Argument<string>("file") { Description = "CSV (header text,model,outcome, or RouteLLM's prompt and one column per model) or JSONL ({\"text\",\"model\",\"outcome\"})." };
        var db = Db("Outcome store to import into (SQLite file; created if missing).");
        var index = new Option<string>("--index") { Description = "Index directory whose nearest utterances each text's outcome credits." };
        var batch = new Option<int>("--batch") { Description = "Outcomes per transaction.", DefaultValueFactory = _ => OutcomeImporter.DefaultBatchSize };
        var modelName = new Option<string[]>("--model-name")
        {
            Description = "FROM=TO: credit the file's model FROM to the catalogue's model TO (repeatable), e.g. gpt-4-1106-preview=gpt-4.",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("import", "Import outcome history (text, model, outcome) into the outcome store.") { file, db, index, batch, modelName };
        CliAction.Set(command, async (parse, stdout, stderr, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                throw new CliException($"{path}: no such file");
            }

            var names = ModelNames(parse.GetValue(modelName) ?? []);
            if (parse.GetValue(batch) < 1)
            {
                throw new CliException("--batch must be at least 1");
            }

            var indexDir = parse.GetValue(index) ?? throw new CliException(
                "--index DIR is required: an outcome given by its text credits the text's nearest utterances in that index");
            if (openImport is null)
            {
                throw new CliException("--index: opening an index for outcome crediting is not available in this build yet", ExitCodes.BadArtifact);
            }

            var dbPath = Path.GetFullPath(parse.GetValue(db)!);
            using var target = openImport(indexDir, dbPath);
            try
            {
                var summary = await Import(path, target, new OutcomeImportOptions { BatchSize = parse.GetValue(batch), ModelNames = names }, stderr, ct).ConfigureAwait(false);
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"imported {summary.Imported} outcomes from {path} in {summary.Elapsed.TotalSeconds:F1} s ({target.OutcomeCount} in {dbPath}){(summary.Replayed > 0 ? $"; {summary.Replayed} already imported from this file, counted once" : "")}; per model: {string.Join(", ", summary.PerModel.Select(m => $"{m.Key} {m.Value}"))}")).ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            catch (OutcomeImportException e)
            {
                var hint = e.UnknownModel is { } unknown ? $" (--model-name '{unknown}=NAME' credits it to a catalogue model)" : "";
                throw new CliException(e.Message + hint);
            }
        });
        return command;
    }

    private static Dictionary<string, string> ModelNames(string[] pairs)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var (from, to) = eq < 0 ? ("", "") : (pair[..eq].Trim(), pair[(eq + 1)..].Trim());
            if (from.Length == 0 || to.Length == 0)
            {
                throw new CliException($"--model-name '{pair}': expected FROM=TO, both names non-empty");
            }

            if (!names.TryAdd(from, to))
            {
                throw new CliException($"--model-name: '{from}' is mapped twice");
            }
        }

        return names;
    }

    /// <summary>The import, with a progress bar on an interactive terminal (each outcome's text is embedded, so large files take minutes).</summary>
    private static async Task<OutcomeImportSummary> Import(string path, IOutcomeImportTarget target, OutcomeImportOptions options, TextWriter stderr, CancellationToken ct)
    {
        if (ProgressLines.IsLines(stderr) || !Terminal.StderrIsInteractive)
        {
            // Not a terminal: a line every few seconds (ProgressLines) instead of a bar.
            var lines = new SynchronousProgress<OutcomeImportProgress>(p => ProgressLines.Count(stderr, "importing outcomes", p.Imported, p.Total));
            return await target.ImportOutcomesAsync(path, options with { Progress = lines }, ct).ConfigureAwait(false);
        }

        OutcomeImportSummary? summary = null;
        await Terminal.Stderr().Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("import", autoStart: true, maxValue: 1);
                var progress = new SynchronousProgress<OutcomeImportProgress>(p =>
                {
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Imported;
                });
                summary = await target.ImportOutcomesAsync(path, options with { Progress = progress }, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return summary!;
    }

    private static Command Stats()
    {
        var db = Db("Outcome store to read (SQLite file, e.g. the one `serve` or `outcomes import` wrote; it must exist).");
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var prior = new Option<double>("--prior") { Description = "Prior success rate the smoothed rate shrinks towards.", DefaultValueFactory = _ => 0.5 };
        var strength = new Option<double>("--strength") { Description = "Smoothing strength β (pseudo-trials).", DefaultValueFactory = _ => RankingOptions.Default.RouteSmoothingStrength };
        var command = new Command("stats", "Outcome statistics by route × model: trials, successes, smoothed success rate.") { db, json, prior, strength };
        CliAction.Set(command, async (parse, stdout, _, _) =>
        {
            var path = parse.GetValue(db)!;
            if (!File.Exists(path))
            {
                throw new CliException($"{path}: no such outcome store");
            }

            var p = parse.GetValue(prior);
            var beta = parse.GetValue(strength);
            if (p is < 0 or > 1 || !(beta >= 0))
            {
                throw new CliException("--prior must be in [0, 1] and --strength non-negative");
            }

            using var store = SqliteOutcomeStore.Open(path);
            var rows = store.Statistics.RouteCounts();
            if (parse.GetValue(json))
            {
                var doc = new
                {
                    outcomes = store.Count,
                    prior = p,
                    strength = beta,
                    routes = rows.Select(r => new
                    {
                        route = r.Route,
                        model = r.Model,
                        trials = r.Counts.Trials,
                        successes = r.Counts.Successes,
                        smoothed = r.Counts.Smoothed(p, beta),
                    }),
                };
                await stdout.WriteLineAsync(JsonSerializer.Serialize(doc)).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            var console = Terminal.For(stdout);
            var table = new Table().AddColumns("route", "model", "trials", "successes", $"smoothed (prior {p:0.##}, β {beta:0.##})");
            foreach (var r in rows)
            {
                table.AddRow(
                    Markup.Escape(r.Route),
                    Markup.Escape(r.Model),
                    r.Counts.Trials.ToString("0.##", CultureInfo.InvariantCulture),
                    r.Counts.Successes.ToString("0.##", CultureInfo.InvariantCulture),
                    r.Counts.Smoothed(p, beta).ToString("0.000", CultureInfo.InvariantCulture));
            }

            console.Write(table);
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{store.Count} outcomes in {store.Path}")).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Hidden: records <c>--count</c> synthetic outcomes one by one and prints "ack N" after each commit.
    /// The durability test kills this process at a random point and checks that every acknowledged
    /// outcome is in the store.
    /// </summary>
    private static Command Record()
    {
        var db = Db("Outcome store (SQLite file; created if missing).");
        var count = new Option<int>("--count") { DefaultValueFactory = _ => 1000 };
        var command = new Command("record", "Record synthetic outcomes, acknowledging each (durability testing).") { db, count };
        command.Hidden = true;
        CliAction.Set(command, async (parse, stdout, _, ct) =>
        {
            using var store = SqliteOutcomeStore.Open(parse.GetValue(db)!);
            var start = store.Count;
            for (var i = 0; i < parse.GetValue(count); i++)
            {
                var n = start + i;
                var credits = new OutcomeCredits(
                    [new UtteranceCredit(UtteranceKey.Of("durability", $"u{n % 7}"), 0.5)],
                    [new RouteCredit("durability", 1)]);
                await store.RecordAsync(Outcome.ForRequest($"ack-{n}", "model", (n % 3) / 2.0), credits, ct).ConfigureAwait(false);
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"ack {n}")).ConfigureAwait(false);
                await stdout.FlushAsync(ct).ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
