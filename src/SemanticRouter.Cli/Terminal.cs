using Spectre.Console;

namespace SemanticRouter.Cli;

/// <summary>Progress and tables go to stderr/stdout through Spectre.Console; progress bars only
/// when stderr is a terminal, so pipes and CI logs stay clean.</summary>
internal static class Terminal
{
    internal static bool StderrIsInteractive => !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("CI") is null;

    internal static IAnsiConsole Stderr() =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    internal static IAnsiConsole For(TextWriter writer) =>
        AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = writer == Console.Out && !Console.IsOutputRedirected ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = writer == Console.Out && !Console.IsOutputRedirected ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
}
