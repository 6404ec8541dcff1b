using System.Collections.Concurrent;

namespace SemanticRouter.Index;

/// <summary>
/// A set of node ids that never needs clearing: each slot holds the generation in which it was
/// last visited, so a reset is one increment; the array is zeroed only when the counter wraps.
/// </summary>
internal sealed class VisitedSet
{
    private ushort[] _marks;
    private ushort _generation;

    public VisitedSet(int capacity)
    {
        _marks = new ushort[Math.Max(capacity, 1)];
        _generation = 1;
    }

    public int Capacity => _marks.Length;

    /// <summary>Starts a new, empty generation sized for at least <paramref name="capacity"/> nodes.</summary>
    public void Reset(int capacity)
    {
        if (capacity > _marks.Length)
        {
            _marks = new ushort[Math.Max(capacity, _marks.Length * 2)];
            _generation = 1;
            return;
        }

        _generation++;
        if (_generation == 0)
        {
            Array.Clear(_marks);
            _generation = 1;
        }
    }

    /// <summary>Marks <paramref name="node"/>; true when it had not been visited in this generation.</summary>
    public bool TryVisit(int node)
    {
        ref ushort mark = ref _marks[node];
        if (mark == _generation)
        {
            return false;
        }

        mark = _generation;
        return true;
    }
}

/// <summary>A pool of <see cref="VisitedSet"/>s shared by concurrent searches and inserts.</summary>
internal sealed class VisitedSetPool
{
    private readonly ConcurrentBag<VisitedSet> _free = [];

    public VisitedSet Rent(int capacity)
    {
        if (!_free.TryTake(out VisitedSet? set))
        {
            set = new VisitedSet(capacity);
        }

        set.Reset(capacity);
        return set;
    }

    public void Return(VisitedSet set) => _free.Add(set);
}
