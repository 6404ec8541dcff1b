using Spectre.Console;

namespace SemanticRouter.Cli;

/// <summary>Progress and tables go to stderr/stdout through Spectre.Console; progress bars only
/// when stderr is a terminal, so pipes and CI logs stay clean.</summary>
internal static class Terminal
{
    internal static bool StderrIsInteractive => !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("CI") is null;

    internal static IAnsiConsole Stderr() =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    /// <summary>
    /// Tables for <paramref name="writer"/>: colours and the terminal's width on a terminal; plain and
    /// 160 columns wide when redirected, where there is no width to fit and Spectre's default of 80
    /// would break model names and utterances over lines in files, pipes and logs.
    /// </summary>
    internal static IAnsiConsole For(TextWriter writer)
    {
        var terminal = writer == Console.Out && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }

    private const int RedirectedWidth = 160;
}
