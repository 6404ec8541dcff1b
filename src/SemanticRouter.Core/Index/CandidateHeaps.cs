using System.Runtime.CompilerServices;

namespace SemanticRouter.Index;

/// <summary>A node and its distance (1 − dot) to the current query.</summary>
internal readonly record struct Candidate(float Distance, int Node);

/// <summary>Binary min-heap on distance over a reusable array: the closest candidate on top.</summary>
internal sealed class MinCandidateHeap
{
    private Candidate[] _items = new Candidate[64];
    private int _count;

    public int Count => _count;

    public Candidate Top => _items[0];

    public void Clear() => _count = 0;

    public void Push(Candidate item)
    {
        if (_count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        Candidate[] items = _items;
        int i = _count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (items[parent].Distance <= item.Distance)
            {
                break;
            }

            items[i] = items[parent];
            i = parent;
        }

        items[i] = item;
    }

    public Candidate Pop()
    {
        Candidate[] items = _items;
        Candidate top = items[0];
        int n = --_count;
        if (n > 0)
        {
            SiftDown(items, items[n], n);
        }

        return top;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SiftDown(Candidate[] items, Candidate item, int n)
    {
        int i = 0;
        while (true)
        {
            int child = (2 * i) + 1;
            if (child >= n)
            {
                break;
            }

            if (child + 1 < n && items[child + 1].Distance < items[child].Distance)
            {
                child++;
            }

            if (items[child].Distance >= item.Distance)
            {
                break;
            }

            items[i] = items[child];
            i = child;
        }

        items[i] = item;
    }
}

/// <summary>Binary max-heap on distance: the furthest of the kept results on top.</summary>
internal sealed class MaxCandidateHeap
{
    private Candidate[] _items = new Candidate[64];
    private int _count;

    public int Count => _count;

    public Candidate Top => _items[0];

    public void Clear() => _count = 0;

    public void Push(Candidate item)
    {
        if (_count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        Candidate[] items = _items;
        int i = _count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (items[parent].Distance >= item.Distance)
            {
                break;
            }

            items[i] = items[parent];
            i = parent;
        }

        items[i] = item;
    }

    public Candidate Pop()
    {
        Candidate[] items = _items;
        Candidate top = items[0];
        int n = --_count;
        if (n > 0)
        {
            Candidate item = items[n];
            int i = 0;
            while (true)
            {
                int child = (2 * i) + 1;
                if (child >= n)
                {
                    break;
                }

                if (child + 1 < n && items[child + 1].Distance > items[child].Distance)
                {
                    child++;
                }

                if (items[child].Distance <= item.Distance)
                {
                    break;
                }

                items[i] = items[child];
                i = child;
            }

            items[i] = item;
        }

        return top;
    }

    /// <summary>Empties the heap into <paramref name="destination"/>, closest first; returns the count.</summary>
    public int DrainAscending(Span<Candidate> destination)
    {
        int n = _count;
        for (int i = n - 1; i >= 0; i--)
        {
            destination[i] = Pop();
        }

        return n;
    }
}
