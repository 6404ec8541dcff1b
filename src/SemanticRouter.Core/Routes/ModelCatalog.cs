namespace SemanticRouter.Routes;

/// <summary>The target models routes may name, declared once in <c>models.yaml</c>. Immutable.</summary>
public sealed class ModelCatalog
{
    private readonly Dictionary<string, TargetModel> byName;

    internal ModelCatalog(IReadOnlyList<TargetModel> models, string sourceFile)
    {
        Models = models;
        SourceFile = sourceFile;
        byName = models.ToDictionary(m => m.Name, StringComparer.Ordinal);
    }

    /// <summary>Every model, in file order.</summary>
    public IReadOnlyList<TargetModel> Models { get; }

    /// <summary>The catalogue file, as passed to the loader.</summary>
    public string SourceFile { get; }

    public int Count => Models.Count;

    /// <summary>The model named <paramref name="name"/> (ordinal comparison).</summary>
    /// <exception cref="KeyNotFoundException">No such model.</exception>
    public TargetModel this[string name] =>
        byName.TryGetValue(name, out var model) ? model : throw new KeyNotFoundException($"unknown model '{name}'");

    public bool Contains(string name) => byName.ContainsKey(name);

    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TargetModel? model) =>
        byName.TryGetValue(name, out model);

    /// <summary>Reads and validates one model catalogue file (any file name).</summary>
    /// <exception cref="RouteValidationException">The file is invalid; every error is listed.</exception>
    public static ModelCatalog Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var content = File.ReadAllBytes(path);
        var parser = new RouteSetParser();
        parser.Parse([new RouteSourceFile(path, content)], path, modelsOnly: true, forceCatalog: true);
        if (parser.Errors.Count > 0)
        {
            throw new RouteValidationException(parser.Errors);
        }

        return new ModelCatalog(parser.Models, path);
    }
}
