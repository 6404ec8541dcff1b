using SemanticRouter.Tests;

namespace SemanticRouter.Cli.Tests.Commands;

public class ServeCommandTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    public void IntraOpThreadsBelowOne_OneLineBadInput(string threads)
    {
        // Checked before the index is opened: the message is about the flag, not the missing index.
        var result = CliRunner.Run("serve", "--index", "/nonexistent/index", "--intra-op-threads", threads);

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, "--intra-op-threads must be at least 1");
    }

    [Theory]
    [InlineData("--cache", "-1", "--cache must be 0 (no cache) or a positive number")]
    [InlineData("--batch-wait-ms", "1000", "--batch-wait-ms must be in 0..50, not 1000")]
    [InlineData("--batch-wait-ms", "-1", "--batch-wait-ms must be in 0..50, not -1")]
    public void EngineFlagsOutOfRange_OneLineBadInput_BeforeTheIndexIsOpened(string flag, string value, string message)
    {
        var result = CliRunner.Run("serve", "--index", "/nonexistent/index", flag, value);

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, message);
    }

    [Fact]
    public void RankingOptionsFile_KAboveTheOneMaximum_StopsServeBeforeAnythingListens()
    {
        // One maximum k everywhere (RankingOptions.MaxK): a settings file over it stops `serve` with the file
        // and the key named, before anything listens.
        using var dir = new TestDirectory();
        string index = Path.Combine(dir.Path, "index");
        var build = CliRunner.Run("build", "--routes", dir.CopyExampleRoutes(), "--out", index, "--model", SemanticRouter.Tests.SharedPaths.MiniLmModel);
        Assert.True(build.ExitCode == 0, build.Stderr);
        string options = dir.Write("ranking-options.json", """{"k": 5000}""");

        var result = CliRunner.Run("serve", "--index", index, "--ranking-options", options, "--port", "0", "--metrics-port", "0");

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, $"--ranking-options {options}: k 5000: K must be in [1, 1000].");
    }

    [Fact]
    public void RankingSettingsTheIndexCarries_AreServed_AndTheirKIsTheDefaultK()
    {
        // Built with a ranking-options.json beside the routes: serve needs no flag to use it, says where the
        // settings came from and makes their k the default k of requests with k = 0. (A port out of range
        // then stops it before anything listens.)
        using var dir = new TestDirectory();
        string index = Path.Combine(dir.Path, "index");
        string routes = dir.CopyExampleRoutes();
        dir.Write("ranking-options.json", """{"k": 300, "temperature": 0.2}""");
        var build = CliRunner.Run("build", "--routes", routes, "--out", index, "--model", SemanticRouter.Tests.SharedPaths.MiniLmModel);
        Assert.True(build.ExitCode == 0, build.Stderr);

        var result = CliRunner.Run("serve", "--index", index, "--port", "70000", "--metrics-port", "0");

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("serve: ranking settings from the index's ranking-options.json: k 300, temperature 0.2", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("serve: default k 300 (from the index's ranking-options.json)", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("not 70000", result.Stderr, StringComparison.Ordinal);
    }
}
