using Microsoft.Extensions.AI;

namespace SemanticRouter.Embeddings;

/// <summary>
/// A bounded least-recently-used cache of text → embedding in front of any generator, so that a
/// repeated query skips the model. Keys are the exact text (ordinal).
/// </summary>
/// <remarks>
/// Calls with options bypass the cache (options may change the model or dimensions). A call with
/// several texts looks each up and sends only the misses to the inner generator, in one call.
/// Thread-safety: all members may be called concurrently; the LRU list is guarded by one lock that
/// is held only for dictionary and list operations, never during generation.
/// </remarks>
public sealed class CachingEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly Dictionary<string, LinkedListNode<(string Key, Embedding<float> Value)>> _map = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, Embedding<float> Value)> _lru = new();
    private readonly Lock _lock = new();
    private readonly Action<bool>? _onLookup;
    private long _hits;
    private long _misses;

    /// <param name="innerGenerator">The generator to cache.</param>
    /// <param name="capacity">Most entries kept (≥ 1).</param>
    /// <param name="onLookup">Called with true for a hit and false for a miss (for metrics).</param>
    public CachingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, int capacity = 4096, Action<bool>? onLookup = null)
        : base(innerGenerator)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _onLookup = onLookup;
    }

    public int Capacity { get; }

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Hits over lookups so far (0 before the first lookup).</summary>
    public double HitRate
    {
        get
        {
            var hits = Hits;
            var total = hits + Misses;
            return total == 0 ? 0 : (double)hits / total;
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _map.Count;
            }
        }
    }

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (options is not null)
        {
            return await base.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
        }

        var texts = values as IReadOnlyList<string> ?? values.ToList();
        var results = new Embedding<float>?[texts.Count];
        List<int>? missing = null;
        for (var i = 0; i < texts.Count; i++)
        {
            if (TryGet(texts[i], out var cached))
            {
                results[i] = cached;
                Interlocked.Increment(ref _hits);
                _onLookup?.Invoke(true);
            }
            else
            {
                (missing ??= []).Add(i);
                Interlocked.Increment(ref _misses);
                _onLookup?.Invoke(false);
            }
        }

        if (missing is not null)
        {
            var generated = await base.GenerateAsync(missing.Select(i => texts[i]).ToList(), null, cancellationToken).ConfigureAwait(false);
            if (generated.Count != missing.Count)
            {
                throw new InvalidOperationException($"The inner generator returned {generated.Count} embeddings for {missing.Count} texts.");
            }

            for (var j = 0; j < missing.Count; j++)
            {
                results[missing[j]] = generated[j];
                Put(texts[missing[j]], generated[j]);
            }
        }

        return new GeneratedEmbeddings<Embedding<float>>(results!);
    }

    /// <summary>Forgets every entry (e.g. after the model changed); the counters are kept.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _map.Clear();
            _lru.Clear();
        }
    }

    private bool TryGet(string key, out Embedding<float>? value)
    {
        lock (_lock)
        {
            if (_map.TryGetValue(key, out var node))
            {
                _lru.Remove(node);
                _lru.AddFirst(node);
                value = node.Value.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    private void Put(string key, Embedding<float> value)
    {
        lock (_lock)
        {
            if (_map.TryGetValue(key, out var existing))
            {
                _lru.Remove(existing);
                _map.Remove(key);
            }

            var node = _lru.AddFirst((key, value));
            _map[key] = node;
            while (_map.Count > Capacity)
            {
                var last = _lru.Last!;
                _lru.RemoveLast();
                _map.Remove(last.Value.Key);
            }
        }
    }
}
