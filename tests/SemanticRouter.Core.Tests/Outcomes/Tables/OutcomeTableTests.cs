using SemanticRouter.Core.Tests.Outcomes;
using SemanticRouter.Outcomes.Tables;

namespace SemanticRouter.Core.Tests.Outcomes.Tables;

public class OutcomeTableTests
{
    private const string RouterBenchHeader = "sample_id,prompt,eval_name,a,b,a|total_cost,b|total_cost\n";

    [Fact]
    public void RouterBenchCsv_ModelsCostsGroupsAndListLiteralPrompts()
    {
        using var dir = new TempDir();
        var file = dir.File("arc_test.csv");
        File.WriteAllText(file, RouterBenchHeader
            + "s1,\"['Question:\\n It\\'s \"\"x\"\"?']\",arc,1.0,0.0,0.001,0.02\n"
            + "s2,['plain'],arc,0.0,1.0,2e-05,0.03\n");
        var t = OutcomeTableReader.Read([file]);
        Assert.Equal(["a", "b"], t.Models);
        Assert.True(t.HasCosts);
        Assert.Equal(2, t.Rows.Count);
        Assert.Equal("Question:\n It's \"x\"?", t.Rows[0].Prompt);
        Assert.Equal([1.0, 0.0], t.Rows[0].Scores);
        Assert.Equal([2e-05, 0.03], t.Rows[1].Costs!);
        Assert.Equal("arc", t.Rows[1].Group);
        Assert.Equal(3, t.Rows[1].Line);
    }

    [Fact]
    public void RouterBenchCsv_BlankCellsSkipTheRowWithFileAndLine_NeverAZero()
    {
        using var dir = new TempDir();
        var file = dir.File("x.csv");
        File.WriteAllText(file, RouterBenchHeader + "s1,['q1'],arc,,1.0,0.001,0.02\ns2,['q2'],arc,1.0,1.0,0.001,\ns3,['q3'],arc,1,0,0.001,0.002\n");
        var t = OutcomeTableReader.Read([file]);
        Assert.Single(t.Rows);
        Assert.Equal("q3", t.Rows[0].Prompt);
        Assert.Equal(2, t.Skipped.Count);
        Assert.Equal($"{file}:2: no outcome of a", t.Skipped[0].ToString());
        Assert.Equal($"{file}:3: no cost of b", t.Skipped[1].ToString());
    }

