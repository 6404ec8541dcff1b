using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SemanticRouter.Index;

public sealed partial class HnswIndex
{
    [ThreadStatic]
    private static SearchScratch? t_searchScratch;


    /// <inheritdoc/>
    public IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k, int ef = 0)
    {
        IndexErrors.CheckK(k, ef);
        IndexErrors.CheckVector(query, _dims, nameof(query));
        int n = Math.Min(k, _liveCount);
        if (n == 0)
        {
            return [];
        }

        var hits = new VectorHit[n];
        int found = SearchCore(query, hits, ef);
        return found == n ? hits : hits[..found];
    }

    /// <summary>
    /// Allocation-free search: fills <paramref name="destination"/> (its length is k) with the
    /// closest live vectors, most similar first; returns how many were written.
    /// </summary>
    public int Search(ReadOnlySpan<float> query, Span<VectorHit> destination, int ef = 0)
    {
        IndexErrors.CheckK(destination.Length, ef);
        IndexErrors.CheckVector(query, _dims, nameof(query));
        return SearchCore(query, destination, ef);
    }

    [SkipLocalsInit]
    private int SearchCore(ReadOnlySpan<float> queryVector, Span<VectorHit> destination, int ef)
    {
        if (_liveCount == 0 || _entryPoint < 0)
        {
            return 0;
        }

        ref float query = ref MemoryMarshal.GetReference(queryVector);
        int k = destination.Length;
        int breadth = Math.Max(ef == 0 ? _options.EfSearch : ef, k);

        // A walk as broad as half the index visits most of it anyway: the scan is exact and no dearer
        // (outcome routing asks for k in the hundreds: k 800 of 2,205 RouterBench prompts).
        if (_nodeCount <= _options.ScanLimit || 2L * breadth >= _liveCount)
        {
            return Scan(ref query, destination);
        }

        int current = _entryPoint;
        float currentDistance = 1f - VectorMath.Dot(ref query, ref VectorRef(current), _dims);
        for (int level = _maxLevel; level > 0; level--)
        {
            bool changed = true;
            while (changed)
            {
                changed = false;
                Span<int> list = Links(current, level);
                int count = list[0];
                // As on level 0: the first lines of every neighbour, then the rest of each next one.
                for (int i = 1; i <= count; i++)
                {
                    VectorMath.Prefetch(ref VectorRef(list[i]));
                }

                if (count > 0)
                {
                    VectorMath.PrefetchRest(ref VectorRef(list[1]), _dims);
                }

                for (int i = 1; i <= count; i++)
                {
                    int candidate = list[i];
                    if (i < count)
                    {
                        VectorMath.PrefetchRest(ref VectorRef(list[i + 1]), _dims);
                    }

                    float d = 1f - VectorMath.Dot(ref query, ref VectorRef(candidate), _dims);
                    if (d < currentDistance)
                    {
                        currentDistance = d;
                        current = candidate;
                        changed = true;
                    }
                }
            }
        }

        SearchScratch scratch = t_searchScratch ??= new SearchScratch();
        VisitedSet? visited = _visitedPool.Rent(_nodeCount);
        try
        {
            MaxCandidateHeap results = scratch.Results;
            if (_liveCount == _nodeCount)
            {
                SearchLevel0<NoDeletions>(ref query, current, currentDistance, breadth, visited, scratch);
            }
            else
            {
                SearchLevel0<WithDeletions>(ref query, current, currentDistance, breadth, visited, scratch);
            }

            while (results.Count > k)
            {
                results.Pop();
            }

            int found = results.Count;
            if (found < Math.Min(k, _liveCount))
            {
                // The walk ran out of nodes before it found k: the part of the graph reachable from the entry
                // point is smaller than k. Thousands of near-identical vectors (RouterBench's 5-shot prompts
                // share their exemplars) split the graph so; hnswlib 0.8 fails on the same vectors ("Cannot
                // return the results in a contiguous 2D array"). Answer exactly rather than short.
                results.Clear();
                _visitedPool.Return(visited);
                visited = null;
                return Scan(ref query, destination);
            }

            for (int i = found - 1; i >= 0; i--)
            {
                Candidate c = results.Pop();
                destination[i] = new VectorHit(_labels[c.Node], 1f - c.Distance);
            }

            return found;
        }
        finally
        {
            if (visited is not null)
            {
                _visitedPool.Return(visited);
            }
        }
    }

    /// <summary>
    /// Exact search of a small index: every live vector, the k most similar kept in a max-heap on
    /// distance (worst kept hit on top), then written out best first. On a tie for the last place
    /// the node seen first (the lower one) stays.
    /// </summary>
    private int Scan(ref float query, Span<VectorHit> destination)
    {
        SearchScratch scratch = t_searchScratch ??= new SearchScratch();
        MaxCandidateHeap results = scratch.Results; // on distance: the worst kept hit is on top
        results.Clear();
        int k = destination.Length;
        bool anyDeleted = _liveCount != _nodeCount;
        for (int node = 0; node < _nodeCount; node++)
        {
            if (anyDeleted && _deleted[node] != 0)
            {
                continue;
            }

            float d = 1f - VectorMath.Dot(ref query, ref VectorRef(node), _dims);
            if (results.Count < k)
            {
                results.Push(new Candidate(d, node));
            }
            else if (d < results.Top.Distance)
            {
                results.Pop();
                results.Push(new Candidate(d, node));
            }
        }

        int found = results.Count;
        for (int i = found - 1; i >= 0; i--)
        {
            Candidate c = results.Pop();
            destination[i] = new VectorHit(_labels[c.Node], 1f - c.Distance);
        }

        return found;
    }

    /// <summary>
    /// Best-first search of level 0 keeping the <paramref name="ef"/> closest live nodes in
    /// <c>scratch.Results</c>. Removed nodes are walked through but never kept; the check is compiled
    /// out when the index has none (<typeparamref name="TDeletions"/>), as hnswlib's bare-bone path.
    /// </summary>
    [SkipLocalsInit]
    private void SearchLevel0<TDeletions>(ref float query, int entry, float entryDistance, int ef, VisitedSet visited, SearchScratch scratch)
        where TDeletions : struct, IDeletionPolicy
    {
        MinCandidateHeap candidates = scratch.Candidates;
        MaxCandidateHeap results = scratch.Results;
        candidates.Clear();
        results.Clear();
        ref int links = ref MemoryMarshal.GetArrayDataReference(_links0);
        ref byte deleted = ref MemoryMarshal.GetArrayDataReference(_deleted);
        int dims = _dims;
        int stride = _stride0;
        // A scratch array, not stackalloc: a method with stackalloc cannot be moved to tier 1 (no OSR),
        // so it would run its whole life on code compiled without profile data.
        ref int pending = ref MemoryMarshal.GetArrayDataReference(scratch.Pending(stride));

        visited.TryVisit(entry);
        candidates.Push(new Candidate(entryDistance, entry));
        float lowerBound = float.PositiveInfinity;
        if (!TDeletions.Enabled || Unsafe.Add(ref deleted, entry) == 0)
        {
            results.Push(new Candidate(entryDistance, entry));
            lowerBound = entryDistance;
        }

        while (candidates.Count > 0)
        {
            Candidate c = candidates.Top;
            if (c.Distance > lowerBound && (results.Count == ef || !TDeletions.Enabled))
            {
                break;
            }

            candidates.Pop();
            ref int list = ref Unsafe.Add(ref links, (nint)c.Node * stride);
            int count = list;

            // Phase 1: keep the unvisited neighbours and ask for their vectors early, so the cache
            // misses of a whole list overlap instead of being paid one after another.
            int fresh = 0;
            for (int i = 1; i <= count; i++)
            {
                int neighbour = Unsafe.Add(ref list, i);
                if (visited.TryVisit(neighbour))
                {
                    Unsafe.Add(ref pending, fresh++) = neighbour;
                    VectorMath.Prefetch(ref VectorRef(neighbour));
                }
            }

            // Phase 2: distances. The rest of the next vector is fetched while this one is computed
            // (the first lines of all of them are already on their way): the hardware prefetcher only
            // catches up with a 1.5 KB vector after a few misses of its own.
            if (fresh > 0)
            {
                VectorMath.PrefetchRest(ref VectorRef(pending), dims);
            }

            for (int i = 0; i < fresh; i++)
            {
                int neighbour = Unsafe.Add(ref pending, i);
                if (i + 1 < fresh)
                {
                    VectorMath.PrefetchRest(ref VectorRef(Unsafe.Add(ref pending, i + 1)), dims);
                }

                float d = 1f - VectorMath.Dot(ref query, ref VectorRef(neighbour), dims);
                if (results.Count < ef || d < lowerBound)
                {
                    candidates.Push(new Candidate(d, neighbour));
                    if (!TDeletions.Enabled || Unsafe.Add(ref deleted, neighbour) == 0)
                    {
                        results.Push(new Candidate(d, neighbour));
                        if (results.Count > ef)
                        {
                            results.Pop();
                        }
                    }

                    if (results.Count > 0)
                    {
                        lowerBound = results.Top.Distance;
                    }
                }
            }
        }
    }

    private interface IDeletionPolicy
    {
        static abstract bool Enabled { get; }
    }

    private readonly struct NoDeletions : IDeletionPolicy
    {
        public static bool Enabled => false;
    }

    private readonly struct WithDeletions : IDeletionPolicy
    {
        public static bool Enabled => true;
    }

    /// <summary>Per-thread heaps of the search path, so a warm search allocates only its result.</summary>
    private sealed class SearchScratch
    {
        private int[] _pending = [];

        public MinCandidateHeap Candidates { get; } = new();

        public MaxCandidateHeap Results { get; } = new();

        /// <summary>Room for one link list's unvisited neighbours.</summary>
        public int[] Pending(int length) => _pending.Length >= length ? _pending : _pending = new int[length];
    }
}
