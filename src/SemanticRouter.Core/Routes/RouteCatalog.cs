using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace SemanticRouter.Routes;

/// <summary>
/// A validated, immutable set of routes and the model catalogue they target, read from a routes
/// directory. <see cref="Load"/> either returns a complete catalogue or throws
/// <see cref="RouteValidationException"/> listing every error; nothing partial is ever built.
/// </summary>
/// <remarks>
/// A routes directory holds <c>models.yaml</c> (or <c>models.yml</c>), the model catalogue, plus any
/// number of route files: every other <c>*.yaml</c>/<c>*.yml</c> file directly inside it. Sub-directories
/// and files whose name starts with '.' are ignored (loading is not recursive). Files are read in
/// ordinal file-name order, which is also the order of <see cref="Routes"/>. Safe to share across threads.
/// See <c>routes/README.md</c> for the schema.
/// </remarks>
public sealed class RouteCatalog
{
    private readonly Dictionary<string, Route> byName;

    internal RouteCatalog(IReadOnlyList<Route> routes, ModelCatalog models, IReadOnlyList<string> files, string contentHash)
    {
        Routes = routes;
        Models = models;
        Files = files;
        ContentHash = contentHash;
        byName = routes.ToDictionary(r => r.Name, StringComparer.Ordinal);
        UtteranceCount = routes.Sum(r => r.Utterances.Count);
    }

    /// <summary>Every route, in file order then document order.</summary>
    public IReadOnlyList<Route> Routes { get; }

    /// <summary>The model catalogue.</summary>
    public ModelCatalog Models { get; }

    /// <summary>The files read (model catalogue included), in the order they were hashed.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Total utterances over all routes.</summary>
    public int UtteranceCount { get; }

    /// <summary>
    /// Lower-case hex SHA-256 over every file read, in ordinal file-name order: for each file its name
    /// (UTF-8), a NUL, its length as 8 little-endian bytes, then its bytes. Changes whenever any route
    /// or model file changes, is added, removed or renamed; independent of the directory's location.
    /// </summary>
    public string ContentHash { get; }

    /// <summary>The route named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such route.</exception>
    public Route this[string name] =>
        byName.TryGetValue(name, out var route) ? route : throw new KeyNotFoundException($"unknown route '{name}'");

    public bool TryGetRoute(string name, [NotNullWhen(true)] out Route? route) => byName.TryGetValue(name, out route);

    public bool ContainsRoute(string name) => byName.ContainsKey(name);

    /// <summary>True for <c>models.yaml</c> / <c>models.yml</c> (case-insensitive).</summary>
    public static bool IsModelCatalogFileName(string fileName) =>
        string.Equals(fileName, "models.yaml", StringComparison.OrdinalIgnoreCase)
        || string.Equals(fileName, "models.yml", StringComparison.OrdinalIgnoreCase);

    /// <summary>The route and model files of <paramref name="routesDirectory"/>, in load order.</summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    public static IReadOnlyList<string> EnumerateFiles(string routesDirectory)
    {
        ArgumentNullException.ThrowIfNull(routesDirectory);
        if (!Directory.Exists(routesDirectory))
        {
            throw new DirectoryNotFoundException($"routes directory '{routesDirectory}' not found");
        }

        return Directory.EnumerateFiles(routesDirectory)
            .Where(p =>
            {
                var name = Path.GetFileName(p);
                return !name.StartsWith('.')
                    && (name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase));
            })
            .OrderBy(Path.GetFileName, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Reads and validates every route file and the model catalogue in <paramref name="routesDirectory"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="RouteValidationException">Any file is invalid; every error is listed.</exception>
    public static RouteCatalog Load(string routesDirectory)
    {
        var files = EnumerateFiles(routesDirectory);
        return FromContents(files.Select(f => (f, File.ReadAllBytes(f))).ToList(), Path.Combine(routesDirectory, "models.yaml"));
    }

    /// <summary>Reads and validates the given files; exactly one must be named <c>models.yaml</c>/<c>models.yml</c>.</summary>
    public static RouteCatalog LoadFiles(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var list = paths.OrderBy(Path.GetFileName, StringComparer.Ordinal).ToList();
        return FromContents(list.Select(f => (f, File.ReadAllBytes(f))).ToList(), "models.yaml");
    }

    /// <summary>Validates in-memory file contents (path used in messages, bytes); the caller orders them.</summary>
    public static RouteCatalog FromContents(IReadOnlyList<(string Path, byte[] Content)> files, string modelCatalogLocation = "models.yaml")
    {
        ArgumentNullException.ThrowIfNull(files);
        var sources = files.Select(f => new RouteSourceFile(f.Path, f.Content)).ToList();
        var parser = new RouteSetParser();
        parser.Parse(sources, modelCatalogLocation);
        if (parser.Errors.Count > 0)
        {
            throw new RouteValidationException(parser.Errors.ToList());
        }

        if (parser.Routes.Count == 0)
        {
            throw new RouteValidationException([new RouteValidationError(
                sources.Count == 1 ? sources[0].Path : Path.GetDirectoryName(modelCatalogLocation) is { Length: > 0 } dir ? dir : ".",
                0, 0, "no routes: add a route file with a 'routes:' list beside models.yaml")]);
        }

        var catalogFile = sources.First(s => s.IsModelCatalog).Path;
        return new RouteCatalog(
            parser.Routes.ToList(),
            new ModelCatalog(parser.Models.ToList(), catalogFile),
            sources.Select(s => s.Path).ToList(),
            Hash(sources));
    }

    private static string Hash(IReadOnlyList<RouteSourceFile> sources)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[8];
        foreach (var source in sources.OrderBy(s => Path.GetFileName(s.Path), StringComparer.Ordinal))
        {
            sha.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(source.Path)));
            sha.AppendData([0]);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(length, source.Content.LongLength);
            sha.AppendData(length);
            sha.AppendData(source.Content);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
