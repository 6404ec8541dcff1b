using System.Globalization;
using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;

namespace SemanticRouter.Startup;

/// <summary>
/// Where the time of <see cref="RouterStartup.Load"/> went, phase by phase, for a server's start-up
/// log. The artefact and the encoder are loaded at the same time, so their phases overlap and add
/// up to more than <see cref="Total"/>.
/// </summary>
/// <param name="Artifact">The artefact's load, itself by part (graph, utterances, routes, …).</param>
/// <param name="EncoderSession">Creating ONNX Runtime's session for the model.</param>
/// <param name="CacheUse">Whether that session came from the optimised-model cache.</param>
/// <param name="EncoderWarmup">The first model run (ONNX Runtime allocates its buffers there, not in the first request).</param>
/// <param name="SearchWarmup">The first search of the index (likewise for the JIT).</param>
/// <param name="Total">Wall time from the call to its return.</param>
public sealed record StartupTimings(
    ArtifactLoadTimings Artifact,
    TimeSpan EncoderSession,
    OptimizedModelCacheUse CacheUse,
    TimeSpan EncoderWarmup,
    TimeSpan SearchWarmup,
    TimeSpan Total)
{
    /// <summary>One line per phase, e.g. "index loaded in 212 ms (graph 180 ms, utterances 41 ms, routes 160 ms, manifest and the rest 2 ms)".</summary>
    public IReadOnlyList<string> Describe()
    {
        static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
        string cache = CacheUse switch
        {
            OptimizedModelCacheUse.Hit => "optimised graph loaded from the cache",
            OptimizedModelCacheUse.Written => "optimised graph written to the cache for the next start",
            OptimizedModelCacheUse.Unavailable => "optimised-model cache unavailable",
            _ => "optimised-model cache off",
        };
        string routes = Artifact.RoutesSource switch
        {
            RouteCatalogSource.Cache => " from the parsed-catalogue cache",
            RouteCatalogSource.ParsedAndCached => " parsed, cached for the next start",
            _ => "",
        };
        return
        [
            $"index loaded in {Ms(Artifact.Total)} (graph {Ms(Artifact.Graph)}, utterances {Ms(Artifact.Utterances)}, routes {Ms(Artifact.Routes)}{routes}, manifest and the rest {Ms(Artifact.Manifest + Artifact.Extras)}; checksums included)",
            $"model session created in {Ms(EncoderSession)} ({cache}), first run {Ms(EncoderWarmup)}",
            $"first search {Ms(SearchWarmup)}; index and model ready {Ms(Total)} after loading began (loaded side by side)",
        ];
    }
}
