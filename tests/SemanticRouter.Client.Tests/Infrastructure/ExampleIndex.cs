using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;
using SemanticRouter.Index;
using SemanticRouter.Tests;

[assembly: AssemblyFixture(typeof(SemanticRouter.Client.Tests.Infrastructure.ExampleIndex))]

namespace SemanticRouter.Client.Tests.Infrastructure;

/// <summary>
/// The repository's example routes indexed once with the shared MiniLM model, for every test. Each test
/// that records outcomes uses its own outcome database (<see cref="NewOutcomeDatabase"/>), so that no
/// test sees another's outcomes.
/// </summary>
public sealed class ExampleIndex : IDisposable
{
    private readonly TestDirectory _dir = new();

    public ExampleIndex()
    {
        using var encoder = SentenceEncoder.Open(SharedPaths.MiniLmModel, new SentenceEncoderOptions { IntraOpThreads = 1 });
        IndexBuilder.Build(TestDirectory.ExampleRoutes, encoder, IndexDirectory, new HnswOptions { M = 12, EfConstruction = 100, Seed = 5 });
    }

    public string IndexDirectory => Path.Combine(_dir.Path, "index");

    public static string ModelDirectory => SharedPaths.MiniLmModel;

    /// <summary>A fresh outcome database path (the file does not exist yet).</summary>
    public string NewOutcomeDatabase() => Path.Combine(_dir.Path, $"outcomes-{Guid.NewGuid():N}.db");

    public void Dispose() => _dir.Dispose();
}
