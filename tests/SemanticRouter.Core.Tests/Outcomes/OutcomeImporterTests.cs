using SemanticRouter.Engine;
using SemanticRouter.Neighbors;
using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;
using static SemanticRouter.Core.Tests.Ranking.RankingFixtures;

namespace SemanticRouter.Core.Tests.Outcomes;

public class OutcomeImporterTests
{
    private static readonly Func<string, bool> Known = m => m is "gpt" or "small";

    // The engine's crediting over a fake neighbour search: a text with "code" has a coding neighbour, others a chat one.
    private static readonly OutcomeCrediting Crediting = new(
        null,
        (text, _) => Task.FromResult<(IReadOnlyList<Neighbor>, int, double)>(([N(text.Length, text.Contains("code", StringComparison.Ordinal) ? "coding" : "chat", 0.9f)], RankingOptions.Default.K, RankingOptions.Default.Temperature)),
        Known);

    private static Task<OutcomeImportSummary> Import(string path, IOutcomeStore store, OutcomeImportOptions? options = null) =>
        OutcomeImporter.ImportAsync(path, store, Crediting.CreditAsync, Known, options, TestContext.Current.CancellationToken);

    [Fact]
    public async Task ImportAsync_Csv_QuotedFieldsAndAllOutcomeForms()
    {
        using var dir = new TempDir();
        var csv = dir.File("h.csv");
        File.WriteAllText(csv, "model,text,outcome\r\ngpt,\"write code, please\",true\nsmall,\"say \"\"hi\"\"\nnicely\",0\ngpt,hello,0.25\n\ngpt,code it,1\n");
        using var store = SqliteOutcomeStore.Open(dir.File("o.db"));
        var summary = await Import(csv, store, new OutcomeImportOptions { BatchSize = 2 });
        Assert.Equal(4, summary.Rows);
        Assert.Equal(4, summary.Imported);
        Assert.Equal(new SuccessCounts(2, 2), store.ForRoute("coding", "gpt"));
        Assert.Equal(new SuccessCounts(0.25, 1), store.ForRoute("chat", "gpt"));
        Assert.Equal("say \"hi\"\nnicely", store.ReadOutcomes().ElementAt(1).QueryText);
    }

    [Fact]
    public async Task ImportAsync_TheSameFileAgain_CountsEachRowOnce_ButARepeatedRowTwice()
    {
        using var dir = new TempDir();
        var csv = dir.File("h.csv");
        File.WriteAllText(csv, "text,model,outcome\nwrite code,gpt,1\nwrite code,gpt,1\nhello,small,0\n");
        using var store = SqliteOutcomeStore.Open(dir.File("o.db"));
        var first = await Import(csv, store);
        var again = await Import(csv, store); // a retry after a crash, or a mistake
        Assert.Equal((3, 0), (first.Imported, first.Replayed));
        Assert.Equal((0, 3), (again.Imported, again.Replayed));
        Assert.Equal(3, store.Count);
        Assert.Equal(new SuccessCounts(2, 2), store.ForRoute("coding", "gpt")); // the file's two rows, once each

        var other = dir.File("other.csv");
        File.Copy(csv, other);
        Assert.Equal(3, (await Import(other, store)).Imported); // another file's rows are other outcomes
    }

    [Fact]
    public async Task ImportAsync_Jsonl()
    {
        using var dir = new TempDir();
        var jsonl = dir.File("h.jsonl");
        File.WriteAllLines(jsonl, ["{\"text\":\"code a\",\"model\":\"gpt\",\"outcome\":true}", "", "{\"text\":\"code b\",\"model\":\"gpt\",\"outcome\":0.5}"]);
        using var store = SqliteOutcomeStore.Open(dir.File("o.db"));
        var summary = await Import(jsonl, store);
        Assert.Equal(2, summary.Imported);
        Assert.Equal(new SuccessCounts(1.5, 2), store.ForRoute("coding", "gpt"));
    }

    [Fact]
    public async Task ImportAsync_RouteLlmCsv_OneOutcomePerModelColumn_AnswerColumnsPassedOver()
    {
        // RouteLLM's GSM8K shape: prompt, one outcome column per model, then each model's answer.
        using var dir = new TempDir();
        var csv = dir.File("gsm8k_responses.csv");
        File.WriteAllText(csv, "prompt,small,gpt,small_response,gpt_response\n" +
            "\"code a sum\nA) 1\",False,True,\" It is 1.\n#### 1\",\"The sum is 2.\"\n" +
            "hello there,True,1.0,hi,\"Hello!\"\n");
        using var store = SqliteOutcomeStore.Open(dir.File("o.db"));

        var summary = await Import(csv, store);

        Assert.Equal(4, summary.Imported);
        Assert.Equal([new("small", 2), new("gpt", 2)], summary.PerModel);
        Assert.Equal(new SuccessCounts(0, 1), store.ForRoute("coding", "small"));
        Assert.Equal(new SuccessCounts(1, 1), store.ForRoute("coding", "gpt"));
        Assert.Equal(new SuccessCounts(1, 1), store.ForRoute("chat", "small"));
        Assert.Equal("code a sum\nA) 1", store.ReadOutcomes().First().QueryText);
    }

