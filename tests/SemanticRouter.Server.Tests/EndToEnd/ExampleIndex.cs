using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;
using SemanticRouter.Index;
using SemanticRouter.Tests;

namespace SemanticRouter.Server.Tests.EndToEnd;

/// <summary>The index the end-to-end tests serve: the example routes (copied into the test's directory), built with the real model.</summary>
internal static class ExampleIndex
{
    /// <summary>Builds it as <c>index</c> in <paramref name="dir"/> (the routes beside it) and returns its path.</summary>
    public static string Build(TestDirectory dir, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dir);
        string index = Path.Combine(dir.Path, "index");
        using var encoder = SentenceEncoder.Open(SharedPaths.MiniLmModel, new SentenceEncoderOptions { IntraOpThreads = 1 });
        IndexBuilder.Build(dir.CopyExampleRoutes(), encoder, index, new HnswOptions { M = 8, EfConstruction = 64, Seed = 3 }, cancellationToken: cancellationToken);
        return index;
    }
}
