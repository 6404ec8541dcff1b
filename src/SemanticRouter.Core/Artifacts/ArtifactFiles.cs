namespace SemanticRouter.Artifacts;

/// <summary>File names inside an index artefact directory.</summary>
public static class ArtifactFiles
{
    public const string Manifest = "manifest.json";
    /// <summary>The HNSW graph with its vectors (<see cref="Index.HnswIndex.WriteTo"/>).</summary>
    public const string Graph = "index.hnsw";
    /// <summary>id → route and text, one JSON object per line, in id order.</summary>
    public const string Utterances = "utterances.jsonl";
    /// <summary>The route head (classifier) trained at build time, when `fit` parameters were given.</summary>
    public const string RouteHead = "route-head.bin";
    /// <summary>The `fit` parameters the head and the ranking use.</summary>
    public const string Parameters = SemanticRouter.RouteHead.RouteHeadParameters.DefaultFileName;
    /// <summary>
    /// The ranker settings chosen on outcomes (`fit --outcomes`), when the build was given them: what
    /// `serve`, `rank` and `outcomes import` rank and credit with unless told otherwise.
    /// </summary>
    public const string RankingSettings = SemanticRouter.Settings.RankingSettingsFile.DefaultFileName;
    /// <summary>A copy of the route files the artefact was built from, so it is self-contained.</summary>
    public const string RoutesFolder = "routes";
}
