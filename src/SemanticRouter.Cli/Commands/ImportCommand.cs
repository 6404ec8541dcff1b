using System.CommandLine;
using System.Globalization;
using SemanticRouter.Routes;
using SemanticRouter.Routes.Import;

namespace SemanticRouter.Cli.Commands;

/// <summary><c>semantic-router import clinc150|banking77|jsonl SRC --out DIR [--force]</c>.</summary>
internal static class ImportCommand
{
    internal static Command Create()
    {
        var command = new Command("import", "Turn a public intent data set (or outcome tables) into DIR/routes/ plus JSON-lines test splits.");
        command.Subcommands.Add(Dataset("clinc150", "CLINC150: SRC is data_full.json or its folder (default: the shared datasets folder).", "clinc150", DatasetImporter.ImportClinc150));
        command.Subcommands.Add(Dataset("banking77", "BANKING77: SRC is the folder with train.csv and test.csv (default: the shared datasets folder).", "banking77", DatasetImporter.ImportBanking77));
        command.Subcommands.Add(Dataset("outcomes", "SRC is one or more comma-separated outcome tables (RouterBench's CSV, RouteLLM's CSV, or JSONL {prompt, outcomes, costs}): one route per task set, the prompts its utterances, every model a target; then `outcomes import` the same files (docs/evaluation.md#routerbench).", null,
            (src, output, options) => DatasetImporter.ImportOutcomes([.. src.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)], output, options)));
        command.Subcommands.Add(Dataset("jsonl", "SRC is a folder with train.jsonl and optional test.jsonl / validation.jsonl, lines {\"text\": ..., \"route\": ...}.", null, DatasetImporter.ImportJsonl));
        return command;
    }

    private static Command Dataset(string name, string description, string? sharedFolder, Func<string, string, DatasetImportOptions, DatasetImportSummary> import)
    {
        var source = new Argument<string?>("SRC") { Description = "Source file or folder.", Arity = sharedFolder is null ? ArgumentArity.ExactlyOne : ArgumentArity.ZeroOrOne };
        var output = new Option<string>("--out") { Description = "Output directory (gets routes/ and *.jsonl).", Required = true, HelpName = "DIR" };
        var force = new Option<bool>("--force") { Description = "Replace a non-empty output directory." };
        var command = new Command(name, description) { source, output, force };
        CliAction.Set(command, async (parse, stdout, _, _) =>
        {
            var src = parse.GetValue(source) ?? DefaultSource(sharedFolder!);
            DatasetImportSummary summary;
            try
            {
                summary = import(src, parse.GetValue(output)!, new DatasetImportOptions { Force = parse.GetValue(force) });
            }
            catch (DatasetImportException e)
            {
                throw new CliException(e.Message, ExitCodes.BadInput);
            }
            catch (RouteValidationException e)
            {
                throw new CliException($"imported route files do not validate: {e.Errors[0]}", ExitCodes.Internal);
            }

            var inv = CultureInfo.InvariantCulture;
            await stdout.WriteLineAsync(string.Create(inv,
                $"imported {summary.Dataset} into {summary.OutputDirectory}: {summary.Routes} routes, {summary.Utterances} utterances")).ConfigureAwait(false);
            if (summary.SkippedDuplicates + summary.SkippedConflicts + summary.SkippedEmpty > 0)
            {
                await stdout.WriteLineAsync(string.Create(inv,
                    $"  skipped training rows: {summary.SkippedDuplicates} duplicate within a route, {summary.SkippedConflicts} already in another route, {summary.SkippedEmpty} empty")).ConfigureAwait(false);
            }

            foreach (var (label, route) in summary.RenamedLabels)
            {
                await stdout.WriteLineAsync($"  label '{label}' became route '{route}'").ConfigureAwait(false);
            }

            foreach (var split in summary.Splits)
            {
                await stdout.WriteLineAsync(string.Create(inv, $"  {split.File}: {split.Lines} lines ({split.OutOfScope} out of scope)")).ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>SEMANTIC_ROUTER_SHARED/datasets/NAME, else ../shared/datasets/NAME from the working directory.</summary>
    private static string DefaultSource(string folder)
    {
        var shared = Environment.GetEnvironmentVariable("SEMANTIC_ROUTER_SHARED");
        var root = string.IsNullOrEmpty(shared) ? Path.Combine("..", "shared") : shared;
        var path = Path.Combine(root, "datasets", folder);
        if (!Directory.Exists(path))
        {
            throw new CliException($"no SRC given and '{path}' not found; pass SRC or set SEMANTIC_ROUTER_SHARED", ExitCodes.BadInput);
        }

        return path;
    }
}
