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
    [InlineData("--intra-op-spinning", "busy", "SemanticRouter:IntraOpSpinning (SEMANTIC_ROUTER_INTRA_OP_SPINNING) must be never, during-run or always")]
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
    public void RankingOptionsFile_KAboveTheOneMaximum_StopsServeBeforeAnythingListens()
    {
        // One maximum k everywhere (RankingOptions.MaxK): a settings file over it is refused when read, and
        // `serve` stops with the setting, the file and the key named, before anything listens.
        using var dir = new TestDirectory();
        string index = Path.Combine(dir.Path, "index");
        var build = CliRunner.Run("build", "--routes", dir.CopyExampleRoutes(), "--out", index, "--model", SemanticRouter.Tests.SharedPaths.MiniLmModel);
        Assert.True(build.ExitCode == 0, build.Stderr);
        string options = dir.Write("ranking-options.json", """{"k": 5000}""");

        var result = CliRunner.Run("serve", "--index", index, "--ranking-options", options, "--port", "0", "--metrics-port", "0");

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput,
            $"SemanticRouter:RankingOptionsFile (SEMANTIC_ROUTER_RANKING_OPTIONS_FILE) {options}: k 5000: K must be in [1, 1000].");
    }

    [Fact]
    public async Task RankingSettingsTheIndexCarries_AreServed_AndTheirKIsTheDefaultK()
    {
        // Built with a ranking-options.json beside the routes: serve needs no flag to use it, says where the
        // settings came from and makes their k the default k of requests with k = 0 (300: within the one
        // maximum k, 1000).
        using var dir = new TestDirectory();
        string index = Path.Combine(dir.Path, "index");
        string routes = dir.CopyExampleRoutes();
        dir.Write("ranking-options.json", """{"k": 300, "temperature": 0.2}""");
        var build = CliRunner.Run("build", "--routes", routes, "--out", index, "--model", SemanticRouter.Tests.SharedPaths.MiniLmModel);
        Assert.True(build.ExitCode == 0, build.Stderr);

        using var server = await ServeProcess.StartAsync(index, apiKey: null);

        Assert.Contains("Ranking with default k 300, temperature 0.2,", server.StartupLog, StringComparison.Ordinal);
        Assert.Contains("(from the index's ranking-options.json, with the configured settings over it)", server.StartupLog, StringComparison.Ordinal);
        Assert.DoesNotContain("ignored", server.StartupLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IntentRouting_ARouteHeadsFitWins_OverASettingsFilesKAndTemperature_WithAWarning()
    {
        // An index with a route head whose fitted k is 5, and a settings file without route_head_weight: the
        // head's own blend ranks (its k and τ, as `eval --index` measures it) and serve says what it ignored.
        using var dir = new TestDirectory();
        string index = Path.Combine(dir.Path, "index");
        string head = dir.Write("head-params.json", """{"k": 5, "tau": 0.05, "alpha": 0.7, "abstain_rule": "none"}""");
        var build = CliRunner.Run("build", "--routes", dir.CopyExampleRoutes(), "--out", index, "--params", head, "--model", SemanticRouter.Tests.SharedPaths.MiniLmModel);
        Assert.True(build.ExitCode == 0, build.Stderr);
        string options = dir.Write("intent-options.json", """{"k": 12, "temperature": 0.3}""");

        using var server = await ServeProcess.StartAsync(index, apiKey: null, "--ranking-options", options);

        Assert.Contains("Ranking with default k 5, temperature 0.05,", server.StartupLog, StringComparison.Ordinal);
        Assert.Contains($"(from SemanticRouter:RankingOptionsFile {options}, with the configured settings over it)", server.StartupLog, StringComparison.Ordinal);
        Assert.Contains($"Ranking setting ignored: {options}: k is ignored: the index has a fitted route head, whose k (5) the ranking uses", server.StartupLog, StringComparison.Ordinal);
        Assert.Contains($"Ranking setting ignored: {options}: temperature is ignored: the index has a fitted route head", server.StartupLog, StringComparison.Ordinal);
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
