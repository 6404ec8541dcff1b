using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SemanticRouter.Index;

/// <summary>
/// Hierarchical navigable small-world graph (Malkov &amp; Yashunin) over L2-normalised float32
/// vectors, compared by cosine similarity. Written here after hnswlib's layout: level 0 is one
/// flat int array with a fixed stride per node (count, then up to 2·M neighbour ids), the vectors
/// are one flat float array, and the upper levels are one separate flat array addressed through
/// per-node offsets.
/// </summary>
/// <remarks>
/// <para>Thread-safety: concurrent <see cref="Search(ReadOnlySpan{float}, int, int)"/> calls are safe
/// while nothing is written. <see cref="AddRange"/> inserts on several threads itself (per-node
/// link locks, as in hnswlib) but, like <see cref="Add"/> and <see cref="Remove"/>, must not
/// overlap searches or other writes.</para>
/// <para>Removal marks the node deleted: it stays in the graph (searches still walk through it, so
/// the graph stays connected) but never appears in results. Tombstones cost memory until
/// <see cref="Compact"/> rebuilds the index from the live vectors.</para>
/// </remarks>
public sealed partial class HnswIndex : IVectorIndex
{
    /// <summary>Highest level a node can get; with M ≥ 2 a level past 30 has odds below 2⁻³⁰.</summary>
    internal const int MaxLevelCap = 30;

    /// <summary>Link-lock stripes: enough that two threads rarely share one, few enough to stay small.</summary>
    private const int LockStripes = 4096;

    private readonly HnswOptions _options;
    private readonly int _dims;
    private readonly int _m;
    private readonly int _maxM0;
    private readonly int _stride0;
    private readonly int _upperStride;
    private readonly double _levelMultiplier;
    private readonly Lock[] _linkLocks;
    private readonly Lock _globalLock = new();
    private readonly VisitedSetPool _visitedPool = new();

    private float[] _vectors;
    private int[] _links0;
    private int[] _upperOffsets;
    private int[] _upperLinks;
    private int _upperUsed;
    private int[] _levels;
    private int[] _labels;
    private byte[] _deleted;
    private Dictionary<int, int> _nodeById;
    private int _nodeCount;
    private int _liveCount;
    private int _entryPoint = -1;
    private int _maxLevel = -1;
    private ulong _rngState;
    private volatile bool _concurrentInsert;