    [Theory]
    [InlineData("s1,['q'],arc,yes,1.0,0.001,0.02\n", "a: 'yes' is not an outcome")]
    [InlineData("s1,['q'],arc,1,1.0,-1,0.02\n", "a|total_cost: '-1' is not a cost")]
    [InlineData("s1,['q'],arc,1\n", "4 fields, the header has 7")]
    public void RouterBenchCsv_MalformedCellsAreRefusedWithTheirLine(string row, string message)
    {
        using var dir = new TempDir();
        var file = dir.File("x.csv");
        File.WriteAllText(file, RouterBenchHeader + row);
        var e = Assert.Throws<InvalidDataException>(() => OutcomeTableReader.Read([file]));
        Assert.StartsWith($"{file}:2: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RouteLlmCsv_NoCosts_AnswerColumnsAreNotModels()
    {
        using var dir = new TempDir();
        var file = dir.File("gsm8k.csv");
        File.WriteAllText(file, "prompt,weak,strong,strong_response\nq1,True,False,the answer is 4\nq2,False,True,it is 5\n");
        var t = OutcomeTableReader.Read([file]);
        Assert.Equal(["weak", "strong"], t.Models);
        Assert.False(t.HasCosts);
        Assert.Null(t.Rows[0].Costs);
        Assert.Equal("gsm8k", t.Rows[0].Group);
    }

    [Fact]
    public void Jsonl_CostsOptional_MissingModelsSkipped_BadValuesRefused()
    {
        using var dir = new TempDir();
        var file = dir.File("h.jsonl");
        File.WriteAllText(file, """
            {"prompt": "p1", "outcomes": {"a": 1, "b": false}, "costs": {"a": 0.5, "b": 0.01}, "group": "g"}
            {"prompt": "p2", "outcomes": {"a": 0.25}, "costs": {"a": 0.5}}

            {"prompt": "p3", "outcomes": {"a": true, "b": 1}, "costs": {"a": 0.4, "b": 0.02}}
            """);
        var t = OutcomeTableReader.Read([file]);
        Assert.Equal(["a", "b"], t.Models);
        Assert.Equal(["p1", "p3"], t.Rows.Select(r => r.Prompt));
        Assert.Equal([1.0, 0.0], t.Rows[0].Scores);
        Assert.Equal([0.4, 0.02], t.Rows[1].Costs!);
        Assert.Equal("g", t.Rows[0].Group);
        Assert.Equal("h", t.Rows[1].Group);
        Assert.Equal($"{file}:2: no outcome of b", Assert.Single(t.Skipped).ToString());

        File.WriteAllText(file, "{\"prompt\": \"p\", \"outcomes\": {\"a\": 2}}\n");
        Assert.Equal($"{file}:1: outcomes.a: expected true/false or a number in [0, 1]", Assert.Throws<InvalidDataException>(() => OutcomeTableReader.Read([file])).Message);
        File.WriteAllText(file, "{\"prompt\": \"p\", \"outcomes\": {\"a\": 1}, \"costs\": {\"a\": \"x\"}}\n");
        Assert.Equal($"{file}:1: costs.a: expected a non-negative number of US dollars", Assert.Throws<InvalidDataException>(() => OutcomeTableReader.Read([file])).Message);
    }

    [Fact]
    public void SeveralFiles_Concatenate_AndMustNameTheSameModels()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("a.csv"), RouterBenchHeader + "s1,['q1'],arc,1,0,0.1,0.2\n");
        File.WriteAllText(dir.File("b.csv"), RouterBenchHeader + "s2,['q2'],mbpp,0,1,0.1,0.2\n");
        var t = OutcomeTableReader.Read([dir.File("a.csv"), dir.File("b.csv")]);
        Assert.Equal(["arc", "mbpp"], t.Rows.Select(r => r.Group));
        File.WriteAllText(dir.File("c.csv"), "prompt,x,y\nq,1,0\n");
        Assert.Contains("names the models x, y", Assert.Throws<InvalidDataException>(() => OutcomeTableReader.Read([dir.File("a.csv"), dir.File("c.csv")])).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("['a\\nb']", "a\nb")]
    [InlineData("[\"it's\"]", "it's")]
    [InlineData("['x', 'y']", "x\ny")]
    [InlineData("['\\x41\\u00e9\\\\']", "Aé\\")]
    [InlineData("not a list", "not a list")]
    [InlineData("[1, 2]", "[1, 2]")]
    public void PythonListLiteral_Decodes(string cell, string expected) => Assert.Equal(expected, PythonListLiteral.Decode(cell));

    [Fact]
    public void OutcomesImport_ParsesRouterBenchCsvAndTheJsonlForm_OneRowPerModel()
    {
        using var dir = new TempDir();
        var csv = dir.File("rb.csv");
        File.WriteAllText(csv, RouterBenchHeader + "s1,['q1'],arc,1.0,0.0,0.001,0.02\ns2,['q2'],arc,,1.0,0.001,0.02\n");
        var rows = SemanticRouter.Outcomes.OutcomeImporter.Parse(csv).ToList();
        Assert.Equal([("q1", "a", 1.0), ("q1", "b", 0.0)], rows.Select(r => (r.Text, r.Model, r.Score)));

        var jsonl = dir.File("h.jsonl");
        File.WriteAllText(jsonl, "{\"prompt\": \"p\", \"outcomes\": {\"a\": true, \"b\": 0.5}}\n");
        Assert.Equal([("p", "a", 1.0), ("p", "b", 0.5)], SemanticRouter.Outcomes.OutcomeImporter.Parse(jsonl).Select(r => (r.Text, r.Model, r.Score)));
    }
}
