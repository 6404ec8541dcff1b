using System.CommandLine;
using System.Text.Json;
using SemanticRouter.Cli.Commands;
using SemanticRouter.Engine;
using SemanticRouter.Neighbors;
using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;
using SemanticRouter.Routes;

namespace SemanticRouter.Cli.Tests.Commands;

public sealed class OutcomesCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sr-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(OpenOutcomeImport? openImport, params string[] args)
    {
        var root = new RootCommand { OutcomesCommand.Create(openImport) };
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = root.Parse(args).Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
        return (code, stdout.ToString(), stderr.ToString());
    }

    // The real importer and the engine's crediting over a fake index: every text's one neighbour is a chat utterance.
    private static IOutcomeImportTarget FakeIndex(string index, string db) => new FakeImportTarget(db);

    private sealed class FakeImportTarget(string db) : IOutcomeImportTarget
    {
        private static readonly Func<string, bool> Known = model => model is "gpt" or "small";
        private readonly SqliteOutcomeStore _store = SqliteOutcomeStore.Open(db);
        private readonly OutcomeCrediting _crediting = new(
            null,
            (_, _) => Task.FromResult<(IReadOnlyList<Neighbor>, int, double)>(([new Neighbor(1, UtteranceKey.Of("chat", "hi"), "chat", "hi", 0.9f)], RankingOptions.Default.K, RankingOptions.Default.Temperature)),
            Known);

        public long OutcomeCount => _store.Count;

        public Task<OutcomeImportSummary> ImportOutcomesAsync(string path, OutcomeImportOptions options, CancellationToken cancellationToken) =>
            OutcomeImporter.ImportAsync(path, _store, _crediting.CreditAsync, Known, options, cancellationToken);

        public void Dispose() => _store.Dispose();
    }

    [Fact]
    public void Import_ThenStats_ShowsRouteModelCounts()
    {
        var csv = Path.Combine(_dir, "h.csv");
        File.WriteAllText(csv, "text,model,outcome\nhello,gpt,true\nhey,gpt,false\nyo,small,1\n");
        var db = Path.Combine(_dir, "o.db");

        var import = Run(FakeIndex, "outcomes", "import", csv, "--db", db, "--index", _dir);
        Assert.Equal(0, import.Code);
        Assert.Contains("imported 3 outcomes", import.Out, StringComparison.Ordinal);
        Assert.Contains("per model: gpt 2, small 1", import.Out, StringComparison.Ordinal);

        var table = Run(null, "outcomes", "stats", "--db", db);
        Assert.Equal(0, table.Code);
        Assert.Contains("chat", table.Out, StringComparison.Ordinal);
        Assert.Contains("3 outcomes", table.Out, StringComparison.Ordinal);

        var json = Run(null, "outcomes", "stats", "--db", db, "--json");
        using var doc = JsonDocument.Parse(json.Out);
        Assert.Equal(3, doc.RootElement.GetProperty("outcomes").GetInt32());
        var gpt = doc.RootElement.GetProperty("routes").EnumerateArray().Single(r => r.GetProperty("model").GetString() == "gpt");
        Assert.Equal(2, gpt.GetProperty("trials").GetDouble());
        Assert.Equal(1, gpt.GetProperty("successes").GetDouble());
        Assert.Equal((1 + 5.0) / 12, gpt.GetProperty("smoothed").GetDouble(), 12);
    }

    [Fact]
    public void Import_BadLine_OneLineErrorWithLineNumber()
    {
        var csv = Path.Combine(_dir, "h.csv");
        File.WriteAllText(csv, "text,model,outcome\nhello,gpt,true\nhey,unknown,false\n");
        var result = Run(FakeIndex, "outcomes", "import", csv, "--db", Path.Combine(_dir, "o.db"), "--index", _dir);
        Assert.Equal(ExitCodes.BadInput, result.Code);
        Assert.Contains("h.csv:3: unknown model 'unknown'", result.Err, StringComparison.Ordinal);
        Assert.Contains("--model-name 'unknown=NAME'", result.Err, StringComparison.Ordinal);
        Assert.Single(result.Err.Trim().Split('\n'));
    }

    [Fact]
    public void Import_ModelName_CreditsTheCataloguesModel()
    {
        // RouteLLM's column names are the providers' model ids; the catalogue names them its own way.
        var csv = Path.Combine(_dir, "mmlu.csv");
        File.WriteAllText(csv, "prompt,mistralai/Mixtral-8x7B-Instruct-v0.1,gpt-4-1106-preview\nhi,True,False\nho,False,True\n");
        var db = Path.Combine(_dir, "o.db");

        var result = Run(FakeIndex, "outcomes", "import", csv, "--db", db, "--index", _dir,
            "--model-name", "mistralai/Mixtral-8x7B-Instruct-v0.1=small", "--model-name", "gpt-4-1106-preview = gpt");

        Assert.Equal(0, result.Code);
        Assert.Contains("imported 4 outcomes", result.Out, StringComparison.Ordinal);
        Assert.Contains("per model: small 2, gpt 2", result.Out, StringComparison.Ordinal);
        using var store = SqliteOutcomeStore.Open(db);
        Assert.Equal(["small", "gpt", "small", "gpt"], store.ReadOutcomes().Select(o => o.Model));
    }

    [Theory]
    [InlineData("gpt", "expected FROM=TO")]
    [InlineData("=gpt", "expected FROM=TO")]
    [InlineData("a=", "expected FROM=TO")]
    public void Import_ModelName_Malformed_IsBadInput(string pair, string message)
    {
        var csv = Path.Combine(_dir, "h.csv");
        File.WriteAllText(csv, "text,model,outcome\nhello,gpt,true\n");
        var result = Run(FakeIndex, "outcomes", "import", csv, "--db", Path.Combine(_dir, "o.db"), "--index", _dir, "--model-name", pair);
        Assert.Equal(ExitCodes.BadInput, result.Code);
        Assert.Contains(message, result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_ModelName_Twice_IsBadInput()
    {
        var csv = Path.Combine(_dir, "h.csv");
        File.WriteAllText(csv, "text,model,outcome\nhello,gpt,true\n");
        var result = Run(FakeIndex, "outcomes", "import", csv, "--db", Path.Combine(_dir, "o.db"), "--index", _dir,
            "--model-name", "a=gpt", "--model-name", "a=small");
        Assert.Equal(ExitCodes.BadInput, result.Code);
        Assert.Contains("'a' is mapped twice", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_WithoutIndex_ExplainsWhy()
    {
        var csv = Path.Combine(_dir, "h.csv");
        File.WriteAllText(csv, "text,model,outcome\n");
        var result = Run(FakeIndex, "outcomes", "import", csv, "--db", Path.Combine(_dir, "o.db"));
        Assert.Equal(ExitCodes.BadInput, result.Code);
        Assert.Contains("--index DIR is required", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Stats_MissingStore_IsBadInput()
    {
        var result = Run(null, "outcomes", "stats", "--db", Path.Combine(_dir, "none.db"));
        Assert.Equal(ExitCodes.BadInput, result.Code);
        Assert.Contains("no such outcome store", result.Err, StringComparison.Ordinal);
    }
}
