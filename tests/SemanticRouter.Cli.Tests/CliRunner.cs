namespace SemanticRouter.Cli.Tests;

internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

internal static partial class CliRunner
{
    public static CliResult Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return new CliResult(code, stdout.ToString().Replace("\r\n", "\n", StringComparison.Ordinal), stderr.ToString());
    }

    /// <summary>
    /// stderr holds exactly one line besides progress lines: stderr is not a terminal here, so a command
    /// silent for 5 s (a loaded machine) prints "pull: downloading … 1048576/90386627 (1 %), 0 s" first.
    /// </summary>
    public static void AssertOneLineError(CliResult result, int exitCode, string contains)
    {
        Assert.Equal(exitCode, result.ExitCode);
        string[] lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !ProgressLine().IsMatch(line))
            .ToArray();
        Assert.True(lines.Length == 1, $"expected one stderr line, got: {result.Stderr}");
        Assert.Contains(contains, lines[0], StringComparison.Ordinal);
    }

    // The two shapes ProgressLines writes: counted ("build: embedding 12/48 (25 %), 3 s") and silent ("eval: still at \"…\", 35 s").
    [System.Text.RegularExpressions.GeneratedRegex(@"^[a-z][a-z -]*: (.* \d+/\d+ \(\d+ %\)|still at "".*""), \d+ s$")]
    private static partial System.Text.RegularExpressions.Regex ProgressLine();
}
