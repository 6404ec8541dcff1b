using System.Globalization;
using System.Text;
using System.Text.Json;
using SemanticRouter.Tests;

namespace SemanticRouter.Cli.Tests.Commands;

/// <summary><c>eval --outcomes TRAIN --test TEST</c>: many models with costs on a fixed split.</summary>
public class EvalCostQualityTests
{
    private static string Model => SharedPaths.MiniLmModel;

    /// <summary>JSONL outcomes of three models: "cheap" solves arithmetic, only "dear" solves geography; "mid" is in between.</summary>
    private static string Write(TestDirectory dir, string name, int n, int offset, bool costs = true)
    {
        var text = new StringBuilder();
        for (var i = offset; i < offset + n; i++)
        {
            var maths = i % 2 == 0;
            var prompt = maths ? $"What is {i + 12} times {i + 7}?" : $"Name the capital city of country number {i}";
            var cost = costs ? string.Create(CultureInfo.InvariantCulture, $", \"costs\": {{\"cheap\": 0.0001, \"mid\": 0.001, \"dear\": {0.01 + (i * 1e-5)}}}") : "";
            text.Append(CultureInfo.InvariantCulture, $"{{\"prompt\": \"{prompt}\", \"outcomes\": {{\"cheap\": {(maths ? 1 : 0)}, \"mid\": {(i % 3 == 0 ? 1 : 0)}, \"dear\": 1}}{cost}}}\n");
        }

        return dir.Write(name, text.ToString());
    }

    [Fact]
    public void Jsonl_PrintsTheReportKeys_BeatsTheZeroRouter_AndPlots()
    {
        using var dir = new TestDirectory();
        var train = Write(dir, "train.jsonl", 60, 0);
        var test = Write(dir, "test.jsonl", 20, 100);
        var plot = Path.Combine(dir.Path, "frontier.png");
        var result = CliRunner.Run("eval", "--outcomes", train, "--test", test, "--folds", "3", "--long-input", "head", "--json", "--plot", plot, "--model", Model);
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        foreach (var key in new[] { "models", "best_single", "oracle", "curve", "aiq", "zero_router_aiq", "quality_at_best_cost", "cost_to_match_best", "top1_quality" })
        {
            Assert.True(root.TryGetProperty(key, out _), key);
        }

        Assert.Equal("dear", root.GetProperty("best_single").GetProperty("model").GetString());
        Assert.Equal(3, root.GetProperty("models").GetArrayLength());
        Assert.True(root.GetProperty("aiq").GetDouble() > root.GetProperty("zero_router_aiq").GetDouble());
        var point = root.GetProperty("curve")[0];
        Assert.Equal(0, point.GetProperty("lambda").GetDouble());
        Assert.True(point.TryGetProperty("cost", out _) && point.TryGetProperty("quality", out _));
        Assert.Equal("head", root.GetProperty("chosen").GetProperty("long_input").GetString());
        Assert.True(new FileInfo(plot).Length > 1000);
    }

    /// <summary>
    /// The served path: `import outcomes`, `fit --outcomes` (cost table), `build`, `outcomes import` (with costs), then
    /// `eval --index --db` ranks every test prompt through the index as `rank` and `serve` do: at every λ of the
    /// check the served ranking puts eval's choice first, and `rank --json` agrees on a test prompt.
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public void ServedIndex_PutsEvalsChoiceFirst_ForEveryTestPrompt()
    {
        using var dir = new TestDirectory();
        var train = Write(dir, "train.jsonl", 60, 0);
        var test = Write(dir, "test.jsonl", 20, 100);
        var work = Path.Combine(dir.Path, "rb");
        var index = Path.Combine(work, "index");
        var db = Path.Combine(work, "outcomes.db");
        Ok(CliRunner.Run("import", "outcomes", train, "--out", work));
        Ok(CliRunner.Run("fit", "--outcomes", train, "--out", Path.Combine(work, "ranking-options.json"), "--inner-folds", "3", "--long-input", "head", "--model", Model));
        Ok(CliRunner.Run("build", "--routes", Path.Combine(work, "routes"), "--out", index, "--model", Model));
        Ok(CliRunner.Run("outcomes", "import", train, "--index", index, "--db", db));

        var eval = CliRunner.Run("eval", "--outcomes", train, "--test", test, "--folds", "3", "--long-input", "head", "--index", index, "--db", db, "--json", "--model", Model);
        Ok(eval);
        using var json = JsonDocument.Parse(eval.Stdout);
        var served = json.RootElement.GetProperty("served");
        Assert.Equal(5, served.GetArrayLength());
        foreach (var point in served.EnumerateArray())
        {
            Assert.Equal(20, point.GetProperty("prompts").GetInt32());
            Assert.True(point.GetProperty("agree").GetInt32() == 20, point.ToString());
            Assert.Equal(point.GetProperty("eval_quality").GetDouble(), point.GetProperty("served_quality").GetDouble(), 12);
        }

        // At λ 10⁶ the cheapest expected call wins: "cheap" for a geography prompt too, from its neighbours' observed costs.
        var rank = CliRunner.Run("rank", "Name the capital city of country number 101", "--index", index, "--db", db, "--cost-weight", "1000000", "--json", "--model", Model);
        Ok(rank);
        using var ranked = JsonDocument.Parse(rank.Stdout);
        Assert.Equal("cheap", ranked.RootElement.GetProperty("models")[0].GetProperty("model").GetString());
        // The imported costs (US dollars per call) come back as each model's expected cost for this prompt: "cheap"
        // cost 0.0001 on every training prompt, so on every neighbour.
        Assert.Equal(0.0001, ranked.RootElement.GetProperty("models")[0].GetProperty("expected_cost_usd").GetDouble(), 12);
        Assert.All(ranked.RootElement.GetProperty("models").EnumerateArray(), m => Assert.True(m.TryGetProperty("expected_cost_usd", out _)));
    }

