using System.Numerics.Tensors;
using System.Text;
using System.Text.Json;
using SemanticRouter.Tests;

namespace SemanticRouter.Cli.Tests;

public sealed class TokenizeEmbedCommandTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("sr-cli-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static string Model => SharedPaths.MiniLmModel;

    private static List<(string Text, int[] Ids)> GoldenTokens(int take)
        => File.ReadLines(Path.Combine(SharedPaths.Golden, "tokens.jsonl")).Take(take).Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            return (doc.RootElement.GetProperty("text").GetString()!, doc.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        }).ToList();

    private string Write(string name, byte[] content)
    {
        string path = Path.Combine(_temp, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    [Fact]
    public void Tokenize_Jsonl_MatchesGoldenIdsInOrder()
    {
        var cases = GoldenTokens(120).ToList();
        string input = Write("in.jsonl", Encoding.UTF8.GetBytes(string.Join("\n", cases.Select(c => JsonSerializer.Serialize(c.Text))) + "\n"));
        var result = CliRunner.Run("tokenize", "--model", Model, "--input", input, "--jsonl");
        Assert.Equal(0, result.ExitCode);
        string[] lines = result.StdoutLines;
        Assert.Equal(cases.Count, lines.Length);
        for (int i = 0; i < cases.Count; i++)
        {
            Assert.Equal(cases[i].Ids, JsonSerializer.Deserialize<int[]>(lines[i]));
        }
    }

    [Fact]
    public void Tokenize_PlainLines_OneArrayPerLineIncludingEmpty()
    {
        string input = Write("in.txt", "Hello, world!\r\n\nHELLO WORLD"u8.ToArray());
        var result = CliRunner.Run("tokenize", "--model", Model, "--input", input);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["[101,7592,1010,2088,999,102]", "[101,102]", "[101,7592,2088,102]"], result.StdoutLines);
    }

    [Fact]
    public void Embed_MatchesGoldenEmbeddings()
    {
        var golden = File.ReadLines(Path.Combine(SharedPaths.Golden, "embeddings.jsonl")).Take(40).Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            return (Text: doc.RootElement.GetProperty("text").GetString()!, Vector: doc.RootElement.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray());
        }).ToList();
        string input = Write("in.jsonl", Encoding.UTF8.GetBytes(string.Join("\n", golden.Select(g => JsonSerializer.Serialize(g.Text)))));
        var result = CliRunner.Run("embed", "--model", Model, "--input", input, "--jsonl", "--batch", "7");
        Assert.Equal(0, result.ExitCode);
        string[] lines = result.StdoutLines;
        Assert.Equal(golden.Count, lines.Length);
        for (int i = 0; i < golden.Count; i++)
        {
            float[] ours = JsonSerializer.Deserialize<float[]>(lines[i])!;
            Assert.Equal(384, ours.Length);
            Assert.True(TensorPrimitives.CosineSimilarity(ours, golden[i].Vector) >= 0.9999f, $"line {i + 1}");
        }
    }

    [Fact]
    public void Tokenize_InvalidUtf8_OneLineErrorWithLineNumber()
    {
        string input = Write("bad.txt", [.. "ok\nfine\n"u8, 0x61, 0xC3, 0x28, 0x0A]);
        CliRunner.AssertOneLineError(CliRunner.Run("tokenize", "--model", Model, "--input", input), ExitCodes.BadInput, "line 3: invalid UTF-8");
    }

    [Fact]
    public void Embed_InvalidUtf8_OneLineErrorWithLineNumber()
    {
        string input = Write("bad.txt", [.. "ok\n"u8, 0xFF, 0x0A]);
        CliRunner.AssertOneLineError(CliRunner.Run("embed", "--model", Model, "--input", input), ExitCodes.BadInput, "line 2: invalid UTF-8");
    }

    [Theory]
    [InlineData("\"fine\"\n{\"text\": 1}\n", "line 2: bad JSON")]
    [InlineData("\"fine\"\n\"unterminated\n", "line 2: bad JSON")]
    [InlineData("\"a\"\n\n", "line 2: bad JSON")]
    [InlineData("null\n", "line 1: expected a JSON string")]
    public void Tokenize_BadJsonl_OneLineErrorWithLineNumber(string content, string expected)
    {
        string input = Write("bad.jsonl", Encoding.UTF8.GetBytes(content));
        CliRunner.AssertOneLineError(CliRunner.Run("tokenize", "--model", Model, "--input", input, "--jsonl"), ExitCodes.BadInput, expected);
    }

    [Theory]
    [InlineData("tokenize")]
    [InlineData("embed")]
    public void MissingModelFolder_OneLineErrorAndBadArtifactExit(string command)
    {
        string input = Write("in.txt", "hello\n"u8.ToArray());
        CliRunner.AssertOneLineError(CliRunner.Run(command, "--model", Path.Combine(_temp, "no-such-model"), "--input", input), ExitCodes.BadArtifact, "no such folder");
    }

    [Fact]
    public void MissingInputFile_OneLineError()
        => CliRunner.AssertOneLineError(CliRunner.Run("tokenize", "--model", Model, "--input", Path.Combine(_temp, "nope.txt")), ExitCodes.BadInput, "cannot read");

    [Fact]
    public void Embed_BadBatch_OneLineError()
    {
        string input = Write("in.txt", "hello\n"u8.ToArray());
        CliRunner.AssertOneLineError(CliRunner.Run("embed", "--model", Model, "--input", input, "--batch", "0"), ExitCodes.BadInput, "--batch");
    }
}
