namespace SemanticRouter.Hosting;

/// <summary>
/// Settings of the in-process router (<c>services.AddSemanticRouterInProcess(o => …)</c>), bindable from
/// configuration (<c>{ "IndexDirectory": "embeddings/index" }</c>). Null means the default.
/// </summary>
public sealed class InProcessRouterOptions
{
    /// <summary>The index artefact directory (<c>semantic-router build --out DIR</c>). Required.</summary>
    public string IndexDirectory { get; set; } = string.Empty;

    /// <summary>The sentence model folder; null = the one recorded in the index manifest (its sha256 must match either way).</summary>
    public string? ModelDirectory { get; set; }

    /// <summary>The SQLite outcome store (created if missing); null = <c>&lt;index&gt;.outcomes.db</c> beside the index.</summary>
    public string? OutcomeDatabase { get; set; }

    /// <summary>Query embeddings kept in memory (default 4096; 0 = no cache).</summary>
    public int EmbeddingCacheSize { get; set; } = 4096;

    /// <summary>ONNX Runtime threads per model run; null = the cores the process may use (the encoder's default).</summary>
    public int? IntraOpThreads { get; set; }

    /// <summary>The first problem with these settings, or null when they are usable.</summary>
    public string? Validate() =>
        string.IsNullOrWhiteSpace(IndexDirectory) ? "SemanticRouter IndexDirectory is required (the directory `semantic-router build --out` wrote)."
        : EmbeddingCacheSize < 0 ? "SemanticRouter EmbeddingCacheSize must be 0 (no cache) or positive."
        : IntraOpThreads is <= 0 ? "SemanticRouter IntraOpThreads must be at least 1."
        : null;
}