    private static void Ok(CliResult result) => Assert.True(result.ExitCode == 0, result.Stderr);

    [Fact]
    public void WithoutTest_CrossValidates_ChoosingOnEachFoldsTrainingPart()
    {
        using var dir = new TestDirectory();
        var data = Write(dir, "all.jsonl", 60, 0);
        var result = CliRunner.Run("eval", "--outcomes", data, "--folds", "3", "--long-input", "head", "--json", "--model", Model);
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal(60, root.GetProperty("n").GetInt32());
        Assert.Equal(3, root.GetProperty("chosen_per_fold").GetArrayLength());
        Assert.Equal("dear", root.GetProperty("best_single").GetProperty("model").GetString());
        Assert.True(root.GetProperty("aiq").GetDouble() > root.GetProperty("zero_router_aiq").GetDouble());
    }

    /// <summary>JSONL outcomes without costs: "arith" solves only the arithmetic prompts, "geo" only the geography ones.</summary>
    private static string WriteWithoutCosts(TestDirectory dir, string name, int n, int offset)
    {
        var text = new StringBuilder();
        for (var i = offset; i < offset + n; i++)
        {
            var maths = i % 2 == 0;
            var prompt = maths ? $"What is {i + 12} times {i + 7}?" : $"Name the capital city of country number {i}";
            text.Append(CultureInfo.InvariantCulture, $"{{\"prompt\": \"{prompt}\", \"outcomes\": {{\"arith\": {(maths ? 1 : 0)}, \"geo\": {(maths ? 0 : 1)}}}}}\n");
        }

        return dir.Write(name, text.ToString());
    }

    [Fact]
    public void WithoutCosts_TheFirstModelIsJudgedOnQuality_AgainstTheBestSingleModel()
    {
        using var dir = new TestDirectory();
        var train = WriteWithoutCosts(dir, "train.jsonl", 40, 0);
        var test = WriteWithoutCosts(dir, "test.jsonl", 20, 100);
        var plot = Path.Combine(dir.Path, "quality.png");
        var result = CliRunner.Run("eval", "--outcomes", train, "--test", test, "--folds", "3", "--long-input", "head", "--json", "--plot", plot, "--model", Model);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("--outcomes and --test: no costs", result.Stderr, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.False(root.GetProperty("costs").GetBoolean());
        var best = root.GetProperty("best_single").GetProperty("quality").GetDouble();
        var top1 = root.GetProperty("top1_quality").GetDouble();
        Assert.Equal(0.5, best, 6); // each model solves half
        Assert.True(top1 > 0.9, $"the router's first model solved {top1}"); // the prompts tell the two halves apart
        Assert.Equal(top1, root.GetProperty("aiq").GetDouble(), 9); // every call costs the same: AIQ is that quality
        Assert.Equal(best, root.GetProperty("zero_router_aiq").GetDouble(), 9);
        Assert.True(new FileInfo(plot).Length > 1000);
    }

    [Fact]
    public void CostsInOneSplitOnly_AreRefusedInOneLine()
    {
        using var dir = new TestDirectory();
        var train = Write(dir, "train.jsonl", 10, 0, costs: false);
        var test = Write(dir, "test.jsonl", 4, 100);
        var result = CliRunner.Run("eval", "--outcomes", train, "--test", test, "--model", Model);
        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, "--outcomes has no costs and --test has");
    }

    [Fact]
    public void BadLongInputPolicy_IsRefusedInOneLine()
    {
        using var dir = new TestDirectory();
        var train = Write(dir, "train.jsonl", 10, 0);
        var result = CliRunner.Run("eval", "--outcomes", train, "--test", train, "--long-input", "middle", "--model", Model);
        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, "--long-input must be head or head-tail");
    }
}
