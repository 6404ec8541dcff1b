using SemanticRouter.Artifacts;
using SemanticRouter.Cli.Commands;
using SemanticRouter.Tests;

namespace SemanticRouter.Cli.Tests.Commands;

/// <summary>Tests that set process environment variables: they run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public sealed class ProcessEnvironment;

/// <summary>
/// The one model rule of every command: --model, then $SEMANTIC_ROUTER_MODEL, then the index's
/// recorded folder, then embeddings/models/all-MiniLM-L6-v2; a model other than the index's is refused.
/// </summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class ModelResolutionTests : IDisposable
{
    private readonly TestDirectory _dir = new();
    private readonly string _index;
    private readonly string? _savedModel = Environment.GetEnvironmentVariable(ModelOptions.ModelEnvironmentVariable);

    public ModelResolutionTests()
    {
        Environment.SetEnvironmentVariable(ModelOptions.ModelEnvironmentVariable, null);
        _index = Path.Combine(_dir.Path, "index");
        var build = CliRunner.Run("build", "--routes", _dir.CopyExampleRoutes(), "--out", _index, "--model", SharedPaths.MiniLmModel);
        Assert.True(build.ExitCode == 0, build.Stderr);
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(ModelOptions.ModelEnvironmentVariable, _savedModel);
        _dir.Dispose();
    }

    [Fact]
    public void Resolve_FlagThenEnvironmentThenTheIndexsFolderThenTheDefault()
    {
        var manifest = RouterArtifact.ReadManifest(_index);

        Assert.Equal(new ModelChoice("/flag", ModelSource.Flag), ModelOptions.Resolve("/flag", manifest, "/env"));
        Assert.Equal(new ModelChoice("/env", ModelSource.Environment), ModelOptions.Resolve(null, manifest, "/env"));
        Assert.Equal(new ModelChoice(Path.GetFullPath(SharedPaths.MiniLmModel), ModelSource.Index), ModelOptions.Resolve(" ", manifest, ""));
        // An index copied from a machine whose folder is gone falls through to the default (the fingerprint check decides).
        var moved = manifest with { Model = manifest.Model with { Directory = Path.Combine(_dir.Path, "gone") } };
        Assert.Equal(new ModelChoice(ModelOptions.DefaultModelDirectory, ModelSource.Default), ModelOptions.Resolve(null, moved, null));
        Assert.Equal(new ModelChoice(ModelOptions.DefaultModelDirectory, ModelSource.Default), ModelOptions.Resolve(null, null, null));
    }

    [Fact]
    public void EnvironmentModelOtherThanTheIndexs_IsRefusedByEveryCommandThatReadsTheIndex_NamingBoth()
    {
        string test = _dir.Write("test.jsonl", """{"text": "write a python function", "route": "coding"}""" + "\n");
        string outcomes = _dir.Write("outcomes.csv", "text,model,outcome\nwrite a python function,gpt-4o,1\n");
        Environment.SetEnvironmentVariable(ModelOptions.ModelEnvironmentVariable, SharedPaths.MiniLmInt8Model);

        foreach (var args in new[]
        {
            new[] { "rank", "--index", _index, "write a python function" },
            ["neighbors", "--index", _index, "write a python function"],
            ["eval", "--index", _index, "--test", test],
            ["outcomes", "import", outcomes, "--index", _index, "--db", Path.Combine(_dir.Path, "o.db")],
        })
        {
            var result = CliRunner.Run(args);
            CliRunner.AssertOneLineError(result, ExitCodes.BadArtifact, $"$SEMANTIC_ROUTER_MODEL {SharedPaths.MiniLmInt8Model} (sha256 ");
            Assert.Contains($"in {Path.GetFullPath(SharedPaths.MiniLmModel)} (sha256 ", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("unset SEMANTIC_ROUTER_MODEL", result.Stderr, StringComparison.Ordinal);
        }

        // The flag is refused the same way, and wins over the variable.
        var flagged = CliRunner.Run("rank", "--index", _index, "write a python function", "--model", SharedPaths.MiniLmInt8Model);
        CliRunner.AssertOneLineError(flagged, ExitCodes.BadArtifact, $"--model {SharedPaths.MiniLmInt8Model} (sha256 ");
        Assert.Equal(0, CliRunner.Run("rank", "--index", _index, "write a python function", "--model", SharedPaths.MiniLmModel).ExitCode);

        // The index's own model through the variable, or no variable: it ranks.
        Environment.SetEnvironmentVariable(ModelOptions.ModelEnvironmentVariable, SharedPaths.MiniLmModel);
        Assert.Equal(0, CliRunner.Run("rank", "--index", _index, "write a python function").ExitCode);
        Environment.SetEnvironmentVariable(ModelOptions.ModelEnvironmentVariable, null);
        Assert.Equal(0, CliRunner.Run("rank", "--index", _index, "write a python function").ExitCode);
    }

    [Fact]
    public void Build_SaysWhichModelItUses_AndWithoutFlagOrVariableKeepsTheIndexsModel()
    {
        string routes = Path.Combine(_dir.Path, "routes");

        var rebuild = CliRunner.Run("build", "--routes", routes, "--out", _index);
        Assert.True(rebuild.ExitCode == 0, rebuild.Stderr);
        Assert.Contains($"build: model {Path.GetFullPath(SharedPaths.MiniLmModel)} (the model the index was built with)", rebuild.Stderr, StringComparison.Ordinal);
        Assert.Contains("index up to date", rebuild.Stdout, StringComparison.Ordinal);

        Environment.SetEnvironmentVariable(ModelOptions.ModelEnvironmentVariable, SharedPaths.MiniLmModel);
        var fresh = CliRunner.Run("build", "--routes", routes, "--out", Path.Combine(_dir.Path, "fresh"));
        Assert.True(fresh.ExitCode == 0, fresh.Stderr);
        Assert.Contains($"build: model $SEMANTIC_ROUTER_MODEL {SharedPaths.MiniLmModel}", fresh.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void NoModelAnywhere_OneLineExit3_SayingHowToGetOne()
    {
        // A first build into a new directory with no flag or variable takes the default folder, which
        // is relative to the current directory; the test runner's directory has none.
        Assert.False(Directory.Exists(ModelOptions.DefaultModelDirectory));
        var result = CliRunner.Run("build", "--routes", Path.Combine(_dir.Path, "routes"), "--out", Path.Combine(_dir.Path, "new"));

        CliRunner.AssertOneLineError(result, ExitCodes.BadArtifact, "no such folder (the default: run ./run.sh, which links or pulls it");
    }
}
