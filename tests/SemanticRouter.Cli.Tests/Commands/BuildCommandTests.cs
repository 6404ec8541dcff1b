using SemanticRouter.Cli.Commands;
using SemanticRouter.Tests;

namespace SemanticRouter.Cli.Tests.Commands;

public class BuildCommandTests
{
    [Fact]
    public void ResolveModel_FlagThenEnvironmentThenTheExistingIndexThenTheDefault()
    {
        using var dir = new TestDirectory();
        string routes = dir.CopyExampleRoutes();
        string index = Path.Combine(dir.Path, "index");
        string model = SharedPaths.MiniLmModel;
        Assert.Equal(ExitCodes.Ok, CliRunner.Run("build", "--routes", routes, "--out", index, "--model", model).ExitCode);

        Assert.Equal("/flag", BuildCommand.ResolveModel("/flag", "/env", index));
        Assert.Equal("/env", BuildCommand.ResolveModel(null, "/env", index));
        // A rebuild without flag or variable keeps the model the index was built with.
        Assert.Equal(Path.GetFullPath(model), Path.GetFullPath(BuildCommand.ResolveModel(null, null, index)));
        Assert.Equal(ModelOptions.DefaultModelDirectory, BuildCommand.ResolveModel(null, "  ", Path.Combine(dir.Path, "no-index-yet")));
    }

    [Fact]
    public void InsertThreadsNegative_OneLineBadInput()
    {
        // Checked before the model or the routes are opened.
        var result = CliRunner.Run("build", "--routes", "/nonexistent/routes", "--out", "/nonexistent/index", "--insert-threads", "-1");

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, "--insert-threads must be 0 (every core) or positive");
    }
}
