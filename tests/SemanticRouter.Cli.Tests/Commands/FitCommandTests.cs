using SemanticRouter.Tests;

namespace SemanticRouter.Cli.Tests.Commands;

public class FitCommandTests
{
    private static string Model => SharedPaths.MiniLmModel;

    [Fact]
    public void Outcomes_WritesTheChoiceEvalChooseRecommends_AsARankingOptionsFile()
    {
        using var dir = new TestDirectory();
        string file = EvalCommandTests.WriteOutcomes(dir);
        string options = Path.Combine(dir.Path, "ranking-options.json");

        // eval --folds 4 --seed 0 makes its recommendation on an inner split seeded 0 + 1 + 4. fit chooses
        // from ServedSettingsGrid.Default (no route head's α), eval by default from its own grid: given fit's.
        var fit = CliRunner.Run("fit", "--outcomes", file, "--inner-folds", "3", "--seed", "5", "--out", options, "--model", Model);
        var eval = CliRunner.Run("eval", "--outcomes", file, "--folds", "4", "--served", "--choose", "--inner-folds", "3", "--json", "--model", Model,
            "--grid", "k=25,50,100,200;temperature=0.05,0.1,0.2,0.5;utterance_smoothing=1,4,10;text_model_weight=0,0.2,0.35,0.5;route_head_weight=0");

        Assert.True(fit.ExitCode == 0, fit.Stderr);
        Assert.Contains($"semantic-router build --ranking-options {options}", fit.Stdout, StringComparison.Ordinal);
        Assert.Contains($"semantic-router serve --index DIR --ranking-options {options}", fit.Stdout, StringComparison.Ordinal);
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        var written = SemanticRouter.Settings.RankingSettingsFile.Read(options);
        using var json = System.Text.Json.JsonDocument.Parse(eval.Stdout);
        var recommended = json.RootElement.GetProperty("recommended");
        Assert.Equal(recommended.GetProperty("k").GetInt32(), written.K);
        Assert.Equal(recommended.GetProperty("temperature").GetDouble(), written.Temperature);
        Assert.Equal(recommended.GetProperty("utterance_smoothing").GetDouble(), written.UtteranceSmoothing);
        Assert.Equal(recommended.GetProperty("text_model_weight").GetDouble(), written.TextModelWeight);
        Assert.Contains("optimistic", written.FittedOn, StringComparison.Ordinal);
        Assert.True(written.FitMetrics!.ContainsKey("inner_apgr"));
    }

    [Fact]
    public void Outcomes_Grid_IsWhatItChoosesAmong_AndAnEdgeChoiceIsNoted()
    {
        using var dir = new TestDirectory();
        string file = EvalCommandTests.WriteOutcomes(dir);
        string options = Path.Combine(dir.Path, "o.json");

        var fit = CliRunner.Run("fit", "--outcomes", file, "--inner-folds", "2", "--grid", "k=3;temperature=0.3;utterance_smoothing=2,8;text_model_weight=0", "--out", options, "--model", Model);

        Assert.True(fit.ExitCode == 0, fit.Stderr);
        Assert.Contains("choosing among 2 settings", fit.Stderr, StringComparison.Ordinal);
        // Two values of β_u: whichever wins is at an edge, and the note says which.
        Assert.Contains("note: chosen at the edge of the grid: utterance_smoothing ", fit.Stderr, StringComparison.Ordinal);
        var written = SemanticRouter.Settings.RankingSettingsFile.Read(options);
        Assert.Equal(0.3, written.Temperature);
        Assert.Equal(0, written.TextModelWeight);
        Assert.Contains(written.UtteranceSmoothing, new double?[] { 2, 8 });
        Assert.Equal(6, written.K); // k 3 with half the prompts indexed, scaled to all of them
    }

