namespace SemanticRouter.Index;

/// <summary>
/// Parameters of an <see cref="HnswIndex"/>. See docs/hnsw.md for what each one trades.
/// Setters validate, so an invalid value fails where it is set.
/// </summary>
public sealed class HnswOptions
{
    /// <summary>Largest accepted <see cref="M"/>: level-0 lists hold 2·M ids and 2·M = 256 is far past any useful degree.</summary>
    public const int MaxM = 128;

    /// <summary>Largest accepted ef (construction or search); beyond it a search is a slow exact scan.</summary>
    public const int MaxEf = 1 << 16;

    private int _m = 16;
    private int _efConstruction = 200;
    private int _efSearch = 64;
    private int _scanLimit = 2048;

    /// <summary>Links per node on the upper levels (2·M on level 0). 2..128, default 16.</summary>
    public int M
    {
        get => _m;
        set => _m = value is >= 2 and <= MaxM
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"M must be between 2 and {MaxM}.");
    }

    /// <summary>Breadth of the candidate search while inserting. ≥ 1, default 200.</summary>
    public int EfConstruction
    {
        get => _efConstruction;
        set => _efConstruction = value is >= 1 and <= MaxEf
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"EfConstruction must be between 1 and {MaxEf}.");
    }

    /// <summary>Default search breadth when a search passes ef = 0 (raised to k when smaller). ≥ 1, default 64.</summary>
    public int EfSearch
    {
        get => _efSearch;
        set => _efSearch = value is >= 1 and <= MaxEf
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"EfSearch must be between 1 and {MaxEf}.");
    }

    /// <summary>
    /// Indexes with at most this many nodes are searched by scanning every vector instead of walking
    /// the graph: the answer is exact, and below about four thousand nodes a walk at ef 128 costs more
    /// than the scan (docs/hnsw.md has the figures). Route sets of a few hundred utterances, the
    /// common case, take this path. 0 = always walk the graph. ≥ 0, default 2048.
    /// </summary>
    public int ScanLimit
    {
        get => _scanLimit;
        set => _scanLimit = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "ScanLimit must be 0 or more.");
    }

    /// <summary>Seed of the level generator. With one thread, the same seed and inputs give the same graph.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>A copy, so an index never shares its options with the caller.</summary>
    public HnswOptions Clone() => new() { M = M, EfConstruction = EfConstruction, EfSearch = EfSearch, ScanLimit = ScanLimit, Seed = Seed };
}
