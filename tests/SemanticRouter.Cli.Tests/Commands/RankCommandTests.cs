using System.Text.Json;
using SemanticRouter.Tests;

namespace SemanticRouter.Cli.Tests.Commands;

public sealed class RankCommandTests : IDisposable
{
    private readonly TestDirectory _dir = new();
    private readonly string _index;

    public RankCommandTests()
    {
        string routes = _dir.CopyExampleRoutes();
        _index = Path.Combine(_dir.Path, "index");
        var build = CliRunner.Run("build", "--routes", routes, "--out", _index, "--model", SharedPaths.MiniLmModel);
        Assert.True(build.ExitCode == 0, build.Stderr);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void FallbackRoute_IsNamedWhenTheRouterAbstains()
    {
        var result = CliRunner.Run("rank", "--index", _index, "what is the capital of mongolia", "--json",
            "--fallback-route", "chitchat", "--default-threshold", "0.99");

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal("chitchat", json.RootElement.GetProperty("fallback_route").GetString());
    }

    [Fact]
    public void Table_Redirected_KeepsEachModelOnOneLine_AndLeavesOutRoutesThatLentNothing()
    {
        var result = CliRunner.Run("rank", "--index", _index, "write a python function to reverse a linked list");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var rows = result.Stdout.Split('\n');
        // The longest catalogue name is whole on its row (at Spectre's default 80 columns it broke over two).
        Assert.Contains(rows, r => r.Contains("qwen2.5-coder-32b-instruct", StringComparison.Ordinal));
        var top = rows.Single(r => r.Contains("│ 1 ", StringComparison.Ordinal));
        Assert.Contains("coding 0.", top, StringComparison.Ordinal);
        Assert.DoesNotContain(" 0.000", top.Split('│')[^2], StringComparison.Ordinal);
    }

    [Fact]
    public void RankingOptionsWithARouteHeadWeight_KeepTheirKAndTau_OverAFittedHead()
    {
        // An index with a route head whose fitted k is 5; the file was chosen on outcomes (k 12, τ 0.3).
        string routes = Path.Combine(_dir.Path, "routes");
        File.WriteAllText(Path.Combine(_dir.Path, "head-params.json"), """{"k": 5, "tau": 0.05, "alpha": 0.7, "abstain_rule": "none"}""");
        string headIndex = Path.Combine(_dir.Path, "head-index");
        var build = CliRunner.Run("build", "--routes", routes, "--out", headIndex, "--params", Path.Combine(_dir.Path, "head-params.json"), "--model", SharedPaths.MiniLmModel);
        Assert.True(build.ExitCode == 0, build.Stderr);
        string withAlpha = _dir.Write("outcome-options.json", """{"k": 12, "temperature": 0.3, "route_head_weight": 0.5}""");
        string withoutAlpha = _dir.Write("intent-options.json", """{"k": 12, "temperature": 0.3}""");
        const string Query = "write a python function to reverse a linked list";

        var outcome = CliRunner.Run("rank", "--index", headIndex, Query, "--json", "--ranking-options", withAlpha);
        var intent = CliRunner.Run("rank", "--index", headIndex, Query, "--json", "--ranking-options", withoutAlpha);
        var noHead = CliRunner.Run("rank", "--index", _index, Query, "--json", "--ranking-options", withAlpha);

        Assert.True(outcome.ExitCode == 0, outcome.Stderr);
        Assert.DoesNotContain("warning", outcome.Stderr, StringComparison.Ordinal);
        Assert.Equal(12, Neighbours(outcome.Stdout));
        Assert.True(intent.ExitCode == 0, intent.Stderr);
        Assert.Contains("temperature is ignored: the index has a fitted route head", intent.Stderr, StringComparison.Ordinal);
        Assert.Equal(5, Neighbours(intent.Stdout));
        Assert.True(noHead.ExitCode == 0, noHead.Stderr);
        Assert.Contains("route_head_weight is ignored: the index has no route head", noHead.Stderr, StringComparison.Ordinal);
        Assert.Equal(12, Neighbours(noHead.Stdout));

        static int Neighbours(string json)
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.GetProperty("neighbors").GetArrayLength();
        }
    }

