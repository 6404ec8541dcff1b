using SemanticRouter.Artifacts;
using SemanticRouter.Index;
using SemanticRouter.Neighbors;
using SemanticRouter.Ranking;
using SemanticRouter.RouteHead;
using SemanticRouter.Routes;
using SemanticRouter.Settings;

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

    internal RouterSnapshot(RouterArtifact artifact, ResolvedRanking settings)
    {
        Artifact = artifact;
        _utterances = [.. artifact.Utterances];
        Catalog = artifact.Catalog;
        Head = artifact.Head;
        Settings = settings;
        Ranker = new Ranker(TableOf(artifact.Catalog), settings.Options);
        Neighbors = new NeighborSearch(artifact.Index, _utterances);
    }

    /// <summary>The neighbour search over the live graph and every utterance, those added at run time included.</summary>
    internal NeighborSearch Neighbors { get; }

    /// <summary>The <paramref name="k"/> nearest utterances of a query vector, under <see cref="Gate"/> for reading.</summary>
    internal List<Neighbor> Search(ReadOnlySpan<float> query, int k, int ef)
    {
        Gate.EnterReadLock();
        try
        {
            return Neighbors.Search(query, k, ef);
        }
        finally
        {
            Gate.ExitReadLock();
        }
    }

    /// <summary>The fitted route head, when the artefact has one.</summary>
    internal RouteHeadModel? Head { get; }

    /// <summary>The resolved ranking settings, and how the route head takes part.</summary>
    internal ResolvedRanking Settings { get; }

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
