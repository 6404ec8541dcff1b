using System.Runtime.CompilerServices;

namespace SemanticRouter.Index;

public sealed partial class HnswIndex
{
    /// <summary>Progress is reported after every this many inserts (and at the end).</summary>
    private const int ProgressInterval = 1024;

    /// <summary>Below this many new nodes a parallel insert is not worth the threads.</summary>
    private const int MinParallelBatch = 256;

    private static readonly Comparison<Candidate> ByDistance = static (a, b) =>
    {
        int c = a.Distance.CompareTo(b.Distance);
        return c != 0 ? c : a.Node.CompareTo(b.Node);
    };

    [ThreadStatic]
    private static InsertScratch? t_insertScratch;

    private void InsertNodes(int first, int count, int maxDegreeOfParallelism, IProgress<int>? progress)
    {
        int threads = maxDegreeOfParallelism == -1 ? Environment.ProcessorCount : maxDegreeOfParallelism;
        int done = 0;
        int start = 0;
        if (threads <= 1 || count < MinParallelBatch)
        {
            for (int i = 0; i < count; i++)
            {
                InsertNode(first + i);
                if (++done % ProgressInterval == 0)
                {
                    progress?.Report(done);
                }
            }

            progress?.Report(count);
            return;
        }

        if (_entryPoint < 0)
        {
            InsertNode(first); // the first node has nothing to link to and becomes the entry point
            start = done = 1;
        }

        _concurrentInsert = true;
        try
        {
            Parallel.For(
                start,
                count,
                new ParallelOptions { MaxDegreeOfParallelism = threads },
                i =>
                {
                    InsertNode(first + i);
                    int d = Interlocked.Increment(ref done);
                    if (d % ProgressInterval == 0)
                    {
                        progress?.Report(d);
                    }
                });
        }
        finally
        {
            _concurrentInsert = false;
        }

        progress?.Report(count);
    }

    /// <summary>
    /// Links <paramref name="node"/> (already appended: vector, level, empty lists) into the graph.
    /// When inserts run concurrently, link lists are read and written under their node's lock
    /// and no thread ever holds two link locks; the global lock is held for the whole insert only
    /// by a node that raises the top level, as in hnswlib.
    /// </summary>
    [SkipLocalsInit]
    private void InsertNode(int node)
    {
        bool concurrent = _concurrentInsert;
        int level = _levels[node];
        bool holdingGlobal = false;
        if (concurrent)
        {
            _globalLock.Enter();
            holdingGlobal = true;
        }

        try
        {
            int entry = _entryPoint;
            int maxLevel = _maxLevel;
            if (holdingGlobal && level <= maxLevel)
            {
                _globalLock.Exit();
                holdingGlobal = false;
            }

            if (entry < 0)
            {
                _entryPoint = node;
                _maxLevel = level;
                return;
            }

            InsertScratch scratch = t_insertScratch ??= new InsertScratch();
            ref float query = ref VectorRef(node);
            int current = entry;
            float currentDistance = 1f - VectorMath.Dot(ref query, ref VectorRef(current), _dims);
            Span<int> linkCopy = stackalloc int[_stride0];
            for (int l = maxLevel; l > level; l--)
            {
                current = GreedyClosest(ref query, current, ref currentDistance, l, concurrent, linkCopy);
            }

            for (int l = Math.Min(level, maxLevel); l >= 0; l--)
            {
                Span<Candidate> found = SearchLayerForInsert(ref query, current, currentDistance, l, concurrent, scratch, linkCopy);
                int kept = NeighborSelector.Select(found, _m, _vectors, _dims);
                Span<Candidate> selected = found[..kept];
                SetLinks(node, l, selected, concurrent, scratch);
                foreach (Candidate neighbour in selected)
                {
                    Connect(neighbour.Node, node, neighbour.Distance, l, concurrent, scratch);
                }

                current = selected[0].Node;
                currentDistance = selected[0].Distance;
            }

            if (level > maxLevel)
            {
                _entryPoint = node;
                _maxLevel = level;
            }
        }
        finally
        {
            if (holdingGlobal)
            {
                _globalLock.Exit();
            }
        }
    }

