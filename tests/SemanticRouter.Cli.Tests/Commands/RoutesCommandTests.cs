using System.Text.Json;
using SemanticRouter.Tests;

namespace SemanticRouter.Cli.Tests.Commands;

public sealed class RoutesCommandTests : IDisposable
{
    private readonly TestDirectory dir = new();

    public void Dispose() => dir.Dispose();

    internal static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Validate_ExampleRoutes_ExitsZeroWithSummary()
    {
        var (code, output, error) = Run("routes", "validate", "--routes", TestDirectory.ExampleRoutes);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("ok: 10 routes", output, StringComparison.Ordinal);
        Assert.Empty(error);
    }

    [Fact]
    public void Validate_InvalidFiles_ExitsTwoListingEveryError()
    {
        var routes = dir.CopyExampleRoutes();
        var maths = Path.Combine(routes, "maths.yaml");
        File.WriteAllText(maths, File.ReadAllText(maths)
            .Replace("model: o3-mini", "model: o4-giga", StringComparison.Ordinal)
            .Replace("prior: 0.74", "prior: 1.74", StringComparison.Ordinal));

        var (code, _, error) = Run("routes", "validate", "--routes", routes);

        Assert.Equal(ExitCodes.BadInput, code);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"maths\.yaml:\d+:\d+: route 'maths': unknown target model 'o4-giga'", lines[0]);
        Assert.Matches(@"maths\.yaml:\d+:\d+: route 'maths': 'prior' must be a number in \[0, 1\]", lines[1]);
        Assert.Contains("2 errors", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void List_Table_And_Json()
    {
        var (code, output, _) = Run("routes", "list", "--routes", TestDirectory.ExampleRoutes);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("medical_advice", output, StringComparison.Ordinal);
        Assert.Contains("10 routes", output, StringComparison.Ordinal);

        (code, output, _) = Run("routes", "list", "--routes", TestDirectory.ExampleRoutes, "--json");
        Assert.Equal(ExitCodes.Ok, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(10, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal("coding", first.RootElement.GetProperty("name").GetString());
        Assert.True(first.RootElement.GetProperty("utterances").GetInt32() >= 15);
    }

    [Fact]
    public void Add_AppendsAndRefusesDuplicateAndUnknown_WithOneLineErrors()
    {
        var routes = dir.CopyExampleRoutes();

        var (code, output, _) = Run("routes", "add", "maths", "what is 7 factorial", "--routes", routes);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("maths.yaml", output, StringComparison.Ordinal);

        string error;
        (code, _, error) = Run("routes", "add", "maths", "What is 7   factorial", "--routes", routes);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("duplicate utterance", error, StringComparison.Ordinal);

        (code, _, error) = Run("routes", "add", "math", "x", "--routes", routes);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("semantic-router routes add: unknown route 'math' (did you mean 'maths'?)", error.Trim());
    }

    [Fact]
    public void Add_InvalidFiles_OneLineWithFirstError()
    {
        var routes = dir.CopyExampleRoutes();
        File.WriteAllText(Path.Combine(routes, "broken.yaml"), "routes: [\n");

        var (code, _, error) = Run("routes", "add", "maths", "x", "--routes", routes);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("broken.yaml:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingRoutesDirectory_ExitsTwo()
    {
        var (code, _, error) = Run("routes", "list", "--routes", Path.Combine(dir.Path, "nope"));

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("not found", error, StringComparison.Ordinal);
    }
}
