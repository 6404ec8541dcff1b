namespace SemanticRouter.Tests;

/// <summary>
/// Finds ../shared (models, golden files, data sets): the directory beside the repository root
/// (the folder holding SemanticRouter.sln), or SEMANTIC_ROUTER_SHARED. Fails with a clear message
/// when neither exists.
/// </summary>
internal static class SharedPaths
{
    public const string EnvironmentVariable = "SEMANTIC_ROUTER_SHARED";

    private static readonly Lazy<string> LazyRoot = new(Locate);

    /// <summary>The repository root (the directory holding SemanticRouter.sln).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The shared directory.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>The fp32 reference model folder.</summary>
    public static string MiniLmModel => Require(Path.Combine(Root, "models", "all-MiniLM-L6-v2"));

    /// <summary>The int8 model folder.</summary>
    public static string MiniLmInt8Model => Require(Path.Combine(Root, "models", "all-MiniLM-L6-v2-int8"));

    /// <summary>golden/ of the fp32 model.</summary>
    public static string Golden => Require(Path.Combine(MiniLmModel, "golden"));

    public static string Require(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new InvalidOperationException($"shared test data not found: {path} (set {EnvironmentVariable} to the shared directory)");
        }

        return path;
    }

    private static string Locate()
    {
        string? env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(env))
        {
            return Directory.Exists(env)
                ? Path.GetFullPath(env)
                : throw new InvalidOperationException($"{EnvironmentVariable}={env} is not a directory");
        }

        string candidate = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));
        return Directory.Exists(candidate)
            ? candidate
            : throw new InvalidOperationException($"shared test data not found at {candidate}: put the shared directory beside the repository or set {EnvironmentVariable}");
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SemanticRouter.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"SemanticRouter.sln not found above {AppContext.BaseDirectory}");
    }
}
