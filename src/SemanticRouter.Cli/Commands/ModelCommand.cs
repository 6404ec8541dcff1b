using System.CommandLine;
using SemanticRouter.Embeddings;
using Spectre.Console;

namespace SemanticRouter.Cli.Commands;

/// <summary>`semantic-router model pull [NAME] --to DIR`: fetch a sentence model into a model folder.</summary>
internal static class ModelCommand
{
    public static Command Create()
    {
        var command = new Command("model", "Manage sentence models");
        command.Subcommands.Add(Pull());
        return command;
    }

    private static Command Pull()
    {
        var name = new Argument<string>("name")
        {
            Description = $"Hub model name (default {ModelDownloader.DefaultModelName})",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => ModelDownloader.DefaultModelName,
        };
        var to = new Option<string?>("--to") { Description = "Target folder (default embeddings/models/<last part of NAME>)" };
        var baseUrl = new Option<string?>("--base-url") { Description = $"Hub base URL (default ${ModelDownloader.BaseUrlEnvironmentVariable}, else {ModelDownloader.DefaultBaseUrl})" };
        var force = new Option<bool>("--force") { Description = "Replace an existing target folder" };
        var command = new Command("pull", "Download a sentence model's ONNX file and tokenizer files and lay out a model folder") { name, to, baseUrl, force };
        CliAction.Set(command, async (parse, stdout, stderr, ct) =>
        {
            string model = parse.GetValue(name)!;
            string target = parse.GetValue(to) ?? Path.Combine("embeddings", "models", model.TrimEnd('/').Split('/')[^1]);
            string? envBase = Environment.GetEnvironmentVariable(ModelDownloader.BaseUrlEnvironmentVariable);
            string baseText = parse.GetValue(baseUrl) ?? (string.IsNullOrWhiteSpace(envBase) ? ModelDownloader.DefaultBaseUrl : envBase);
            if (!Uri.TryCreate(baseText, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
            {
                throw new CliException($"--base-url: not an http(s) URL: {baseText}", ExitCodes.BadInput);
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
            http.DefaultRequestHeaders.UserAgent.ParseAdd("semantic-router/1.0");
            var downloader = new ModelDownloader(http);
            bool interactive = ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;
            ModelFolder folder;
            try
            {
                if (interactive)
                {
                    var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
                    folder = await console.Progress().StartAsync(async ctx =>
                    {
                        var tasks = new Dictionary<string, ProgressTask>();
                        var progress = new Progress<ModelDownloadProgress>(p =>
                        {
                            if (!tasks.TryGetValue(p.File, out var task))
                            {
                                tasks[p.File] = task = ctx.AddTask(p.File, maxValue: p.Total ?? 1);
                            }

                            task.Value = p.Total is null ? (p.Done ? 1 : 0) : p.Received;
                            if (p.Done)
                            {
                                task.StopTask();
                            }
                        });
                        return await downloader.PullAsync(model, target, baseUri, parse.GetValue(force), progress, ct).ConfigureAwait(false);
                    }).ConfigureAwait(false);
                }
                else
                {
                    // Not a terminal: a line every few seconds (ProgressLines) instead of bars.
                    var lines = new SynchronousProgress<ModelDownloadProgress>(p => ProgressLines.Count(stderr, $"downloading {p.File} (bytes)", p.Received, p.Total ?? 0));
                    folder = await downloader.PullAsync(model, target, baseUri, parse.GetValue(force), lines, ct).ConfigureAwait(false);
                }
            }
            catch (ModelDownloadException e)
            {
                throw new CliException(e.Message, ExitCodes.Network);
            }
            catch (ModelFolderException e)
            {
                throw new CliException($"downloaded files are not a valid model folder: {e.Message}", ExitCodes.BadArtifact);
            }

            await stdout.WriteLineAsync($"{folder.Directory}\t{folder.Dimensions} dims\tmax {folder.MaxSequenceLength} tokens\tmodel.onnx sha256 {folder.Fingerprint}").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
