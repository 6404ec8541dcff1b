namespace SemanticRouter.Artifacts;

/// <summary>
/// Where the time of one <see cref="RouterArtifact.Load"/> went, so that a server can log its
/// start-up phase by phase. The parts run concurrently, so they add up to more than
/// <see cref="Total"/>; each part includes verifying its files' checksums.
/// </summary>
/// <param name="Manifest">Reading and validating manifest.json.</param>
/// <param name="Graph">index.hnsw: sha256, read, XxHash64 trailer and structural validation.</param>
/// <param name="Utterances">utterances.jsonl: sha256 and parse.</param>
/// <param name="Routes">The route files: sha256 of each and the catalogue's validation.</param>
/// <param name="Extras">The route head, its parameters and the ranking settings, when present.</param>
/// <param name="Total">Wall time of the whole load.</param>
public sealed record ArtifactLoadTimings(TimeSpan Manifest, TimeSpan Graph, TimeSpan Utterances, TimeSpan Routes, TimeSpan Extras, TimeSpan Total)
{
    /// <summary>Whether the route catalogue was parsed or read from the parsed-catalogue cache.</summary>
    public RouteCatalogSource RoutesSource { get; init; }
}
