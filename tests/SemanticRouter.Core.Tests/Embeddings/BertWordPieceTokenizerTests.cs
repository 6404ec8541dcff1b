using System.Text;
using FsCheck;
using FsCheck.Fluent;
using SemanticRouter.Embeddings;
using SemanticRouter.Tests;

namespace SemanticRouter.Core.Tests.Embeddings;

public class BertWordPieceTokenizerTests
{
    private static readonly Lazy<BertWordPieceTokenizer> LazyTokenizer = new(() =>
    {
        var folder = ModelFolder.Open(SharedPaths.MiniLmModel);
        return new BertWordPieceTokenizer(folder.VocabPath, folder.TokenizerSettings);
    });

    private static BertWordPieceTokenizer Tokenizer => LazyTokenizer.Value;

    [Fact]
    public void Encode_EveryGoldenSentence_MatchesReferenceIds()
    {
        var failures = new List<string>();
        foreach (var c in Golden.Tokens)
        {
            int[] ids = Tokenizer.Encode(c.Text);
            if (!ids.AsSpan().SequenceEqual(c.Ids))
            {
                failures.Add($"line {c.Line} {System.Text.Json.JsonSerializer.Serialize(c.Text)[..Math.Min(80, c.Text.Length + 2)]}: want [{string.Join(",", c.Ids.Take(20))}] got [{string.Join(",", ids.Take(20))}]");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count}/{Golden.Tokens.Length} differ:\n{string.Join("\n", failures.Take(30))}");
        Assert.Equal(997, Golden.Tokens.Length);
    }

    [Theory]
    // Cases where Microsoft.ML.Tokenizers' BertTokenizer alone differs from the reference (ids from HF tokenizers 0.23.2).
    [InlineData("pay $175 on my visa", new[] { 101, 3477, 1002, 12862, 2006, 2026, 9425, 102 })]
    [InlineData("héllo wörld café naïve résumé", new[] { 101, 7592, 2088, 7668, 15743, 13746, 102 })]
    [InlineData("zero\u200Bwidth\u200Bspace", new[] { 101, 5717, 9148, 11927, 7898, 15327, 102 })]
    [InlineData("under_scores", new[] { 101, 2104, 1035, 7644, 102 })]
    [InlineData("hello [SEP] world", new[] { 101, 7592, 102, 2088, 102 })]
    [InlineData("[cls]x", new[] { 101, 1031, 18856, 2015, 1033, 1060, 102 })]
    [InlineData("x[MASK]y", new[] { 101, 1060, 103, 1061, 102 })]
    [InlineData("İstanbul ΟΔΟΣ", new[] { 101, 9960, 1169, 29722, 29730, 29733, 102 })]
    [InlineData("🥰 hi", new[] { 101, 100, 7632, 102 })]
    [InlineData("", new[] { 101, 102 })]
    public void Encode_KnownDifferences_MatchReference(string text, int[] expected)
        => Assert.Equal(expected, Tokenizer.Encode(text));

    [Fact]
    public void Encode_LongText_TruncatesToMaxLengthAtTokenLevel()
    {
        string text = string.Join(" ", Enumerable.Range(0, 400).Select(i => $"word{i}"));
        int[] ids = Tokenizer.Encode(text);
        Assert.Equal(256, ids.Length);
        Assert.Equal(101, ids[0]);
        Assert.Equal(102, ids[^1]);
    }

    [Fact]
    public void Encode_LongText_HeadTail_KeepsTheFirstAndLastHalfOfTheWindow()
    {
        string text = string.Join(" ", Enumerable.Range(0, 400).Select(i => $"w{i}"));
        var all = Tokenizer.Encode(text, new List<int>(), SemanticRouter.Embeddings.LongInputPolicy.HeadTail);
        var ids = new List<int>();
        Tokenizer.Encode(text, ids, SemanticRouter.Embeddings.LongInputPolicy.HeadTail);
        Assert.Equal(256, ids.Count);
        Assert.Equal(256, all);
        Assert.Equal(101, ids[0]);
        Assert.Equal(102, ids[^1]);
        var head = Tokenizer.Encode(text);
        Assert.Equal(head[..128], ids.Take(128)); // [CLS] and the first 127 pieces
        var full = Tokenizer.Encode(string.Join(" ", Enumerable.Range(330, 70).Select(i => $"w{i}")));
        Assert.InRange(full.Length, 129, 255); // long enough for the tail, not cut itself
        Assert.Equal(full[^128..^1], ids.Skip(128).Take(127)); // the last 127 pieces, then [SEP]

        // A text that fits reads the same under both policies.
        var shortIds = new List<int>();
        Tokenizer.Encode("hello world", shortIds, SemanticRouter.Embeddings.LongInputPolicy.HeadTail);
        Assert.Equal(Tokenizer.Encode("hello world"), shortIds);
    }

    [Fact]
    public void Encode_WordOverHundredCodePoints_IsUnknown()
    {
        Assert.Equal(new[] { 101, 100, 102 }, Tokenizer.Encode(new string('a', 101)));
        Assert.NotEqual(new[] { 101, 100, 102 }, Tokenizer.Encode(new string('a', 100)));
    }

    [Fact]
    public void Encode_AnyString_NeverThrowsAndIsFramed()
    {
        var strings = ArbMap.Default.GeneratorFor<string>().Where(s => s is not null);
        Prop.ForAll(strings.ToArbitrary(), s =>
        {
            int[] ids = Tokenizer.Encode(s);
            return ids.Length >= 2 && ids.Length <= 256 && ids[0] == 101 && ids[^1] == 102;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Encode_RandomUnicode_NeverThrows()
    {
        var random = new Random(42);
        var sb = new StringBuilder();
        for (int n = 0; n < 2000; n++)
        {
            sb.Clear();
            int len = random.Next(0, 40);
            for (int i = 0; i < len; i++)
            {
                int kind = random.Next(4);
                if (kind == 0)
                {
                    sb.Append((char)random.Next(0, 0x10000)); // may be a lone surrogate
                }
                else
                {
                    int cp = random.Next(0, 0x110000);
                    if (cp is >= 0xD800 and <= 0xDFFF)
                    {
                        cp = 'x';
                    }

                    sb.Append(char.ConvertFromUtf32(cp));
                }
            }

            int[] ids = Tokenizer.Encode(sb.ToString());
            Assert.InRange(ids.Length, 2, 256);
        }
    }
}