    [Theory]
    [InlineData("fit", "give --routes DIR (the route head's parameters) or --outcomes FILE_OR_DIR")]
    [InlineData("fit --routes . --seed 3", "--seed applies with --outcomes only")]
    [InlineData("fit --outcomes OUTCOMES --max-accuracy-loss 0.01", "--max-accuracy-loss fits the route head; give it with --routes, not with --outcomes")]
    [InlineData("fit --outcomes OUTCOMES --inner-folds 1", "--inner-folds must be at least 2, not 1")]
    [InlineData("fit --outcomes OUTCOMES --out /nonexistent/dir/o.json", "--out /nonexistent/dir/o.json: directory /nonexistent/dir does not exist")]
    [InlineData("fit --outcomes /nonexistent/outcomes.csv", "/nonexistent/outcomes.csv")]
    [InlineData("fit --outcomes EMPTY", "empty.csv: no prompts (expected RouteLLM's format")]
    [InlineData("fit --outcomes /dev/null", "/dev/null: not a .csv file (expected RouteLLM's CSV")]
    [InlineData("fit --outcomes OUTCOMES --grid tau=0.1", "--grid: unknown key 'tau'")]
    [InlineData("fit --routes . --grid k=5", "--grid applies with --outcomes only")]
    public void OutcomesMisused_OneLineBadInput(string command, string message)
    {
        using var dir = new TestDirectory();
        string file = EvalCommandTests.WriteOutcomes(dir);
        string empty = dir.Write("empty.csv", "prompt,weak-model,strong-model\n");

        var result = CliRunner.Run([.. command.Replace("OUTCOMES", file, StringComparison.Ordinal).Replace("EMPTY", empty, StringComparison.Ordinal).Split(' '), "--model", Model]);

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, message);
    }

    [Fact]
    public void MergeValidation_AppendsNewInScopeExamplesOnce_AndWarnsOnTheNextFit()
    {
        using var dir = new TestDirectory();
        string routes = dir.CopyExampleRoutes();
        const string Fresh = "compute the determinant of a three by three matrix of integers";
        dir.Write("validation.jsonl", string.Join('\n',
            $$"""{"text": "{{Fresh}}", "route": "maths"}""",
            """{"text": "solve for x in 3x + 7 = 22", "route": "maths"}""",
            """{"text": "what is the weather like on mars today", "route": null}""") + "\n");

        var first = CliRunner.Run("fit", "--routes", dir.Path, "--model", Model, "--merge-validation");

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("merged 1 validation examples into the route files (1 skipped", first.Stderr, StringComparison.Ordinal);
        Assert.Contains(Fresh, File.ReadAllText(Path.Combine(routes, "maths.yaml")), StringComparison.Ordinal);
        Assert.Contains("merged into the route files", File.ReadAllText(Path.Combine(dir.Path, "router-params.json")), StringComparison.Ordinal);

        // The validation set now overlaps the routes: a second fit says so, and merges nothing new.
        var second = CliRunner.Run("fit", "--routes", dir.Path, "--model", Model, "--merge-validation");
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains("2 of the validation examples are also route utterances", second.Stderr, StringComparison.Ordinal);
        Assert.Contains("merged 0 validation examples", second.Stderr, StringComparison.Ordinal);
        Assert.Single(File.ReadAllLines(Path.Combine(routes, "maths.yaml")), line => line.Contains(Fresh, StringComparison.Ordinal));
    }

    [Fact]
    public void MergeValidationWithoutAValidationSet_OneLineBadInput()
    {
        using var dir = new TestDirectory();
        dir.CopyExampleRoutes();

        var result = CliRunner.Run("fit", "--routes", dir.Path, "--model", Model, "--merge-validation");

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, "--merge-validation needs a validation set");
    }

    [Theory]
    [InlineData("5")]
    [InlineData("-0.1")]
    [InlineData("1")]
    public void MaxAccuracyLossOutsideAFraction_OneLineBadInput(string loss)
    {
        using var dir = new TestDirectory();
        dir.CopyExampleRoutes();

        var result = CliRunner.Run("fit", "--routes", dir.Path, "--model", Model, "--max-accuracy-loss", loss);

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, "--max-accuracy-loss is a fraction in [0, 1)");
    }

    [Fact]
    public void ValidationSetNamingNoKnownRoute_WarnsAndFails()
    {
        using var dir = new TestDirectory();
        dir.CopyExampleRoutes();
        dir.Write("validation.jsonl", """{"text": "what is two plus two", "route": "arithmetic"}""" + "\n");

        var result = CliRunner.Run("fit", "--routes", dir.Path, "--model", Model);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("1 lines of " + System.IO.Path.Combine(dir.Path, "validation.jsonl") + " name routes the router does not have ('arithmetic'); they are left out", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("has no in-scope line naming a route", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(System.IO.Path.Combine(dir.Path, "router-params.json")));
    }

    [Fact]
    public void MergeValidation_LeavesOutLinesOfUnknownRoutes_AsTheFitDid()
    {
        using var dir = new TestDirectory();
        string routes = dir.CopyExampleRoutes();
        const string Fresh = "compute the determinant of a three by three matrix of integers";
        dir.Write("validation.jsonl", string.Join('\n',
            $$"""{"text": "{{Fresh}}", "route": "maths"}""",
            """{"text": "what is two plus two", "route": "arithmetic"}""",
            """{"text": "what is the weather like on mars today", "route": null}""") + "\n");

        var result = CliRunner.Run("fit", "--routes", dir.Path, "--model", Model, "--merge-validation");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("name routes the router does not have ('arithmetic'); they are left out", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("merged 1 validation examples into the route files", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(Fresh, File.ReadAllText(System.IO.Path.Combine(routes, "maths.yaml")), StringComparison.Ordinal);
    }
}
