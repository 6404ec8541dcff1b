using SemanticRouter.Cli.Commands;
using SemanticRouter.Routes;
using SemanticRouter.Tests;

namespace SemanticRouter.Cli.Tests.Commands;

public class BuildCommandTests
{
    [Fact]
    public void InsertThreadsNegative_OneLineBadInput()
    {
        // Checked before the model or the routes are opened.
        var result = CliRunner.Run("build", "--routes", "/nonexistent/routes", "--out", "/nonexistent/index", "--insert-threads", "-1");

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, "--insert-threads must be 0 (every core) or positive");
    }

    [Fact]
    public void RankingOptionsBesideTheRoutes_AreCarried_AndRankAndOutcomesImportUseThem()
    {
        // `fit --outcomes` run beside routes/ writes ./ranking-options.json; build finds it there.
        using var dir = new TestDirectory();
        string routes = dir.CopyExampleRoutes();
        string index = Path.Combine(dir.Path, "index");
        string settings = dir.Write("ranking-options.json", """{"k": 3, "temperature": 100, "text_model_weight": 0}""");

        var build = CliRunner.Run("build", "--routes", routes, "--out", index, "--model", SharedPaths.MiniLmModel);

        Assert.True(build.ExitCode == 0, build.Stderr);
        Assert.Contains($"ranking settings from {settings}: k 3, temperature 100, text_model_weight 0", build.Stdout, StringComparison.Ordinal);
        const string Query = "write a python function that reverses a string";
        Assert.Equal(3, Neighbours(CliRunner.Run("rank", "--index", index, Query, "--json")));
        Assert.Equal(4, Neighbours(CliRunner.Run("rank", "--index", index, Query, "--json", "-k", "4")));
        string other = dir.Write("other-options.json", """{"k": 2}""");
        Assert.Equal(2, Neighbours(CliRunner.Run("rank", "--index", index, Query, "--json", "--ranking-options", other)));

        // An imported outcome credits the text's 3 nearest utterances, nearly evenly at τ 100, as serve would;
        // with the defaults (k 10, τ 0.05) the nearest would take almost all of it. (A text that is itself an
        // utterance credits that utterance alone: EvalCostQualityTests, OutcomeCostTests.)
        const string Utterance = "implement binary search in Go";
        string csv = dir.Write("history.csv", $"text,model,outcome\n{Utterance} please,gpt-4o,true\n{Utterance},gpt-4o-mini,true\n");
        string db = Path.Combine(dir.Path, "outcomes.db");
        var import = CliRunner.Run("outcomes", "import", csv, "--index", index, "--db", db);
        Assert.True(import.ExitCode == 0, import.Stderr);
        using var store = SemanticRouter.Outcomes.SqliteOutcomeStore.Open(db);
        var artifact = SemanticRouter.Artifacts.RouterArtifact.Load(index);
        var credited = artifact.Utterances.Select(u => store.ForUtterance(u.Key, "gpt-4o").Trials).Where(t => t > 0).ToList();
        Assert.Equal(3, credited.Count);
        Assert.InRange(store.ForUtterance(UtteranceKey.Of("coding", Utterance), "gpt-4o").Trials, 0.33, 0.34);
        Assert.Equal([1.0], artifact.Utterances.Select(u => store.ForUtterance(u.Key, "gpt-4o-mini").Trials).Where(t => t > 0));

        static int Neighbours(CliResult result)
        {
            Assert.True(result.ExitCode == 0, result.Stderr);
            using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
            return json.RootElement.GetProperty("neighbors").GetArrayLength();
        }
    }

    [Fact]
    public void RankingOptions_MissingOrInvalid_OneLineBadInput_NothingBuilt()
    {
        using var dir = new TestDirectory();
        string routes = dir.CopyExampleRoutes();
        string index = Path.Combine(dir.Path, "index");
        string missing = Path.Combine(dir.Path, "no-such-options.json");

        var flag = CliRunner.Run("build", "--routes", routes, "--out", index, "--ranking-options", missing);
        CliRunner.AssertOneLineError(flag, ExitCodes.BadInput, $"--ranking-options {missing}: file not found");

        string beside = dir.Write("ranking-options.json", """{"temprature": 0.2}""");
        var found = CliRunner.Run("build", "--routes", routes, "--out", index);
        CliRunner.AssertOneLineError(found, ExitCodes.BadInput, $"--ranking-options {beside}: ");
        Assert.Contains("temprature", found.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(index));
    }
}
