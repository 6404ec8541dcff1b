using System.CommandLine;

namespace SemanticRouter.Cli.Commands;

/// <summary>
/// <c>--weak COLUMN</c> and <c>--strong COLUMN</c> of `eval --outcomes` and `fit --outcomes`: which of
/// an outcome file's model columns to compare, for files that hold more than two models. Without
/// them the first model column is the weak model and the last the strong one (RouteLLM's order).
/// </summary>
internal sealed class OutcomeColumnFlags
{
    public Option<string?> Weak { get; } = new("--weak") { Description = "For --outcomes: the cheap model's column (default: the first column after prompt).", HelpName = "COLUMN" };

    public Option<string?> Strong { get; } = new("--strong") { Description = "For --outcomes: the strong model's column (default: the last column).", HelpName = "COLUMN" };

    public IEnumerable<Option> All => [Weak, Strong];

    /// <summary>The first of them given on the command line, for "applies with --outcomes only".</summary>
    public Option? Given(ParseResult parse) => All.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false });
}
