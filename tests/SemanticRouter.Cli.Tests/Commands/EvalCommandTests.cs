using System.Globalization;
using System.Text;
using System.Text.Json;
using SemanticRouter.Tests;

namespace SemanticRouter.Cli.Tests.Commands;

public class EvalCommandTests
{
    private static string Model => SharedPaths.MiniLmModel;

    /// <summary>A RouteLLM-format file: 40 prompts on two topics; the weak model fails most maths prompts.</summary>
    internal static string WriteOutcomes(TestDirectory dir)
    {
        var csv = new StringBuilder("prompt,weak-model,strong-model\n");
        for (int i = 0; i < 20; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"\"What is {i + 12} times {i + 7}?\",{(i % 4 == 0 ? "True" : "False")},True\n");
            csv.Append(CultureInfo.InvariantCulture, $"\"Name a city in country number {i}\",True,{(i % 5 == 0 ? "False" : "True")}\n");
        }

        return dir.Write("outcomes.csv", csv.ToString());
    }

    [Fact]
    public void Seed_IsReported_AndTheSameSeedGivesTheSameFigures()
    {
        using var dir = new TestDirectory();
        string file = WriteOutcomes(dir);

        var first = CliRunner.Run("eval", "--outcomes", file, "--folds", "4", "--seed", "3", "--json", "--model", Model);
        var again = CliRunner.Run("eval", "--outcomes", file, "--folds", "4", "--seed", "3", "--json", "--model", Model);
        var other = CliRunner.Run("eval", "--outcomes", file, "--folds", "4", "--seed", "4", "--json", "--model", Model);

        Assert.True(first.ExitCode == 0, first.Stderr);
        using var json = JsonDocument.Parse(first.Stdout);
        Assert.Equal(3, json.RootElement.GetProperty("seed").GetInt32());
        Assert.Equal(40, json.RootElement.GetProperty("n").GetInt32());
        Assert.Equal(first.Stdout, again.Stdout);
        Assert.True(other.ExitCode == 0, other.Stderr);
        Assert.Equal(4, JsonDocument.Parse(other.Stdout).RootElement.GetProperty("seed").GetInt32());
    }

    [Fact]
    public void Outcomes_ReportIntervals_AndWriteEveryPromptsScore()
    {
        using var dir = new TestDirectory();
        string file = WriteOutcomes(dir);
        string scores = Path.Combine(dir.Path, "scores.csv");

        var result = CliRunner.Run("eval", "--outcomes", file, "--harness", "--folds", "4", "--json", "--ensemble", "3", "--scores", scores, "--model", Model);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.DoesNotContain("warning", result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        double apgr = root.GetProperty("apgr").GetDouble();
        var ci = root.GetProperty("apgr_ci");
        Assert.InRange(apgr, ci[0].GetDouble(), ci[1].GetDouble());
        Assert.Equal(2, root.GetProperty("cpt50_ci").GetArrayLength());
        Assert.Equal(3, root.GetProperty("ensemble").GetInt32());
        var lines = File.ReadAllLines(scores);
        Assert.Equal("route,score,weak,strong,prompt", lines[0]);
        Assert.Equal(41, lines.Length);
        // the file's order, each prompt with its two outcomes
        Assert.EndsWith(",1,1,What is 12 times 7?", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(",0,1,What is 13 times 8?", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public void Outcomes_GradedScores_EvaluateAsMeanScores()
    {
        // A judge's scores in [0, 1]: the weak model scores low on the maths prompts.
        using var dir = new TestDirectory();
        var csv = new StringBuilder("prompt,weak-model,strong-model\n");
        for (int i = 0; i < 20; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"\"What is {i + 12} times {i + 7}?\",{0.1 + (0.01 * i):0.00},0.9\n");
            csv.Append(CultureInfo.InvariantCulture, $"\"Name a city in country number {i}\",0.8,{(i % 2 == 0 ? "0.75" : "1")}\n");
        }

        string file = dir.Write("judged.csv", csv.ToString());
        string scores = Path.Combine(dir.Path, "scores.csv");

        var harness = CliRunner.Run("eval", "--outcomes", file, "--harness", "--folds", "4", "--json", "--scores", scores, "--model", Model);
        var served = CliRunner.Run("eval", "--outcomes", file, "--folds", "4", "--served", "--k", "5", "--json", "--model", Model);

        Assert.True(harness.ExitCode == 0, harness.Stderr);
        Assert.Contains("graded outcomes: a model's quality is its mean score", harness.Stderr);
        Assert.True(served.ExitCode == 0, served.Stderr);
        foreach (var run in new[] { harness, served })
        {
            using var json = JsonDocument.Parse(run.Stdout);
            var root = json.RootElement;
            Assert.True(root.GetProperty("graded").GetBoolean());
            Assert.Equal((0.195 + 0.8) / 2, root.GetProperty("weak_accuracy").GetDouble(), 6);
            Assert.Equal((0.9 + 0.875) / 2, root.GetProperty("strong_accuracy").GetDouble(), 6);
            // the maths prompts, where the strong model gains 0.7, are told apart from the cities
            Assert.True(root.GetProperty("apgr").GetDouble() > root.GetProperty("random").GetProperty("apgr").GetDouble(), run.Stdout);
        }

        Assert.EndsWith(",0.1,0.9,What is 12 times 7?", File.ReadAllLines(scores)[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Outcomes_Served_RanksWithTheGivenSettings()
    {
        using var dir = new TestDirectory();
        string file = WriteOutcomes(dir);

        var result = CliRunner.Run("eval", "--outcomes", file, "--folds", "4", "--served", "--k", "5", "--temperature", "0.2", "--json", "--model", Model);

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.True(root.GetProperty("served").GetBoolean());
        Assert.Equal(5, root.GetProperty("ranking").GetProperty("k").GetInt32());
        Assert.Equal(0.2, root.GetProperty("ranking").GetProperty("temperature").GetDouble());
        Assert.Equal(0.2, root.GetProperty("ranking").GetProperty("text_model_weight").GetDouble());
        Assert.InRange(root.GetProperty("apgr").GetDouble(), root.GetProperty("apgr_ci")[0].GetDouble(), root.GetProperty("apgr_ci")[1].GetDouble());
        Assert.True(root.TryGetProperty("random", out _));
    }

    [Fact]
    public void Outcomes_ByDefault_TheServedRankerWithSettingsChosenFromTheEvaluationGrid_AndHarnessOnRequest()
    {
        using var dir = new TestDirectory();
        string file = WriteOutcomes(dir);

        var byDefault = CliRunner.Run("eval", "--outcomes", file, "--folds", "4", "--inner-folds", "3", "--json", "--model", Model);
        var explicitly = CliRunner.Run("eval", "--outcomes", file, "--folds", "4", "--inner-folds", "3", "--served", "--choose", "--grid",
            "k=50,100,200;temperature=0.2,0.5,1;utterance_smoothing=1,4;text_model_weight=0.2;route_head_weight=0,0.5,1", "--json", "--model", Model);
        var harness = CliRunner.Run("eval", "--outcomes", file, "--folds", "4", "--harness", "--json", "--model", Model);

        Assert.True(byDefault.ExitCode == 0, byDefault.Stderr);
        Assert.Equal(explicitly.Stdout, byDefault.Stdout);
        using var json = JsonDocument.Parse(byDefault.Stdout);
        var root = json.RootElement;
        Assert.True(root.GetProperty("served").GetBoolean());
        Assert.Equal(4, root.GetProperty("chosen").GetArrayLength());
        Assert.All(root.GetProperty("chosen").EnumerateArray(), c =>
        {
            Assert.Contains(c.GetProperty("temperature").GetDouble(), new[] { 0.2, 0.5, 1 });
            Assert.Contains(c.GetProperty("route_head_weight").GetDouble(), new[] { 0, 0.5, 1 });
            Assert.Equal(0.2, c.GetProperty("text_model_weight").GetDouble());
        });
        Assert.True(root.TryGetProperty("recommended", out _));

        Assert.True(harness.ExitCode == 0, harness.Stderr);
        using var h = JsonDocument.Parse(harness.Stdout);
        Assert.False(h.RootElement.TryGetProperty("served", out _));
        Assert.True(h.RootElement.TryGetProperty("knn_only", out _));
        Assert.True(h.RootElement.GetProperty("chosen")[0].TryGetProperty("alpha", out _));
    }

    [Fact]
    public void Outcomes_ServedChoose_ReportsWhatEachFoldChose()
    {
        using var dir = new TestDirectory();
        string file = WriteOutcomes(dir);

        var result = CliRunner.Run("eval", "--outcomes", file, "--folds", "4", "--served", "--choose", "--inner-folds", "3", "--json", "--model", Model);

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var chosen = json.RootElement.GetProperty("chosen");
        Assert.Equal(4, chosen.GetArrayLength());
        Assert.All(chosen.EnumerateArray(), c => Assert.True(c.GetProperty("k").GetInt32() >= 25 && c.GetProperty("inner_apgr").ValueKind == JsonValueKind.Number));
        Assert.Equal(3, json.RootElement.GetProperty("inner_folds").GetInt32());
        Assert.True(json.RootElement.GetProperty("recommended").GetProperty("k").GetInt32() >= 25);
    }

    [Fact]
    public void Outcomes_ServedChoose_WritesTheChosenSettings_ThatServedEvalRanksWith()
    {
        using var dir = new TestDirectory();
        string file = WriteOutcomes(dir);
        string options = Path.Combine(dir.Path, "ranking-options.json");

        var choose = CliRunner.Run("eval", "--outcomes", file, "--folds", "4", "--served", "--choose", "--inner-folds", "3", "--write-options", options, "--model", Model);

        Assert.True(choose.ExitCode == 0, choose.Stderr);
        Assert.Contains($"semantic-router serve --index DIR --ranking-options {options}", choose.Stdout, StringComparison.Ordinal);
        using var written = JsonDocument.Parse(File.ReadAllText(options));
        var root = written.RootElement;
        Assert.Equal("semantic-router/ranking-options/v1", root.GetProperty("schema").GetString());
        Assert.Contains("--choose", root.GetProperty("fitted_on").GetString(), StringComparison.Ordinal);
        Assert.True(root.GetProperty("fit_metrics").TryGetProperty("apgr", out _));

        // The file is the recommendation; --ranking-options ranks with it, and a flag given too wins.
        var again = CliRunner.Run("eval", "--outcomes", file, "--folds", "4", "--served", "--ranking-options", options, "--utterance-smoothing", "2", "--json", "--model", Model);
        Assert.True(again.ExitCode == 0, again.Stderr);
        using var json = JsonDocument.Parse(again.Stdout);
        var ranking = json.RootElement.GetProperty("ranking");
        Assert.Equal(root.GetProperty("k").GetInt32(), ranking.GetProperty("k").GetInt32());
        Assert.Equal(root.GetProperty("temperature").GetDouble(), ranking.GetProperty("temperature").GetDouble());
        Assert.Equal(root.GetProperty("text_model_weight").GetDouble(), ranking.GetProperty("text_model_weight").GetDouble());
        Assert.Equal(2, ranking.GetProperty("utterance_smoothing").GetDouble());
    }

    [Fact]
    public void Outcomes_WriteOptionsFails_AfterTheReport_WhichIsKept()
    {
        using var dir = new TestDirectory();
        string file = WriteOutcomes(dir);
        string directory = Directory.CreateDirectory(Path.Combine(dir.Path, "a-directory")).FullName;

        var result = CliRunner.Run("eval", "--outcomes", file, "--folds", "4", "--served", "--choose", "--inner-folds", "3", "--write-options", directory, "--json", "--model", Model);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.True(json.RootElement.TryGetProperty("recommended", out _));
        Assert.Contains($"cannot write --write-options {directory}: ", result.Stderr, StringComparison.Ordinal);
        Assert.True(Directory.Exists(directory));
        Assert.DoesNotContain(Directory.GetFiles(dir.Path), f => f.EndsWith(".tmp", StringComparison.Ordinal)); // the temporary file is cleaned up
    }

    [Theory]
    [InlineData("--k 5", "--k is chosen on the training folds; add --served to rank with it given")]
    [InlineData("--ensemble 3", "--ensemble applies to the harness; add --harness")]
    [InlineData("--served --ensemble 3", "--ensemble applies to the harness; add --harness")]
    [InlineData("--served --inner-folds 3", "--inner-folds sets the split that chooses the settings; --served ranks with the settings given")]
    [InlineData("--served --k 0", "--k: K must be in [1, 1000].")]
    [InlineData("--served --choose --temperature 0.2", "--temperature is chosen on the training folds")]
    [InlineData("--route-head", "--route-head changes the harness's route part; add --harness")]
    [InlineData("--route-head-weight 0.5", "--route-head-weight is chosen on the training folds (route_head_weight in --grid)")]
    [InlineData("--served --route-head-weight 1.5", "--route-head-weight must be in [0, 1], not 1.5")]
    [InlineData("--served --temperature -1", "--temperature: Temperature must be positive and finite.")]
    [InlineData("--served --grid k=5", "--grid is what --choose chooses among; add --choose, or leave out --served")]
    [InlineData("--grid k=0", "--grid: k 0: K must be in [1, 1000].")]
    [InlineData("--served --write-options x.json", "--write-options writes the settings chosen on the training folds; leave out --served")]
    [InlineData("--write-options /nonexistent/dir/x.json", "--write-options /nonexistent/dir/x.json: directory /nonexistent/dir does not exist")]
    [InlineData("--served --ranking-options /nonexistent/x.json", "--ranking-options /nonexistent/x.json: file not found")]
    [InlineData("--ranking-options x.json", "--ranking-options is chosen on the training folds")]
    [InlineData("--harness --served", "--served applies to the served ranker, not to --harness")]
    [InlineData("--harness --choose", "--choose applies to the served ranker, not to --harness")]
    [InlineData("--harness --grid k=5", "--grid applies to the served ranker, not to --harness")]
    [InlineData("--harness --k 5", "--k applies to the served ranker, not to --harness")]
    [InlineData("--harness --route-head-weight 0.5", "--route-head-weight applies to the served ranker, not to --harness")]
    [InlineData("--harness --write-options x.json", "--write-options applies to the served ranker, not to --harness")]
    public void Outcomes_ServedFlagsMisused_OneLineBadInput(string flags, string message)
    {
        using var dir = new TestDirectory();
        string file = WriteOutcomes(dir);

        var result = CliRunner.Run(["eval", "--outcomes", file, .. flags.Split(' '), "--model", Model]);

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, message);
    }

    [Theory]
    [InlineData("--seed", "3")]
    [InlineData("--harness", null)]
    [InlineData("--route-head", null)]
    [InlineData("--plot", "x.png")]
    [InlineData("--k", "5")]
    public void Intents_OutcomeOnlyFlag_OneLineBadInput(string flag, string? value)
    {
        using var dir = new TestDirectory();

        var result = CliRunner.Run(["eval", "--routes", dir.Path, flag, .. value is null ? Array.Empty<string>() : [value], "--model", Model]);

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, $"{flag} applies with --outcomes only");
    }

    [Fact]
    public void Outcomes_ServedRouteHeadWeight_IsReported()
    {
        using var dir = new TestDirectory();
        string file = WriteOutcomes(dir);

        var result = CliRunner.Run("eval", "--outcomes", file, "--folds", "4", "--served", "--k", "5", "--route-head-weight", "0.5", "--json", "--model", Model);

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(0.5, json.RootElement.GetProperty("route_head_weight").GetDouble());
    }

    [Fact]
    public void Outcomes_RouteHead_IsReported()
    {
        using var dir = new TestDirectory();
        string file = WriteOutcomes(dir);

        var result = CliRunner.Run("eval", "--outcomes", file, "--harness", "--folds", "4", "--json", "--route-head", "--model", Model);

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.True(json.RootElement.GetProperty("route_head").GetBoolean());
    }

    [Fact]
    public void Outcomes_EnsembleBelowOne_OneLineBadInput()
    {
        using var dir = new TestDirectory();
        string file = WriteOutcomes(dir);

        var result = CliRunner.Run("eval", "--outcomes", file, "--harness", "--ensemble", "0", "--model", Model);

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, "--ensemble must be at least 1, not 0");
    }

    [Fact]
    public void Outcomes_WeakAndStrongColumns_PickTheModelsCompared()
    {
        using var dir = new TestDirectory();
        string file = WriteOutcomes(dir);

        var swapped = CliRunner.Run("eval", "--outcomes", file, "--folds", "4", "--weak", "strong-model", "--strong", "weak-model", "--no-text-model", "--json", "--model", Model);

        Assert.True(swapped.ExitCode == 0, swapped.Stderr);
        using var json = JsonDocument.Parse(swapped.Stdout);
        Assert.Equal("strong-model", json.RootElement.GetProperty("weak_model").GetString());
        Assert.Equal("weak-model", json.RootElement.GetProperty("strong_model").GetString());
        Assert.Equal(0.9, json.RootElement.GetProperty("weak_accuracy").GetDouble(), 6);
        // Swapped, the "strong" model is the worse one: the figures are still printed, with a warning.
        Assert.Contains("eval: warning: the strong model weak-model (", swapped.Stderr);
        Assert.Contains("does not do better than the weak model strong-model (90.0 %)", swapped.Stderr);
    }

    [Theory]
    [InlineData("eval --outcomes OUTCOMES --strong gpt-5", "outcomes.csv: no model column 'gpt-5' (--strong; its model columns are weak-model, strong-model)")]
    [InlineData("eval --routes . --weak weak-model", "--weak names a column of an outcome file; it applies with --outcomes only")]
    [InlineData("fit --routes . --strong strong-model", "--strong applies with --outcomes only")]
    [InlineData("fit --outcomes OUTCOMES --weak prompt", "outcomes.csv: no model column 'prompt' (--weak;")]
    public void Outcomes_ColumnsMisused_OneLineBadInput(string command, string message)
    {
        using var dir = new TestDirectory();
        string file = WriteOutcomes(dir);

        var result = CliRunner.Run([.. command.Replace("OUTCOMES", file, StringComparison.Ordinal).Split(' '), "--model", Model]);

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, message);
    }

    [Theory]
    [InlineData("--folds", "1", "--folds must be at least 2, not 1")]
    [InlineData("--points", "1", "--points must be at least 2")]
    [InlineData("--folds", "21", "--folds 21 is too many for 40 prompts (at most 20)")]
    public void FoldsOrPointsOutOfRange_OneLineBadInput(string flag, string value, string message)
    {
        using var dir = new TestDirectory();
        string file = WriteOutcomes(dir);

        var result = CliRunner.Run("eval", "--outcomes", file, flag, value, "--model", Model);

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, message);
    }

    [Fact]
    public void IntentEvalOfAMissingDirectory_OneLineBadInput_WithoutTheFittingNotice()
    {
        var result = CliRunner.Run("eval", "--routes", "/nonexistent/routes-dir", "--model", Model);

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, "routes directory '/nonexistent/routes-dir' not found");
    }

    [Theory]
    [InlineData("", "has no lines")]
    [InlineData("{\"route\": \"maths\"}\n", "test.jsonl:1: expected an object with a string \"text\"")]
    [InlineData("{\"text\": \"2 + 2\", \"route\": \"maths\"}\nnot json\n", "test.jsonl:2:")]
    public void MalformedTestFile_OneLineBadInput_NamingTheLine(string content, string message)
    {
        using var dir = new TestDirectory();
        string test = dir.Write("test.jsonl", content);

        // The test file is read before the index is opened.
        var result = CliRunner.Run("eval", "--index", "/nonexistent/index", "--test", test);

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, message);
    }

    [Fact]
    public void TestLinesNamingUnknownRoutes_AreCountedWrong_WithOneWarning()
    {
        using var dir = new TestDirectory();
        string routes = dir.CopyExampleRoutes();
        string index = System.IO.Path.Combine(dir.Path, "index");
        var build = CliRunner.Run("build", "--routes", routes, "--out", index, "--model", Model);
        Assert.True(build.ExitCode == 0, build.Stderr);
        string test = dir.Write("test.jsonl", """
            {"text": "solve for x in 3x + 7 = 22", "route": "maths"}
            {"text": "translate good morning into German", "route": "no_such_route"}
            """ + "\n");

        var result = CliRunner.Run("eval", "--index", index, "--test", test, "--json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("1 lines of " + test + " name routes the router does not have ('no_such_route'); they count as wrong", result.Stderr, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(2, json.RootElement.GetProperty("n").GetInt32());
        Assert.Equal(0.5, json.RootElement.GetProperty("accuracy_no_abstain").GetDouble(), 6);
    }
}
