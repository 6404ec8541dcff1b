using System.Security.Cryptography;

namespace SemanticRouter.Outcomes;

/// <summary>
/// Remembers, per request id, what an outcome about that ranking should credit, for a bounded time
/// (<see cref="Ttl"/>, default 1 h) and in bounded memory (<see cref="Capacity"/> entries, default
/// 100 000; the oldest entry goes first). An entry costs about 100 bytes plus 24 per neighbour, plus the query text (kept for the text outcome model).
/// Thread-safe.
/// </summary>
public sealed class RequestLog
{
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromHours(1);
    public const int DefaultCapacity = 100_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _byId = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _byAge = new(); // oldest first; a constant TTL keeps it in expiry order
    private readonly TimeProvider _time;

    public RequestLog(TimeSpan? ttl = null, int capacity = DefaultCapacity, TimeProvider? time = null)
    {
        Ttl = ttl ?? DefaultTtl;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Ttl, TimeSpan.Zero, nameof(ttl));
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _time = time ?? TimeProvider.System;
    }

    public TimeSpan Ttl { get; }

    public int Capacity { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byId.Count;
            }
        }
    }

    /// <summary>A fresh request id: 128 random bits as 32 lowercase hex digits.</summary>
    public static string NewRequestId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Remembers <paramref name="credits"/> under a new request id, which it returns.</summary>
    public string Remember(OutcomeCredits credits)
    {
        var id = NewRequestId();
        Remember(id, credits);
        return id;
    }

    /// <summary>Remembers <paramref name="credits"/> under a caller-chosen id (replacing an entry with that id).</summary>
    public void Remember(string requestId, OutcomeCredits credits)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(requestId);
        ArgumentNullException.ThrowIfNull(credits);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            Purge(now);
            if (_byId.Remove(requestId, out var existing))
            {
                _byAge.Remove(existing);
            }

            while (_byId.Count >= Capacity)
            {
                var oldest = _byAge.First!;
                _byAge.RemoveFirst();
                _byId.Remove(oldest.Value.Id);
            }

            _byId[requestId] = _byAge.AddLast(new Entry(requestId, credits, now + Ttl));
        }
    }

    /// <summary>The credits remembered for <paramref name="requestId"/>; false when unknown, expired or evicted.</summary>
    public bool TryGet(string requestId, out OutcomeCredits credits)
    {
        credits = OutcomeCredits.None;
        if (string.IsNullOrEmpty(requestId))
        {
            return false;
        }

        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (!_byId.TryGetValue(requestId, out var node))
            {
                return false;
            }

            if (node.Value.Expires <= now)
            {
                _byId.Remove(requestId);
                _byAge.Remove(node);
                return false;
            }

            credits = node.Value.Credits;
            return true;
        }
    }

    private void Purge(DateTimeOffset now)
    {
        while (_byAge.First is { } first && first.Value.Expires <= now)
        {
            _byAge.RemoveFirst();
            _byId.Remove(first.Value.Id);
        }
    }

    private sealed record Entry(string Id, OutcomeCredits Credits, DateTimeOffset Expires);
}
