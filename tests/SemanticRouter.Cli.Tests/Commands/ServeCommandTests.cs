using SemanticRouter.Tests;

namespace SemanticRouter.Cli.Tests.Commands;

public class ServeCommandTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    public void IntraOpThreadsBelowOne_OneLineBadInput(string threads)
    {
        // Checked before the index is opened: the message is about the setting the flag sets, not the missing index.
        var result = CliRunner.Run("serve", "--index", "/nonexistent/index", "--intra-op-threads", threads);

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, "SemanticRouter:IntraOpThreads (SEMANTIC_ROUTER_INTRA_OP_THREADS) must be at least 1");
    }

    [Theory]
    [InlineData("--cache", "-1", "SemanticRouter:EmbeddingCacheSize (SEMANTIC_ROUTER_EMBEDDING_CACHE_SIZE) must be 0 (no cache) or a positive number")]
    [InlineData("--batch-wait-ms", "1000", "SemanticRouter:BatchWaitMs (SEMANTIC_ROUTER_BATCH_WAIT_MS) must be in 0..50, not 1000")]
    [InlineData("--batch-wait-ms", "-1", "SemanticRouter:BatchWaitMs (SEMANTIC_ROUTER_BATCH_WAIT_MS) must be in 0..50, not -1")]
    public void EngineFlagsOutOfRange_OneLineBadInput_BeforeTheIndexIsOpened(string flag, string value, string message)
    {
        var result = CliRunner.Run("serve", "--index", "/nonexistent/index", flag, value);

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, message);
    }

    [Fact]
    public void MissingIndex_OneLineBadArtifact_NamingTheSetting()
    {
        var result = CliRunner.Run("serve", "--index", "/nonexistent/index", "--port", "0", "--metrics-port", "-1");

        CliRunner.AssertOneLineError(result, ExitCodes.BadArtifact, "SemanticRouter:Index (SEMANTIC_ROUTER_INDEX): /nonexistent/index");
    }

    [Fact]
    public void RankingOptionsFile_KIsTheRoutersDefaultK_WhichIsValidatedAgainstMaxK()
    {
        // The file's k is the router's default k (requests with k = 0), so it must be within MaxK: a k above
        // it stops `serve` with the setting and where the k came from named, before anything listens.
        using var dir = new TestDirectory();
        string index = Path.Combine(dir.Path, "index");
        var build = CliRunner.Run("build", "--routes", dir.CopyExampleRoutes(), "--out", index, "--model", SemanticRouter.Tests.SharedPaths.MiniLmModel);
        Assert.True(build.ExitCode == 0, build.Stderr);
        string options = dir.Write("ranking-options.json", """{"k": 5000}""");

        var result = CliRunner.Run("serve", "--index", index, "--ranking-options", options, "--port", "0", "--metrics-port", "0");

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput,
            $"SemanticRouter:DefaultK (SEMANTIC_ROUTER_DEFAULT_K) must be in 1..MaxK (256), not 5000 (the k of SemanticRouter:RankingOptionsFile {options})");
    }

    [Fact]
    public void RankingSettingsTheIndexCarries_AreServed_AndTheirKIsTheDefaultK()
    {
        // Built with a ranking-options.json beside the routes: serve needs no flag to use it. Its k is
        // out of range for the server, which stops before listening and shows where the settings came from.
        using var dir = new TestDirectory();
        string index = Path.Combine(dir.Path, "index");
        string routes = dir.CopyExampleRoutes();
        dir.Write("ranking-options.json", """{"k": 5000, "temperature": 0.2}""");
        var build = CliRunner.Run("build", "--routes", routes, "--out", index, "--model", SemanticRouter.Tests.SharedPaths.MiniLmModel);
        Assert.True(build.ExitCode == 0, build.Stderr);

        var result = CliRunner.Run("serve", "--index", index, "--port", "0", "--metrics-port", "0");

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput,
            "SemanticRouter:DefaultK (SEMANTIC_ROUTER_DEFAULT_K) must be in 1..MaxK (256), not 5000 (the k of the index's ranking-options.json)");
    }

    [Fact]
    public void RankingFlags_AreSettings_CheckedAgainstTheIndex()
    {
        using var dir = new TestDirectory();
        string index = Path.Combine(dir.Path, "index");
        var build = CliRunner.Run("build", "--routes", dir.CopyExampleRoutes(), "--out", index, "--model", SemanticRouter.Tests.SharedPaths.MiniLmModel);
        Assert.True(build.ExitCode == 0, build.Stderr);

        var temperature = CliRunner.Run("serve", "--index", index, "--temperature", "-1", "--port", "0", "--metrics-port", "0");
        var fallback = CliRunner.Run("serve", "--index", index, "--fallback-route", "no_such_route", "--port", "0", "--metrics-port", "0");

        CliRunner.AssertOneLineError(temperature, ExitCodes.BadInput, "SemanticRouter:Temperature (SEMANTIC_ROUTER_TEMPERATURE) -1: Temperature must be positive and finite.");
        CliRunner.AssertOneLineError(fallback, ExitCodes.BadInput, "SemanticRouter:FallbackRoute (SEMANTIC_ROUTER_FALLBACK_ROUTE) 'no_such_route' is not a route of the index (routes: ");
    }
}
