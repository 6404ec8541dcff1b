namespace SemanticRouter.Tests;

/// <summary>
/// Where the shared models and data sets live: <c>$SEMANTIC_ROUTER_SHARED</c> when set, else
/// <c>../shared</c> beside the repository root (the folder holding SemanticRouter.sln).
/// Never copied into the repository.
/// </summary>
public static class SharedPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The shared folder; throws with a clear message when it cannot be found.</summary>
    public static string Root => LazyRoot.Value;

    public static string Datasets => Path.Combine(Root, "datasets");

    public static string Models => Path.Combine(Root, "models");

    private static string FindRoot()
    {
        var fromEnv = Environment.GetEnvironmentVariable("SEMANTIC_ROUTER_SHARED");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return Directory.Exists(fromEnv)
                ? Path.GetFullPath(fromEnv)
                : throw new InvalidOperationException($"SEMANTIC_ROUTER_SHARED points to '{fromEnv}', which does not exist");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SemanticRouter.sln")))
            {
                var shared = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
                return Directory.Exists(shared)
                    ? shared
                    : throw new InvalidOperationException($"shared models and data sets not found at '{shared}'; set SEMANTIC_ROUTER_SHARED");
            }
        }

        throw new InvalidOperationException("repository root (SemanticRouter.sln) not found above the test binaries; set SEMANTIC_ROUTER_SHARED");
    }
}
