using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;

namespace DotnetChat;

/// <summary>Finds the sentence model the way run.sh does and indexes the repository's example routes into a temporary directory.</summary>
internal static class LocalIndex
{
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SemanticRouter.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("run it from the repository (SemanticRouter.sln not found above the program), or pass --index DIR");
    }

    /// <summary>$SEMANTIC_ROUTER_MODEL, else ../shared/models/all-MiniLM-L6-v2, else embeddings/models/all-MiniLM-L6-v2.</summary>
    public static string FindModel(string root)
    {
        string?[] candidates =
        [
            Environment.GetEnvironmentVariable("SEMANTIC_ROUTER_MODEL"),
            Path.Combine(root, "..", "shared", "models", "all-MiniLM-L6-v2"),
            Path.Combine(root, "embeddings", "models", "all-MiniLM-L6-v2"),
        ];
        return candidates.FirstOrDefault(c => !string.IsNullOrEmpty(c) && File.Exists(Path.Combine(c, "model.onnx")))
            ?? throw new InvalidOperationException("no sentence model: set SEMANTIC_ROUTER_MODEL, put ../shared beside the repository, or run ./run.sh once (it pulls one)");
    }

    public static string Build(string routes, string model, string directory)
    {
        using var encoder = SentenceEncoder.Open(model);
        var index = Path.Combine(directory, "index");
        IndexBuilder.Build(routes, encoder, index);
        return index;
    }
}
