using System.CommandLine;
using System.Globalization;
using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;
using SemanticRouter.Index;
using SemanticRouter.RouteHead;
using SemanticRouter.Routes;
using SemanticRouter.Settings;
using Spectre.Console;

namespace SemanticRouter.Cli.Commands;

/// <summary>`semantic-router build`: route files + model → index artefact (a no-op when nothing changed).</summary>
internal static class BuildCommand
{
    public static Command Create()
    {
        var routes = new Option<string>("--routes") { Description = "Route files directory", DefaultValueFactory = _ => "routes" };
        var model = new Option<string?>("--model")
        {
            Description = $"Model folder (default: ${ModelOptions.ModelEnvironmentVariable}, else the one the index at --out was built with, else {ModelOptions.DefaultModelDirectory})",
            HelpName = "DIR",
        };
        var output = new Option<string>("--out") { Description = "Artefact directory", DefaultValueFactory = _ => IndexOptions.DefaultIndex() };
        var m = new Option<int>("--m") { Description = "HNSW links per node", DefaultValueFactory = _ => 16 };
        var efConstruction = new Option<int>("--ef-construction") { Description = "HNSW build breadth", DefaultValueFactory = _ => 200 };
        var efSearch = new Option<int>("--ef-search") { Description = "HNSW default search breadth", DefaultValueFactory = _ => 128 };
        var seed = new Option<int>("--seed") { Description = "HNSW level seed", DefaultValueFactory = _ => 42 };
        var insertThreads = new Option<int>("--insert-threads")
        {
            Description = "Threads inserting into the HNSW graph; 1 (default) gives the same graph on every rebuild, 0 uses every core",
            DefaultValueFactory = _ => 1,
        };
        var parameters = new Option<string?>("--params")
        {
            Description = "Parameters from `fit`: train the route head and rank with them (default: router-params.json in the routes directory or its parent, when present)",
        };
        var rankingOptions = new Option<string?>("--ranking-options")
        {
            Description = $"Ranker settings from `fit --outcomes` to carry in the index, which `serve`, `rank` and `outcomes import` then use (default: {RankingSettingsFile.DefaultFileName} in the routes directory or its parent, when present)",
            HelpName = "FILE",
        };
        var command = new Command("build", "Embed the route utterances and write the index artefact")
        {
            routes, model, output, m, efConstruction, efSearch, seed, insertThreads, parameters, rankingOptions,
        };
        CliAction.Set(command, (parse, stdout, stderr, ct) =>
        {
            HnswOptions hnsw;
            try
            {
                hnsw = new HnswOptions
                {
                    M = parse.GetValue(m),
                    EfConstruction = parse.GetValue(efConstruction),
                    EfSearch = parse.GetValue(efSearch),
                    Seed = parse.GetValue(seed),
                };
            }
            catch (ArgumentException e)
            {
                throw new CliException(ErrorMessage.Of(e), ExitCodes.BadInput);
            }

            int threads = parse.GetValue(insertThreads);
            if (threads < 0)
            {
                throw new CliException($"--insert-threads must be 0 (every core) or positive; got {threads}", ExitCodes.BadInput);
            }

            string routesDir = parse.GetValue(routes)!;
            if (!Directory.Exists(routesDir))
            {
                throw new CliException($"{routesDir}: route directory not found", ExitCodes.BadInput);
            }

            var head = BuildInputs.LoadHead(routesDir, parse.GetValue(parameters));
            var (settings, settingsFile) = BuildInputs.LoadRankingSettings(routesDir, parse.GetValue(rankingOptions));
            if (settings?.RouteHeadWeight is > 0 && head is null)
            {
                stderr.WriteLine($"build: warning: {settingsFile} sets route_head_weight, which is ignored: the index has no route head (fit --routes writes the parameters that train one)");
            }

            var choice = ModelOptions.Resolve(parse.GetValue(model), BuildInputs.ExistingManifest(parse.GetValue(output)!));
            var folder = ModelOptions.OpenFolder(choice);
            var longInput = settings?.LongInputPolicy ?? LongInputPolicy.Head;
            stderr.WriteLine($"build: model {choice.Describe()}{(longInput == LongInputPolicy.Head ? "" : $", long inputs read {LongInputPolicies.Name(longInput)} (from {settingsFile})")}");
            using var encoder = new SentenceEncoder(folder, new SentenceEncoderOptions { LongInput = longInput });
            BuildSummary summary;
            try
            {
                summary = Run(routesDir, encoder, parse.GetValue(output)!, hnsw, head, settings, threads == 0 ? -1 : threads, stderr, ct);
            }
            catch (RouteValidationException e)
            {
                foreach (var error in e.Errors)
                {
                    stderr.WriteLine(error.ToString());
                }

                throw new CliException($"{e.Errors.Count} error(s) in {routesDir}; nothing was built", ExitCodes.BadInput);
            }

            var inv = CultureInfo.InvariantCulture;
            if (settingsFile is not null)
            {
                stdout.WriteLine($"ranking settings from {settingsFile}: {RankingFlags.Describe(settings!)}");
            }

            stdout.WriteLine(summary.NoOp
                ? string.Create(inv, $"index up to date: {summary.Routes} routes, {summary.Utterances} utterances, version {summary.Manifest.IndexVersion} (nothing to do)")
                : string.Create(inv, $"built {parse.GetValue(output)}: {summary.Routes} routes, {summary.Utterances} utterances ({summary.Embedded} embedded, {summary.Reused} reused) in {summary.Elapsed.TotalSeconds:F1} s, {summary.UtterancesPerSecond:F0} utterances/s, version {summary.Manifest.IndexVersion}"));
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static BuildSummary Run(string routes, SentenceEncoder encoder, string output, HnswOptions hnsw, RouteHeadSettings? head, RankingSettingsFile? settings, int insertThreads, TextWriter stderr, CancellationToken ct)
    {
        if (ProgressLines.IsLines(stderr) || !Terminal.StderrIsInteractive)
        {
            // Not a terminal: a line every few seconds (ProgressLines) instead of bars.
            var lines = new SynchronousProgress<BuildProgress>(p => ProgressLines.Count(stderr, p.Stage.ToString().ToLowerInvariant(), p.Done, p.Total));
            return IndexBuilder.Build(routes, encoder, output, hnsw, head, settings, lines, insertThreads, ct);
        }

        BuildSummary? summary = null;
        Terminal.Stderr().Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<BuildStage, ProgressTask>();
                var progress = new SynchronousProgress<BuildProgress>(p =>
                {
                    if (!tasks.TryGetValue(p.Stage, out var task))
                    {
                        task = tasks[p.Stage] = ctx.AddTask(p.Stage.ToString().ToLowerInvariant(), maxValue: Math.Max(1, p.Total));
                    }

                    task.Value = p.Done;
                });
                summary = IndexBuilder.Build(routes, encoder, output, hnsw, head, settings, progress, insertThreads, ct);
            });
        return summary!;
    }
}