    [Fact]
    public void ImportedTextOutcomes_TeachTheTextModel_ThatRankShows()
    {
        var csv = Path.Combine(_dir.Path, "history.csv");
        var lines = new List<string> { "text,model,outcome" };
        for (int i = 0; i < 30; i++)
        {
            lines.Add($"write an sql query that joins table {i} with orders,gpt-4o-mini,false");
            lines.Add($"write a bash script that renames file {i},gpt-4o-mini,true");
        }

        File.WriteAllLines(csv, lines);
        string db = Path.Combine(_dir.Path, "outcomes.db");
        var import = CliRunner.Run("outcomes", "import", csv, "--index", _index, "--db", db);
        Assert.True(import.ExitCode == 0, import.Stderr);

        var sql = Mini(CliRunner.Run("rank", "--index", _index, "write an sql query that counts orders", "--json", "--db", db));
        var bash = Mini(CliRunner.Run("rank", "--index", _index, "write a bash script that renames every file", "--json", "--db", db));
        Assert.True(sql < 0.4 && bash > 0.6, $"text estimates: sql {sql}, bash {bash}");

        var off = CliRunner.Run("rank", "--index", _index, "write an sql query that counts orders", "--json", "--db", db, "--text-model-weight", "0");
        Assert.DoesNotContain("text_estimate", off.Stdout, StringComparison.Ordinal);

        static double Mini(CliResult result)
        {
            Assert.True(result.ExitCode == 0, result.Stderr);
            using var json = JsonDocument.Parse(result.Stdout);
            return json.RootElement.GetProperty("models").EnumerateArray()
                .Single(m => m.GetProperty("model").GetString() == "gpt-4o-mini").GetProperty("text_estimate").GetDouble();
        }
    }

    [Fact]
    public void RankingOptionsFile_SetsK_AndAFlagGivenTooWins()
    {
        var options = Path.Combine(_dir.Path, "ranking-options.json");
        File.WriteAllText(options, """{"schema": "semantic-router/ranking-options/v1", "k": 3, "temperature": 0.5}""");

        var fromFile = Neighbours(CliRunner.Run("rank", "--index", _index, "write a python function", "--json", "--ranking-options", options));
        var flag = Neighbours(CliRunner.Run("rank", "--index", _index, "write a python function", "--json", "--ranking-options", options, "-k", "5"));

        Assert.Equal(3, fromFile);
        Assert.Equal(5, flag);

        static int Neighbours(CliResult result)
        {
            Assert.True(result.ExitCode == 0, result.Stderr);
            using var json = JsonDocument.Parse(result.Stdout);
            return json.RootElement.GetProperty("neighbors").GetArrayLength();
        }
    }

    [Theory]
    [InlineData("""{"k": 0}""", "k 0: K must be in [1, 1000].")]
    [InlineData("""{"temprature": 0.2}""", "temprature")]
    public void BadRankingOptionsFile_OneLineBadInput_NamingTheFile(string json, string message)
    {
        var options = Path.Combine(_dir.Path, "bad-options.json");
        File.WriteAllText(options, json);

        var result = CliRunner.Run("rank", "--index", _index, "hello there", "--ranking-options", options);

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, $"--ranking-options {options}: ");
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--fallback-route", "no_such_route", "--fallback-route 'no_such_route' is not a route of the index (routes: ")]
    [InlineData("--temperature", "0", "--temperature: Temperature must be positive and finite.")]
    [InlineData("--default-threshold", "2", "--default-threshold: DefaultThreshold must be in [-1, 1].")]
    [InlineData("--route-smoothing", "-1", "--route-smoothing: ")]
    [InlineData("--utterance-smoothing", "NaN", "--utterance-smoothing: ")]
    [InlineData("--conversation-decay", "1", "--conversation-decay: ConversationDecay must be in [0, 1).")]
    [InlineData("--text-model-weight", "1", "--text-model-weight: TextModelWeight must be in [0, 1).")]
    public void RankingFlagsOutOfRange_OneLineBadInput(string flag, string value, string message)
    {
        var result = CliRunner.Run("rank", "--index", _index, "hello there", flag, value);

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, message);
    }
}