    /// <summary>Copies the link list of <paramref name="node"/> on <paramref name="level"/> into <paramref name="destination"/>; returns the count.</summary>
    private int CopyLinks(int node, int level, bool concurrent, Span<int> destination)
    {
        Span<int> list = Links(node, level);
        if (!concurrent)
        {
            int n = list[0];
            list.Slice(1, n).CopyTo(destination);
            return n;
        }

        lock (LinkLock(node))
        {
            int n = list[0];
            list.Slice(1, n).CopyTo(destination);
            return n;
        }
    }

    private int GreedyClosest(ref float query, int current, ref float currentDistance, int level, bool concurrent, Span<int> linkCopy)
    {
        bool changed = true;
        while (changed)
        {
            changed = false;
            int n = CopyLinks(current, level, concurrent, linkCopy);
            for (int i = 0; i < n; i++)
            {
                VectorMath.Prefetch(ref VectorRef(linkCopy[i]));
            }

            if (n > 0)
            {
                VectorMath.PrefetchRest(ref VectorRef(linkCopy[0]), _dims);
            }

            for (int i = 0; i < n; i++)
            {
                int candidate = linkCopy[i];
                if (i + 1 < n)
                {
                    VectorMath.PrefetchRest(ref VectorRef(linkCopy[i + 1]), _dims);
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

        return current;
    }

    /// <summary>The efConstruction closest nodes found on <paramref name="level"/>, closest first (removed nodes included).</summary>
    private Span<Candidate> SearchLayerForInsert(ref float query, int entry, float entryDistance, int level, bool concurrent, InsertScratch scratch, Span<int> linkCopy)
    {
        int ef = _options.EfConstruction;
        VisitedSet visited = scratch.Visited;
        visited.Reset(_nodeCount);
        MinCandidateHeap candidates = scratch.Candidates;
        MaxCandidateHeap results = scratch.Results;
        candidates.Clear();
        results.Clear();

        visited.TryVisit(entry);
        candidates.Push(new Candidate(entryDistance, entry));
        results.Push(new Candidate(entryDistance, entry));
        float lowerBound = entryDistance;
        while (candidates.Count > 0)
        {
            Candidate c = candidates.Pop();
            if (c.Distance > lowerBound && results.Count >= ef)
            {
                break;
            }

            int n = CopyLinks(c.Node, level, concurrent, linkCopy);
            int fresh = 0;
            for (int i = 0; i < n; i++)
            {
                int neighbour = linkCopy[i];
                if (visited.TryVisit(neighbour))
                {
                    linkCopy[fresh++] = neighbour;
                    VectorMath.Prefetch(ref VectorRef(neighbour));
                }
            }

            // As in search: the rest of the next vector is fetched while this one is computed.
            if (fresh > 0)
            {
                VectorMath.PrefetchRest(ref VectorRef(linkCopy[0]), _dims);
            }

            for (int i = 0; i < fresh; i++)
            {
                int neighbour = linkCopy[i];
                if (i + 1 < fresh)
                {
                    VectorMath.PrefetchRest(ref VectorRef(linkCopy[i + 1]), _dims);
                }

                float d = 1f - VectorMath.Dot(ref query, ref VectorRef(neighbour), _dims);
                if (results.Count < ef || d < lowerBound)
                {
                    candidates.Push(new Candidate(d, neighbour));
                    results.Push(new Candidate(d, neighbour));
                    if (results.Count > ef)
                    {
                        results.Pop();
                    }

                    lowerBound = results.Top.Distance;
                }
            }
        }

        Span<Candidate> found = scratch.Found(results.Count);
        results.DrainAscending(found);
        return found;
    }

    private void SetLinks(int node, int level, ReadOnlySpan<Candidate> selected, bool concurrent, InsertScratch scratch)
    {
        if (!concurrent)
        {
            WriteLinks(Links(node, level), selected);
            return;
        }

        lock (LinkLock(node))
        {
            Span<int> list = Links(node, level);
            int existing = list[0];
            if (existing == 0)
            {
                WriteLinks(list, selected);
                return;
            }

            // While this node searched, concurrent inserts that found it (through its links on a
            // higher level) linked back to it here. Overwriting the list would drop those back links
            // and leave their nodes reachable only one way; keep them, pruning with the heuristic
            // when the union is over capacity.
            int max = level == 0 ? _maxM0 : _m;
            Span<Candidate> union = scratch.Prune(existing + selected.Length);
            int count = 0;
            ref float nodeVector = ref VectorRef(node);
            for (int i = 0; i < existing; i++)
            {
                int other = list[1 + i];
                union[count++] = new Candidate(1f - VectorMath.Dot(ref nodeVector, ref VectorRef(other), _dims), other);
            }

            foreach (Candidate c in selected)
            {
                if (!list.Slice(1, existing).Contains(c.Node))
                {
                    union[count++] = c;
                }
            }

            Span<Candidate> all = union[..count];
            all.Sort(ByDistance);
            int kept = count <= max ? count : NeighborSelector.Select(all, max, _vectors, _dims);
            WriteLinks(list, all[..kept]);
        }
    }

    private static void WriteLinks(Span<int> list, ReadOnlySpan<Candidate> selected)
    {
        for (int i = 0; i < selected.Length; i++)
        {
            list[1 + i] = selected[i].Node;
        }

        Volatile.Write(ref list[0], selected.Length);
    }

    /// <summary>Adds a back link <paramref name="target"/> → <paramref name="added"/>, shrinking the list with the heuristic when full.</summary>
    [SkipLocalsInit]
    private void Connect(int target, int added, float distance, int level, bool concurrent, InsertScratch scratch)
    {
        if (concurrent)
        {
            lock (LinkLock(target))
            {
                ConnectCore(target, added, distance, level, scratch);
            }
        }
        else
        {
            ConnectCore(target, added, distance, level, scratch);
        }
    }

    private void ConnectCore(int target, int added, float distance, int level, InsertScratch scratch)
    {
        Span<int> list = Links(target, level);
        int max = level == 0 ? _maxM0 : _m;
        int n = list[0];
        for (int i = 1; i <= n; i++)
        {
            if (list[i] == added)
            {
                return;
            }
        }

        if (n < max)
        {
            list[1 + n] = added;
            Volatile.Write(ref list[0], n + 1);
            return;
        }

        Span<Candidate> candidates = scratch.Prune(n + 1);
        ref float targetVector = ref VectorRef(target);
        PrefetchList(list.Slice(1, n));
        for (int i = 0; i < n; i++)
        {
            int other = list[1 + i];
            if (i + 1 < n)
            {
                VectorMath.PrefetchRest(ref VectorRef(list[2 + i]), _dims);
            }

            candidates[i] = new Candidate(1f - VectorMath.Dot(ref targetVector, ref VectorRef(other), _dims), other);
        }

        candidates[n] = new Candidate(distance, added);
        candidates.Sort(ByDistance);
        int kept = NeighborSelector.Select(candidates, max, _vectors, _dims);
        WriteLinks(list, candidates[..kept]);
    }

    /// <summary>Asks for the first lines of every vector of a link list, and the whole of the first one, before they are compared.</summary>
    private void PrefetchList(ReadOnlySpan<int> nodes)
    {
        foreach (int node in nodes)
        {
            VectorMath.Prefetch(ref VectorRef(node));
        }

        if (nodes.Length > 0)
        {
            VectorMath.PrefetchRest(ref VectorRef(nodes[0]), _dims);
        }
    }

    /// <summary>Per-thread buffers of the insert path, so inserting allocates nothing once warm.</summary>
    private sealed class InsertScratch
    {
        private Candidate[] _found = new Candidate[256];
        private Candidate[] _prune = new Candidate[256];

        public VisitedSet Visited { get; } = new(1024);

        public MinCandidateHeap Candidates { get; } = new();

        public MaxCandidateHeap Results { get; } = new();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Span<Candidate> Found(int count)
        {
            if (_found.Length < count)
            {
                _found = new Candidate[Math.Max(count, _found.Length * 2)];
            }

            return _found.AsSpan(0, count);
        }

        /// <summary>Buffer for shrinking a full list; separate from <see cref="Found"/>, which is still being walked.</summary>
        public Span<Candidate> Prune(int count)
        {
            if (_prune.Length < count)
            {
                _prune = new Candidate[Math.Max(count, _prune.Length * 2)];
            }

            return _prune.AsSpan(0, count);
        }
    }
}
