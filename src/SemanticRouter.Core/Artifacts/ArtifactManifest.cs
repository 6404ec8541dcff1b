using System.Text.Json.Serialization;

namespace SemanticRouter.Artifacts;

/// <summary>
/// manifest.json of an index artefact: what was built, from what, with which parameters, and a
/// checksum for every file beside it. Loading refuses an artefact whose format, model or checksums
/// do not match, naming the file.
/// </summary>
public sealed record ArtifactManifest
{
    /// <summary>
    /// Bumped whenever any file's layout changes. Frozen by a test: changing it without a migration
    /// story breaks every artefact users have on disk.
    /// </summary>
    public const int CurrentFormatVersion = 1;

    [JsonPropertyName("format_version")] public required int FormatVersion { get; init; }
    [JsonPropertyName("created_utc")] public required DateTimeOffset CreatedUtc { get; init; }
    /// <summary>Short content hash: changes whenever routes, model or parameters change.</summary>
    [JsonPropertyName("index_version")] public required string IndexVersion { get; init; }
    [JsonPropertyName("model")] public required ArtifactModelInfo Model { get; init; }
    [JsonPropertyName("routes")] public required ArtifactRoutesInfo Routes { get; init; }
    [JsonPropertyName("hnsw")] public required ArtifactHnswInfo Hnsw { get; init; }
    [JsonPropertyName("counts")] public required ArtifactCounts Counts { get; init; }
    /// <summary>File name → checksum, for every other file of the artefact.</summary>
    [JsonPropertyName("files")] public required IReadOnlyDictionary<string, ArtifactFileInfo> Files { get; init; }
}

public sealed record ArtifactModelInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("fingerprint")] string Fingerprint,
    [property: JsonPropertyName("dimensions")] int Dimensions,
    [property: JsonPropertyName("directory")] string Directory)
{
    /// <summary>
    /// What the encoder read of texts longer than its window when it embedded the utterances (the
    /// settings file's <c>long_input</c>); absent = head. Every encoder that opens the index for queries
    /// takes it from here, so queries and utterances are read alike.
    /// </summary>
    [JsonPropertyName("long_input")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LongInput { get; init; }

    /// <summary>The policy <see cref="LongInput"/> names (head when absent).</summary>
    /// <exception cref="FormatException">An unknown name.</exception>
    public Embeddings.LongInputPolicy LongInputPolicy => Embeddings.LongInputPolicies.Parse(LongInput ?? "head");
}

public sealed record ArtifactRoutesInfo(
    [property: JsonPropertyName("hash")] string Hash,
    [property: JsonPropertyName("directory")] string Directory);

public sealed record ArtifactHnswInfo(
    [property: JsonPropertyName("m")] int M,
    [property: JsonPropertyName("ef_construction")] int EfConstruction,
    [property: JsonPropertyName("ef_search")] int EfSearch,
    [property: JsonPropertyName("seed")] int Seed);

public sealed record ArtifactCounts(
    [property: JsonPropertyName("routes")] int Routes,
    [property: JsonPropertyName("utterances")] int Utterances,
    [property: JsonPropertyName("models")] int Models);

public sealed record ArtifactFileInfo(
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("bytes")] long Bytes);