    [Theory]
    [InlineData("h.csv", "prompt,gpt,small\nhi,True,True\nho,True,maybe\n", 3, "outcome 'maybe'")]
    [InlineData("h.csv", "prompt,gpt,nope\nhi,True,False\n", 2, "unknown model 'nope'")]
    [InlineData("h.csv", "prompt,gpt_response\nhi,hello\n", 2, "no column but 'prompt' holds outcomes")]
    [InlineData("h.csv", "prompt,gpt,small\nhi,True,yes\nho,True,False\nha,False,True\n", 2, "outcome 'yes'")]
    [InlineData("h.csv", "prompt,gpt,small\nhi,True,True\nho,True\n", 3, "expected 3 fields, found 2")]
    [InlineData("h.csv", "text,model,outcome\nhi,gpt,true\nhi,gpt,maybe\n", 3, "outcome 'maybe'")]
    [InlineData("h.csv", "text,model,outcome\nhi,gpt,true\nhi,gpt,1.5\n", 3, "outcome '1.5'")]
    [InlineData("h.csv", "text,model,outcome\nhi,nope,true\n", 2, "unknown model 'nope'")]
    [InlineData("h.csv", "text,model\nhi,gpt\n", 1, "no 'outcome' column")]
    [InlineData("h.csv", "text,model,outcome\n\"multi\nline\",gpt,1\nx,gpt\n", 4, "expected at least 3 fields")]
    [InlineData("h.jsonl", "{\"text\":\"a\",\"model\":\"gpt\",\"outcome\":1}\n{\"text\":\"a\",\"model\":\"gpt\"\n", 2, "invalid JSON")]
    [InlineData("h.jsonl", "{\"text\":\"\",\"model\":\"gpt\",\"outcome\":1}\n", 1, "empty text")]
    public async Task ImportAsync_BadLine_ReportsLineAndImportsNothing(string name, string content, int line, string message)
    {
        using var dir = new TempDir();
        var path = dir.File(name);
        File.WriteAllText(path, content);
        using var store = SqliteOutcomeStore.Open(dir.File("o.db"));
        var e = await Assert.ThrowsAsync<OutcomeImportException>(() => Import(path, store));
        Assert.Equal(line, e.Line);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task ImportAsync_ModelNames_RenameBeforeTheCatalogueCheck()
    {
        using var dir = new TempDir();
        var csv = dir.File("h.csv");
        File.WriteAllText(csv, "text,model,outcome\ncode it,gpt-4-1106,1\nhello,gpt,0\nhi,tiny,1\n");
        using var store = SqliteOutcomeStore.Open(dir.File("o.db"));
        var options = new OutcomeImportOptions { ModelNames = new Dictionary<string, string> { ["gpt-4-1106"] = "gpt", ["tiny"] = "small" } };

        var summary = await Import(csv, store, options);

        Assert.Equal([new("gpt", 2), new("small", 1)], summary.PerModel);
        Assert.Equal(new SuccessCounts(1, 1), store.ForRoute("coding", "gpt"));
        Assert.Equal(["gpt", "gpt", "small"], store.ReadOutcomes().Select(o => o.Model));
    }

    [Fact]
    public async Task ImportAsync_ModelNames_UnknownTarget_NamesBothAndImportsNothing()
    {
        using var dir = new TempDir();
        var csv = dir.File("h.csv");
        File.WriteAllText(csv, "text,model,outcome\nhello,gpt,0\nhi,tiny,1\n");
        using var store = SqliteOutcomeStore.Open(dir.File("o.db"));
        var options = new OutcomeImportOptions { ModelNames = new Dictionary<string, string> { ["tiny"] = "smal" } };

        var e = await Assert.ThrowsAsync<OutcomeImportException>(() => Import(csv, store, options));

        Assert.Equal(3, e.Line);
        Assert.Equal("smal", e.UnknownModel);
        Assert.Contains("unknown model 'smal' (mapped from 'tiny')", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task ImportAsync_Progress_ReportsEachBatchAgainstTheFilesTotal()
    {
        using var dir = new TempDir();
        var csv = dir.File("h.csv");
        File.WriteAllLines(csv, ["text,model,outcome", .. Enumerable.Range(0, 5).Select(i => $"q{i},gpt,1")]);
        using var store = SqliteOutcomeStore.Open(dir.File("o.db"));
        var reports = new List<OutcomeImportProgress>();
        var options = new OutcomeImportOptions { BatchSize = 2, Progress = new Recorder(reports) };

        await Import(csv, store, options);

        Assert.Equal([new(2, 5), new(4, 5), new(5, 5)], reports);
    }

    private sealed class Recorder(List<OutcomeImportProgress> reports) : IProgress<OutcomeImportProgress>
    {
        public void Report(OutcomeImportProgress value) => reports.Add(value);
    }
}
