namespace SemanticRouter.Insight;

/// <summary>
/// The last <see cref="Capacity"/> rankings and outcomes, in memory only: what a person watching the router
/// wants to see, bounded so that it costs the same after a billion requests. Not the audit log (the outcome
/// store is); lost at restart. Thread-safe.
/// </summary>
public sealed class RecentActivityLog
{
    /// <summary>Rankings, and outcomes, kept (each).</summary>
    public const int Capacity = 500;

    /// <summary>Longest query text kept per ranking.</summary>
    public const int MaxQueryChars = 200;

    private readonly Ring<RecentDecision> _decisions = new(Capacity);
    private readonly Ring<RecentOutcome> _outcomes = new(Capacity);

    /// <summary>Remembers a ranking (its query cut to <see cref="MaxQueryChars"/>).</summary>
    public void Add(RecentDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        _decisions.Add(decision.Query.Length > MaxQueryChars ? decision with { Query = string.Concat(decision.Query.AsSpan(0, MaxQueryChars), "…") } : decision);
    }

    /// <summary>Remembers an outcome.</summary>
    public void Add(RecentOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        _outcomes.Add(outcome);
    }

    /// <summary>Both, newest first.</summary>
    public RecentActivity Snapshot() => new(_decisions.NewestFirst(), _outcomes.NewestFirst());

    private sealed class Ring<T>(int capacity)
    {
        private readonly T[] _items = new T[capacity];
        private readonly Lock _gate = new();
        private long _count;

        public void Add(T item)
        {
            lock (_gate)
            {
                _items[_count % _items.Length] = item;
                _count++;
            }
        }

        public List<T> NewestFirst()
        {
            lock (_gate)
            {
                int n = (int)Math.Min(_count, _items.Length);
                var list = new List<T>(n);
                for (long i = _count - 1; i >= _count - n; i--)
                {
                    list.Add(_items[i % _items.Length]);
                }

                return list;
            }
        }
    }
}
