namespace SemanticRouter.Cli.Tests;

/// <summary>A mistyped command line: one line naming what was typed and what was probably meant, exit 2.</summary>
public class CommandLineMistakesTests
{
    [Theory]
    // An unknown option is named, not the value after it (which System.CommandLine would report).
    [InlineData(new[] { "rank", "--indx", "/tmp/x", "write a poem" }, "semantic-router rank: unknown option '--indx' (did you mean '--index'?)")]
    [InlineData(new[] { "rank", "--index", "/tmp/x", "write a poem", "--jsn" }, "semantic-router rank: unknown option '--jsn' (did you mean '--json'?)")]
    [InlineData(new[] { "rank", "--index", "/tmp/x", "--temp", "0.5", "write a poem" }, "semantic-router rank: unknown option '--temp' (did you mean '--temperature'?)")]
    [InlineData(new[] { "eval", "--outcomes", "x", "--temprature", "2" }, "semantic-router eval: unknown option '--temprature' (did you mean '--temperature'?)")]
    [InlineData(new[] { "build", "--rotes", "routes" }, "semantic-router build: unknown option '--rotes' (did you mean '--routes'?)")]
    [InlineData(new[] { "rank", "-x", "write a poem" }, "semantic-router rank: unknown option '-x' (see --help)")]
    // serve passes --Section:Key=value on as host configuration, but a typo of its own options is caught.
    [InlineData(new[] { "serve", "--indx", "/tmp/x" }, "semantic-router serve: unknown option '--indx' (did you mean '--index'?)")]
    [InlineData(new[] { "buld" }, "semantic-router: unknown command 'buld' (did you mean 'build'?)")]
    [InlineData(new[] { "outcomes", "stat", "--db", "x.db" }, "semantic-router outcomes: unknown command 'stat' (did you mean 'stats'?)")]
    [InlineData(new[] { "routes", "ad", "coding", "x" }, "semantic-router routes: unknown command 'ad' (did you mean 'add'?)")]
    [InlineData(new[] { "outcomes" }, "semantic-router outcomes: give a command: import, stats (see --help)")]
    public void Mistake_OneLineExit2_NamingItAndWhatWasMeant(string[] args, string message)
    {
        var result = CliRunner.Run(args);

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, message);
    }

    [Fact]
    public void NoCommand_ListsThem()
    {
        CliRunner.AssertOneLineError(CliRunner.Run(), ExitCodes.BadInput, "semantic-router: give a command: build, serve, rank,");
    }

    [Fact]
    public void ValuesThatStartWithADash_AreNotOptions()
    {
        // "-" (stdin), a negative number, anything after "--" and serve's --Section:Key settings are
        // not mistakes: the command runs and fails on the missing index instead.
        foreach (var args in new[]
        {
            new[] { "rank", "--index", "/nonexistent/index", "--cost-weight", "-1", "write a poem" },
            ["neighbors", "--index", "/nonexistent/index", "--input", "-"],
            ["neighbors", "--index", "/nonexistent/index", "--", "--jsn"],
            ["serve", "--index", "/nonexistent/index", "--SemanticRouter:MaxK=50"], // host configuration, passed on
        })
        {
            CliRunner.AssertOneLineError(CliRunner.Run(args), ExitCodes.BadArtifact, "/nonexistent/index");
        }
    }
}
