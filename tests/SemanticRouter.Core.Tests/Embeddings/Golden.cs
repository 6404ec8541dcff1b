using System.Text.Json;
using SemanticRouter.Tests;

namespace SemanticRouter.Core.Tests.Embeddings;

/// <summary>The reference stack's outputs in shared/models/all-MiniLM-L6-v2/golden.</summary>
internal static class Golden
{
    public sealed record TokenCase(int Line, string Text, int[] Ids);

    public sealed record EmbeddingCase(int Line, string Text, float[] Embedding);

    private static readonly Lazy<TokenCase[]> LazyTokens = new(() => Read(Path.Combine(SharedPaths.Golden, "tokens.jsonl"),
        (line, e) => new TokenCase(line, e.GetProperty("text").GetString()!, e.GetProperty("ids").EnumerateArray().Select(x => x.GetInt32()).ToArray())));

    private static readonly Lazy<EmbeddingCase[]> LazyEmbeddings = new(() => Read(Path.Combine(SharedPaths.Golden, "embeddings.jsonl"),
        (line, e) => new EmbeddingCase(line, e.GetProperty("text").GetString()!, e.GetProperty("embedding").EnumerateArray().Select(x => x.GetSingle()).ToArray())));

    public static TokenCase[] Tokens => LazyTokens.Value;

    public static EmbeddingCase[] Embeddings => LazyEmbeddings.Value;

    private static T[] Read<T>(string path, Func<int, JsonElement, T> parse)
    {
        var list = new List<T>();
        int line = 0;
        foreach (string text in File.ReadLines(path))
        {
            line++;
            using var doc = JsonDocument.Parse(text);
            list.Add(parse(line, doc.RootElement));
        }

        return [.. list];
    }
}
