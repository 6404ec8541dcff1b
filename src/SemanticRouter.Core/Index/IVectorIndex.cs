namespace SemanticRouter.Index;

/// <summary>One search result: the caller's id of a stored vector and its cosine similarity to the query.</summary>
public readonly record struct VectorHit(int Id, float Similarity);

/// <summary>
/// A k-nearest-neighbour index over L2-normalised float32 vectors, compared by cosine similarity
/// (the dot product of unit vectors). <c>HnswIndex</c> is the fast one; <c>ExactIndex</c>
/// is its brute-force twin, used as the reference in tests and by <c>--exact</c>.
/// </summary>
/// <remarks>
/// Thread-safety: any number of concurrent <see cref="Search"/> calls are safe while nothing is
/// written. Writes (<see cref="Add"/>, <see cref="Remove"/>) must not overlap searches or each other
/// unless the implementation says otherwise.
/// </remarks>
public interface IVectorIndex
{
    /// <summary>Length of every vector.</summary>
    int Dimensions { get; }

    /// <summary>Number of live (not removed) vectors.</summary>
    int Count { get; }

    /// <summary>Adds a unit vector under <paramref name="id"/> (non-negative, unique among live vectors).</summary>
    void Add(int id, ReadOnlySpan<float> vector);

    /// <summary>True when a live vector is stored under <paramref name="id"/>.</summary>
    /// <remarks>Added to the fixed interface so that incremental builds can tell new ids from kept ones without a search.</remarks>
    bool Contains(int id);

    /// <summary>The stored vector of <paramref name="id"/> (a view into the index: copy it before writing to the index).</summary>
    /// <remarks>Added so that incremental builds reuse stored embeddings of unchanged utterances instead of re-embedding them.</remarks>
    /// <exception cref="KeyNotFoundException">No live vector has that id.</exception>
    ReadOnlySpan<float> GetVector(int id);

    /// <summary>Removes the vector stored under <paramref name="id"/>; false when there is none.</summary>
    bool Remove(int id);

    /// <summary>
    /// The <paramref name="k"/> live vectors most similar to <paramref name="query"/>, most similar first.
    /// <paramref name="ef"/> is the search breadth for approximate indexes (0 = the index default;
    /// ignored by exact ones).
    /// </summary>
    IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k, int ef = 0);
}
