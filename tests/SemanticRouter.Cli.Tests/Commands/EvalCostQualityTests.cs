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

    [Fact]
    public void WithoutCosts_IsRefusedInOneLine()
    {
        using var dir = new TestDirectory();
        var train = Write(dir, "train.jsonl", 10, 0, costs: false);
        var test = Write(dir, "test.jsonl", 4, 100);
        var result = CliRunner.Run("eval", "--outcomes", train, "--test", test, "--model", Model);
        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, "--outcomes: no costs");
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
