using SemanticRouter.Index;

namespace SemanticRouter.Neighbors;

/// <summary>
/// The one neighbour search: the k utterances nearest a query vector, as <see cref="Neighbor"/>s, over any
/// <see cref="IVectorIndex"/>: the index's HNSW graph when serving, ranking, inspecting and crediting an
/// outcome's text (and so for <c>outcomes import</c>), an <see cref="ExactIndex"/> for <c>neighbors --exact</c>
/// and the evaluations. <see cref="Utterances"/> maps an index id to its utterance (<c>Utterances[id].Id == id</c>).
/// </summary>
/// <remarks>
/// Thread-safety is the index's: concurrent searches are safe while nothing is added (the engine adds
/// utterances under its snapshot's write lock).
/// </remarks>
public sealed class NeighborSearch(IVectorIndex index, IReadOnlyList<UtteranceEntry> utterances)
{
    public IVectorIndex Index { get; } = index ?? throw new ArgumentNullException(nameof(index));

    public IReadOnlyList<UtteranceEntry> Utterances { get; } = utterances ?? throw new ArgumentNullException(nameof(utterances));

    /// <summary>The <paramref name="k"/> nearest utterances, most similar first (<paramref name="ef"/>: HNSW breadth, 0 = the index default).</summary>
    public List<Neighbor> Search(ReadOnlySpan<float> query, int k, int ef = 0)
    {
        var hits = Index.Search(query, k, ef);
        var neighbors = new List<Neighbor>(hits.Count);
        foreach (var hit in hits)
        {
            var u = Utterances[hit.Id];
            neighbors.Add(new Neighbor(hit.Id, u.Key, u.Route, u.Text, hit.Similarity));
        }

        return neighbors;
    }
}
