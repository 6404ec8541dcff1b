using Microsoft.Extensions.AI;

namespace SemanticRouter.Core.Tests.Embeddings;

/// <summary>A fake inner generator driven by a callback (no mocking library); records every call.</summary>
internal sealed class CallbackEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<IReadOnlyList<string>> _calls = new();

    public Func<IReadOnlyList<string>, CancellationToken, Task<GeneratedEmbeddings<Embedding<float>>>> OnGenerate { get; set; } =
        (texts, _) => Task.FromResult(Embed(texts));

    public IReadOnlyCollection<IReadOnlyList<string>> Calls => _calls;

    /// <summary>A deterministic embedding: [length, first char].</summary>
    public static GeneratedEmbeddings<Embedding<float>> Embed(IEnumerable<string> texts) =>
        new(texts.Select(t => new Embedding<float>(new float[] { t.Length, t.Length > 0 ? t[0] : 0 })));

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = values.ToList();
        _calls.Enqueue(list);
        return OnGenerate(list, cancellationToken);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
