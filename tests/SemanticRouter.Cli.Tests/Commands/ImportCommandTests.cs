using SemanticRouter.Tests;

namespace SemanticRouter.Cli.Tests.Commands;

public sealed class ImportCommandTests : IDisposable
{
    private readonly TestDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void ImportBanking77_PrintsSummary_ThenRefusesNonEmptyOut_ThenForce()
    {
        var output = Path.Combine(dir.Path, "b");
        var source = Path.Combine(SharedPaths.Datasets, "banking77");

        var (code, stdout, _) = RoutesCommandTests.Run("import", "banking77", source, "--out", output);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("77 routes, 9999 utterances", stdout, StringComparison.Ordinal);
        Assert.Contains("4 duplicate within a route", stdout, StringComparison.Ordinal);
        Assert.Contains("test.jsonl: 3080 lines", stdout, StringComparison.Ordinal);

        string stderr;
        (code, _, stderr) = RoutesCommandTests.Run("import", "banking77", source, "--out", output);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--force", stderr, StringComparison.Ordinal);

        (code, _, _) = RoutesCommandTests.Run("import", "banking77", source, "--out", output, "--force");
        Assert.Equal(ExitCodes.Ok, code);

        (code, stdout, _) = RoutesCommandTests.Run("routes", "validate", "--routes", Path.Combine(output, "routes"));
        Assert.Equal(ExitCodes.Ok, code);
    }

    [Fact]
    public void ImportClinc150_PrintsSplits()
    {
        var (code, stdout, _) = RoutesCommandTests.Run("import", "clinc150", Path.Combine(SharedPaths.Datasets, "clinc150"), "--out", Path.Combine(dir.Path, "c"));

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("150 routes, 15000 utterances", stdout, StringComparison.Ordinal);
        Assert.Contains("test.jsonl: 5500 lines (1000 out of scope)", stdout, StringComparison.Ordinal);
        Assert.Contains("validation.jsonl: 3100 lines (100 out of scope)", stdout, StringComparison.Ordinal);
        Assert.Contains("oos_train.jsonl: 100 lines", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void ImportJsonl_MissingSource_OneLineExitTwo()
    {
        var (code, _, stderr) = RoutesCommandTests.Run("import", "jsonl", Path.Combine(dir.Path, "none"), "--out", Path.Combine(dir.Path, "o"));

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("train.jsonl", stderr, StringComparison.Ordinal);
    }
}
