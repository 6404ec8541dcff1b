using Microsoft.Extensions.AI;

namespace SemanticRouter.Bench.Grpc;

/// <summary>
/// Stands in for the ONNX encoder in the self-hosted gRPC benchmark: one session (calls are
/// serialised), each call costing a fixed time plus a time per text, spent blocked as in a native
/// call. Shows what micro-batching does for throughput before the real encoder is wired in.
/// </summary>
internal sealed class SimulatedEncoder(TimeSpan perCall, TimeSpan perText) : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly Lock _session = new();

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values.ToList();
        lock (_session)
        {
            Thread.Sleep(perCall + (perText * texts.Count));
        }

        return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(texts.Select(t => new Embedding<float>(new float[] { t.Length }))));
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
