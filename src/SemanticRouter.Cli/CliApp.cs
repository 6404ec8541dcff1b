using System.CommandLine;
using SemanticRouter.Cli.Commands;

namespace SemanticRouter.Cli;

/// <summary>The `semantic-router` command tree. Each command lives in Commands/ and only parses,
/// calls the engine and formats; errors become one line on stderr and a non-zero exit code.</summary>
public static class CliApp
{
    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("SemanticRouter: rank target models for a prompt.");
        foreach (var command in CommandCatalog.All())
        {
            root.Subcommands.Add(command);
        }

        var config = new InvocationConfiguration { Output = stdout, Error = stderr };
        var parse = root.Parse(args);
        if (CommandLineMistakes.Find(parse) is { } mistake)
        {
            stderr.WriteLine($"{CliAction.CommandPath(parse)}: {mistake}");
            return ExitCodes.BadInput;
        }

        if (parse.Errors.Count > 0)
        {
            // One line and the bad-input code, like every other bad input (System.CommandLine would
            // print help and exit 1).
            stderr.WriteLine($"{CliAction.CommandPath(parse)}: {CliAction.OneLine(parse.Errors[0].Message)} (see --help)");
            return ExitCodes.BadInput;
        }

        if (parse.CommandResult.Command.Name == "serve")
        {
            // System.CommandLine would cancel the action on SIGTERM and end the process 2 s later, cutting the
            // drain short; serve's host handles SIGTERM/SIGINT itself and drains for SemanticRouter:ShutdownTimeout.
            config.ProcessTerminationTimeout = null;
        }

        return parse.Invoke(config);
    }
}
