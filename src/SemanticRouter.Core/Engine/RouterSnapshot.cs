using SemanticRouter.Artifacts;
using SemanticRouter.Index;
using SemanticRouter.Ranking;
using SemanticRouter.Routes;

namespace SemanticRouter.Engine;

/// <summary>
/// One loaded index with everything derived from it (routing table, ranker). Swapped whole on
/// reload, so an in-flight call keeps the snapshot it started with. Utterances added at run time
/// go into the live graph under <see cref="Gate"/>: searches share it, inserts take it exclusively
/// (HNSW searches are safe only while nothing is written).
/// </summary>
internal sealed class RouterSnapshot
{
    private readonly List<UtteranceEntry> _utterances;
    private int _added;

    internal RouterSnapshot(RouterArtifact artifact, RankingOptions options, double? routeHeadWeight = null)
    {
        Artifact = artifact;
        _utterances = [.. artifact.Utterances];
        Catalog = artifact.Catalog;
        Head = artifact.Head;
        BlendsHeadItself = Head is not null && routeHeadWeight is not null;
        Ranker = new Ranker(TableOf(artifact.Catalog), WithHead(options, Head, routeHeadWeight));
    }

    /// <summary>The fitted route head, when the artefact has one.</summary>
    internal RouteHead? Head { get; }

    /// <summary>
    /// True when the ranker blends the head classifier's own posterior with its neighbours' vote (an α
    /// was given); false when it takes the head's fitted blend as the route posterior.
    /// </summary>
    internal bool BlendsHeadItself { get; }

    // Intent routing (no α given): the ranker takes the head's blended posterior as given (α = 1 over
    // the posterior the head computes from the same neighbours) and the fitted k and τ for the model
    // scores, because the defaults are not fitted and the head's are. Outcome routing (α given): the
    // settings were chosen on outcomes, so they stay, and the ranker does the blending itself.
    private static RankingOptions WithHead(RankingOptions options, RouteHead? head, double? routeHeadWeight)
    {
        if (head is null)
        {
            return options;
        }

        var fitted = options.Clone();
        if (routeHeadWeight is { } alpha)
        {
            fitted.RouteHeadWeight = alpha;
            return fitted;
        }

        var p = head.Parameters;
        fitted.K = p.K;
        fitted.Temperature = p.Tau > 0 && double.IsFinite(p.Tau) ? p.Tau : 1e6; // ∞ = a plain vote
        fitted.RouteHeadWeight = 1;
        return fitted;
    }

    internal RouterArtifact Artifact { get; }

    internal HnswIndex Index => Artifact.Index;

    internal RouteCatalog Catalog { get; private set; }

    internal Ranker Ranker { get; private set; }

    internal ReaderWriterLockSlim Gate { get; } = new(LockRecursionPolicy.NoRecursion);

    /// <summary>The artefact version, plus the number of utterances added since it was loaded.</summary>
    internal string Version => _added == 0 ? Artifact.Manifest.IndexVersion : $"{Artifact.Manifest.IndexVersion}+{_added}";

    internal int UtteranceCount => _utterances.Count;

    internal UtteranceEntry Utterance(int id) => _utterances[id];

    internal IReadOnlyList<UtteranceEntry> Utterances => _utterances;

    /// <summary>Adds embedded utterances to the live graph. Caller holds <see cref="Gate"/> for writing.</summary>
    internal void AddUtterances(string route, IReadOnlyList<string> texts, ReadOnlySpan<float> vectors, RouteCatalog catalog)
    {
        int dims = Index.Dimensions;
        for (int i = 0; i < texts.Count; i++)
        {
            var entry = new UtteranceEntry(_utterances.Count, route, texts[i]);
            Index.Add(entry.Id, vectors.Slice(i * dims, dims));
            _utterances.Add(entry);
        }

        _added += texts.Count;
        Catalog = catalog;
        Ranker = new Ranker(TableOf(catalog), Ranker.Options);
    }

    internal static RoutingTable TableOf(RouteCatalog catalog) => new(
        catalog.Routes.Select(r => new RouteTargets(r.Name, [.. r.Targets.Select(t => new TargetPrior(t.Model, t.Prior))], r.Threshold)),
        catalog.Models.Models.Select(m => new ModelCost(m.Name, m.InputCostPerMillionTokens, m.OutputCostPerMillionTokens)));
}
