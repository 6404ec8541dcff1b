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
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            try
            {
                return await body(parse, stdout, stderr, ct).ConfigureAwait(false);
            }
            catch (CliException e)
            {
                await stderr.WriteLineAsync($"semantic-router {command.Name}: {OneLine(e.Message)}").ConfigureAwait(false);
                return e.ExitCode;
            }
            catch (OperationCanceledException)
            {
                await stderr.WriteLineAsync($"semantic-router {command.Name}: cancelled").ConfigureAwait(false);
                return 130;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or FormatException)
            {
                await stderr.WriteLineAsync($"semantic-router {command.Name}: {OneLine(e.Message)}").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }
        });
    }

    internal static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
