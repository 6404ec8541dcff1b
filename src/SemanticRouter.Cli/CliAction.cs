using System.CommandLine;

namespace SemanticRouter.Cli;

/// <summary>Runs a command body and maps failures to one stderr line and an exit code.</summary>
internal static class CliAction
{
    /// <summary>Wraps <paramref name="body"/> as the command's action.</summary>
    internal static void Set(Command command, Func<ParseResult, TextWriter, TextWriter, CancellationToken, Task<int>> body)
    {
        command.SetAction(async (parse, ct) =>
        {
            string name = CommandPath(parse);
            var stdout = parse.InvocationConfiguration.Output;
            var errors = parse.InvocationConfiguration.Error;
            bool interactive = ReferenceEquals(errors, Console.Error) && Terminal.StderrIsInteractive;
            // Long commands print a progress line every few seconds when stderr is not a terminal (ProgressLines).
            using var lines = LongCommands.Contains(name) && !interactive ? new ProgressLines(errors, parse.CommandResult.Command.Name) : null;
            return await RunAsync(body, parse, name, stdout, lines ?? errors, ct).ConfigureAwait(false);
        });
    }

    /// <summary>The commands that can run for minutes (embedding, fitting, folds, imports, downloads).</summary>
    private static readonly HashSet<string> LongCommands = new(StringComparer.Ordinal)
    {
        "semantic-router build", "semantic-router fit", "semantic-router eval", "semantic-router import",
        "semantic-router embed", "semantic-router outcomes import", "semantic-router model pull",
    };

    private static async Task<int> RunAsync(Func<ParseResult, TextWriter, TextWriter, CancellationToken, Task<int>> body, ParseResult parse, string name, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        try
        {
            return await body(parse, stdout, stderr, ct).ConfigureAwait(false);
        }
        catch (CliException e)
        {
            await stderr.WriteLineAsync($"{name}: {OneLine(e.Message)}").ConfigureAwait(false);
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync($"{name}: cancelled").ConfigureAwait(false);
            return 130;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or FormatException)
        {
            await stderr.WriteLineAsync($"{name}: {OneLine(e.Message)}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
    }

    /// <summary>"semantic-router outcomes import", for messages that say which command failed.</summary>
    internal static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            if (result.Command is not RootCommand)
            {
                names.Add(result.Command.Name);
            }
        }

        names.Add("semantic-router");
        names.Reverse();
        return string.Join(' ', names);
    }

    internal static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