    /// <summary>An empty index for vectors of <paramref name="dimensions"/> floats.</summary>
    public HnswIndex(int dimensions, HnswOptions? options = null, int initialCapacity = 0)
    {
        if (dimensions <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, "Dimensions must be positive.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        _options = options?.Clone() ?? new HnswOptions();
        _dims = dimensions;
        _m = _options.M;
        _maxM0 = 2 * _m;
        _stride0 = 1 + _maxM0;
        _upperStride = 1 + _m;
        _levelMultiplier = 1.0 / Math.Log(_m);
        _rngState = unchecked((ulong)_options.Seed * 0x9E3779B97F4A7C15UL) ^ 0xD1B54A32D192ED03UL;
        _linkLocks = new Lock[LockStripes];
        for (int i = 0; i < _linkLocks.Length; i++)
        {
            _linkLocks[i] = new Lock();
        }

        _vectors = new float[(long)initialCapacity * dimensions];
        _links0 = new int[(long)initialCapacity * _stride0];
        _upperOffsets = new int[initialCapacity];
        _upperLinks = [];
        _levels = new int[initialCapacity];
        _labels = new int[initialCapacity];
        _deleted = new byte[initialCapacity];
        _nodeById = new Dictionary<int, int>(initialCapacity);
    }

    /// <inheritdoc/>
    public int Dimensions => _dims;

    /// <summary>
    /// Search-time copy of <see cref="HnswOptions.ScanLimit"/> (like hnswlib's <c>set_ef</c>, not
    /// part of the file: a loaded index starts with the default). Set it only while no search runs.
    /// </summary>
    public int ScanLimit
    {
        get => _options.ScanLimit;
        set => _options.ScanLimit = value;
    }

    /// <inheritdoc/>
    public int Count => _liveCount;

    /// <summary>Removed nodes still held in the graph (see <see cref="Compact"/>).</summary>
    public int DeletedCount => _nodeCount - _liveCount;

    /// <summary>The parameters the index was built with (a copy).</summary>
    public HnswOptions Options => _options.Clone();

    /// <summary>Ids of the live vectors, in insertion order.</summary>
    public IEnumerable<int> Ids
    {
        get
        {
            for (int node = 0; node < _nodeCount; node++)
            {
                if (_deleted[node] == 0)
                {
                    yield return _labels[node];
                }
            }
        }
    }

    /// <summary>Highest level of the graph (−1 when empty).</summary>
    internal int MaxLevel => _maxLevel;

    /// <summary>Nodes in the graph, removed ones included.</summary>
    internal int NodeCount => _nodeCount;

    /// <summary>Bytes held by the index's arrays (capacity, not just the used part), plus the id map.</summary>
    internal long MemoryBytes =>
        ((long)_vectors.Length * sizeof(float))
        + ((long)_links0.Length * sizeof(int))
        + ((long)_upperLinks.Length * sizeof(int))
        + ((long)_upperOffsets.Length * sizeof(int))
        + ((long)_levels.Length * sizeof(int))
        + ((long)_labels.Length * sizeof(int))
        + _deleted.Length
        + (_nodeById.Count * 24L);

    /// <summary>Raw vectors plus the links actually used (level 0 at full stride, upper levels): hnswlib's own footprint minus its labels.</summary>
    internal long RawVectorsPlusGraphBytes =>
        ((long)_nodeCount * _dims * sizeof(float)) + ((long)_nodeCount * _stride0 * sizeof(int)) + ((long)_upperUsed * sizeof(int));

    /// <inheritdoc/>
    public bool Contains(int id) => _nodeById.ContainsKey(id);

    /// <inheritdoc/>
    public ReadOnlySpan<float> GetVector(int id) =>
        _nodeById.TryGetValue(id, out int node)
            ? _vectors.AsSpan(node * _dims, _dims)
            : throw new KeyNotFoundException($"Id {id} is not in the index.");

    /// <inheritdoc/>
    public void Add(int id, ReadOnlySpan<float> vector)
    {
        if (id < 0)
        {
            IndexErrors.NegativeId(id, nameof(id));
        }

        if (_nodeById.ContainsKey(id))
        {
            IndexErrors.DuplicateId(id, nameof(id));
        }

        IndexErrors.CheckVector(vector, _dims, nameof(vector));
        EnsureCapacity(_nodeCount + 1);
        int node = AppendNode(id, vector);
        InsertNode(node);
    }

    /// <summary>
    /// Adds <paramref name="ids"/>.Length vectors stored row-major in <paramref name="vectors"/>
    /// (n × <see cref="Dimensions"/>), inserting on up to <paramref name="maxDegreeOfParallelism"/>
    /// threads (−1: all cores). Everything is validated before anything is added. With one
    /// thread the graph depends only on the seed and the input order.
    /// </summary>
    /// <param name="ids">Caller ids, non-negative and unique (also against the live ids in the index).</param>
    /// <param name="vectors">Unit vectors, row-major, <paramref name="ids"/>.Length × <see cref="Dimensions"/>.</param>
    /// <param name="maxDegreeOfParallelism">Insert threads; −1 uses every core.</param>
    /// <param name="progress">Receives the number of vectors inserted so far, now and then.</param>
    public void AddRange(ReadOnlySpan<int> ids, ReadOnlySpan<float> vectors, int maxDegreeOfParallelism = -1, IProgress<int>? progress = null)
    {
        int n = ids.Length;
        if ((long)n * _dims != vectors.Length)
        {
            IndexErrors.Throw($"Expected {n} × {_dims} = {(long)n * _dims} floats for {n} ids; got {vectors.Length}.", nameof(vectors));
        }

        if (maxDegreeOfParallelism == 0 || maxDegreeOfParallelism < -1)
        {
            IndexErrors.Throw($"maxDegreeOfParallelism must be -1 or positive; got {maxDegreeOfParallelism}.", nameof(maxDegreeOfParallelism));
        }

        var batch = new HashSet<int>(n);
        for (int i = 0; i < n; i++)
        {
            int id = ids[i];
            if (id < 0)
            {
                IndexErrors.NegativeId(id, nameof(ids));
            }

            if (_nodeById.ContainsKey(id) || !batch.Add(id))
            {
                IndexErrors.DuplicateId(id, nameof(ids));
            }

            IndexErrors.CheckVector(vectors.Slice(i * _dims, _dims), _dims, nameof(vectors));
        }

        if (n == 0)
        {
            return;
        }

        EnsureCapacity(_nodeCount + n);
        int first = _nodeCount;
        for (int i = 0; i < n; i++)
        {
            AppendNode(ids[i], vectors.Slice(i * _dims, _dims));
        }

        InsertNodes(first, n, maxDegreeOfParallelism, progress);
    }

    /// <inheritdoc/>
    public bool Remove(int id)
    {
        if (!_nodeById.Remove(id, out int node))
        {
            return false;
        }

        _deleted[node] = 1;
        _liveCount--;
        return true;
    }

    /// <summary>A new index holding only the live vectors (same ids and options), without tombstones.</summary>
    public HnswIndex Compact(int maxDegreeOfParallelism = -1)
    {
        var ids = new int[_liveCount];
        var vectors = new float[(long)_liveCount * _dims];
        int j = 0;
        for (int node = 0; node < _nodeCount; node++)
        {
            if (_deleted[node] == 0)
            {
                ids[j] = _labels[node];
                _vectors.AsSpan(node * _dims, _dims).CopyTo(vectors.AsSpan(j * _dims, _dims));
                j++;
            }
        }

        var compacted = new HnswIndex(_dims, _options, _liveCount);
        compacted.AddRange(ids, vectors, maxDegreeOfParallelism);
        return compacted;
    }

    private int AppendNode(int id, ReadOnlySpan<float> vector)
    {
        int node = _nodeCount;
        vector.CopyTo(_vectors.AsSpan(node * _dims, _dims));
        int level = DrawLevel();
        _levels[node] = level;
        _labels[node] = id;
        _deleted[node] = 0;
        _links0[node * _stride0] = 0;
        if (level > 0)
        {
            int needed = level * _upperStride;
            if (_upperUsed + needed > _upperLinks.Length)
            {
                Array.Resize(ref _upperLinks, Math.Max(_upperUsed + needed, Math.Max(64, _upperLinks.Length * 2)));
            }

            _upperOffsets[node] = _upperUsed;
            _upperLinks.AsSpan(_upperUsed, needed).Clear();
            _upperUsed += needed;
        }
        else
        {
            _upperOffsets[node] = -1;
        }

        _nodeById.Add(id, node);
        _nodeCount++;
        _liveCount++;
        return node;
    }

    /// <summary>Level of a new node: ⌊−ln(U)·mL⌋ with mL = 1/ln M, from a SplitMix64 stream seeded by the options.</summary>
    private int DrawLevel()
    {
        ulong z = _rngState += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        double uniform = ((z >> 11) + 1) * (1.0 / (1UL << 53)); // (0, 1]
        double level = -Math.Log(uniform) * _levelMultiplier;
        return (int)Math.Min(level, MaxLevelCap);
    }

    private void EnsureCapacity(int nodes)
    {
        int capacity = _levels.Length;
        if (nodes <= capacity)
        {
            return;
        }

        int grown = (int)Math.Min(Array.MaxLength / Math.Max(_stride0, _dims), Math.Max(nodes, capacity + (capacity / 2) + 16));
        if (grown < nodes)
        {
            throw new InvalidOperationException($"The index cannot hold {nodes} vectors of {_dims} dimensions.");
        }

        Array.Resize(ref _vectors, grown * _dims);
        Array.Resize(ref _links0, grown * _stride0);
        Array.Resize(ref _upperOffsets, grown);
        Array.Resize(ref _levels, grown);
        Array.Resize(ref _labels, grown);
        Array.Resize(ref _deleted, grown);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref float VectorRef(int node) =>
        ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_vectors), (nint)node * _dims);

    /// <summary>The link list of <paramref name="node"/> on <paramref name="level"/>: count first, then ids.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<int> Links(int node, int level) =>
        level == 0
            ? _links0.AsSpan(node * _stride0, _stride0)
            : _upperLinks.AsSpan(_upperOffsets[node] + ((level - 1) * _upperStride), _upperStride);

    private Lock LinkLock(int node) => _linkLocks[node & (LockStripes - 1)];
}
