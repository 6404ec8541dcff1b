namespace SemanticRouter.Index;

public sealed partial class HnswIndex
{
    /// <summary>Version of the binary layout written by <see cref="WriteTo"/>; bump it on any change.</summary>
    public const int FormatVersion = 1;

    /// <summary>"SRHNSW" then 0x1A 0x0A, so a text-mode transfer or a wrong file type is caught at once.</summary>
    internal static ReadOnlySpan<byte> Magic => "SRHNSW\u001A\n"u8;

    private const string FileKind = "HNSW index";

    /// <summary>
    /// Header after the magic, as int32 unless noted: format version, dimensions, M, efConstruction,
    /// efSearch, seed, node count, live count, entry point, max level, upper-link ints,
    /// level-generator state (uint64), reserved (int32, 0). 64 bytes with the magic.
    /// </summary>
    private const int HeaderInts = 11;

    /// <summary>
    /// Writes the whole index (options, vectors, graph, ids, tombstones) to <paramref name="stream"/>:
    /// little-endian header, bulk arrays, XxHash64 trailer. Must not overlap writes to the index.
    /// </summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        IndexFormat.EnsureLittleEndian();
        var writer = new IndexFormat.Writer(stream);
        writer.Write(Magic);
        ReadOnlySpan<int> header =
        [
            FormatVersion, _dims, _m, _options.EfConstruction, _options.EfSearch, _options.Seed,
            _nodeCount, _liveCount, _entryPoint, _maxLevel, _upperUsed,
        ];
        writer.Write(header);
        writer.Write([_rngState]);
        writer.Write([0]);
        int n = _nodeCount;
        writer.Write<int>(_labels.AsSpan(0, n));
        writer.Write<int>(_levels.AsSpan(0, n));
        writer.Write<byte>(_deleted.AsSpan(0, n));
        writer.Write<float>(_vectors.AsSpan(0, n * _dims));
        writer.Write<int>(_links0.AsSpan(0, n * _stride0));
        writer.Write<int>(_upperLinks.AsSpan(0, _upperUsed));
        writer.WriteTrailer();
    }

    /// <summary>
    /// Reads an index written by <see cref="WriteTo"/>. The checksum and the whole structure (counts,
    /// levels, every neighbour id) are verified; anything wrong throws <see cref="InvalidDataException"/>
    /// saying what.
    /// </summary>
    public static HnswIndex ReadFrom(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        IndexFormat.EnsureLittleEndian();
        var reader = new IndexFormat.Reader(stream, FileKind);
        Span<byte> magic = stackalloc byte[8];
        reader.Read(magic);
        if (!magic.SequenceEqual(Magic))
        {
            IndexErrors.Corrupt(FileKind, "not an HNSW index file (bad magic).");
        }

        Span<int> h = stackalloc int[HeaderInts];
        reader.Read(h);
        Span<ulong> rng = stackalloc ulong[1];
        reader.Read(rng);
        Span<int> reserved = stackalloc int[1];
        reader.Read(reserved);

        int version = h[0], dims = h[1], m = h[2], efC = h[3], efS = h[4], seed = h[5];
        int nodes = h[6], live = h[7], entry = h[8], maxLevel = h[9], upperInts = h[10];
        if (version != FormatVersion)
        {
            IndexErrors.Corrupt(FileKind, $"format version {version} is not supported (expected {FormatVersion}).");
        }

        Check(dims is > 0 and <= (1 << 16), $"dimensions {dims} out of range");
        Check(m is >= 2 and <= HnswOptions.MaxM, $"M {m} out of range");
        Check(efC is >= 1 and <= HnswOptions.MaxEf, $"efConstruction {efC} out of range");
        Check(efS is >= 1 and <= HnswOptions.MaxEf, $"efSearch {efS} out of range");
        Check(reserved[0] == 0, "reserved header field is not zero");
        int stride0 = 1 + (2 * m);
        Check(nodes >= 0 && (long)nodes * Math.Max(dims, stride0) <= Array.MaxLength, $"node count {nodes} out of range");
        Check(live >= 0 && live <= nodes, $"live count {live} out of range (node count {nodes})");
        Check(nodes == 0 ? entry == -1 && maxLevel == -1 : entry >= 0 && entry < nodes, $"entry point {entry} out of range (node count {nodes})");
        Check(maxLevel is >= -1 and <= MaxLevelCap, $"max level {maxLevel} out of range");
        Check(upperInts >= 0, $"upper-link size {upperInts} out of range");
        long payload = (nodes * 4L * 2) + nodes + (nodes * 4L * dims) + (nodes * 4L * stride0) + (upperInts * 4L);
        reader.CheckRemaining(payload + sizeof(ulong));

        var options = new HnswOptions { M = m, EfConstruction = efC, EfSearch = efS, Seed = seed };
        // Uninitialised arrays: every element is overwritten by the read below, so zeroing is waste.
        var index = new HnswIndex(dims, options, 0)
        {
            _vectors = GC.AllocateUninitializedArray<float>(nodes * dims),
            _links0 = GC.AllocateUninitializedArray<int>(nodes * stride0),
            _upperOffsets = GC.AllocateUninitializedArray<int>(nodes),
            _levels = GC.AllocateUninitializedArray<int>(nodes),
            _labels = GC.AllocateUninitializedArray<int>(nodes),
            _deleted = GC.AllocateUninitializedArray<byte>(nodes),
            _nodeById = new Dictionary<int, int>(live),
        };
        // The two large arrays are filled from the file now: huge pages make that a few hundred page
        // faults instead of tens of thousands (the bulk of a 100k-utterance index's load time).
        HugePages.Advise(index._vectors);
        HugePages.Advise(index._links0);
        reader.Read<int>(index._labels);
        reader.Read<int>(index._levels);
        reader.Read<byte>(index._deleted);
        reader.Read<float>(index._vectors);
        reader.Read<int>(index._links0);
        index._upperLinks = new int[upperInts];
        reader.Read<int>(index._upperLinks);
        reader.VerifyTrailer();

        index._nodeCount = nodes;
        index._liveCount = live;
        index._entryPoint = entry;
        index._maxLevel = maxLevel;
        index._upperUsed = upperInts;
        index._rngState = rng[0];
        index.ValidateStructure();
        return index;
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            IndexErrors.Corrupt(FileKind, message + ".");
        }
    }

    /// <summary>Checks every count and neighbour id, rebuilds the upper-level offsets and the id map; no per-node allocation.</summary>
    private void ValidateStructure()
    {
        int nodes = _nodeCount;
        int upper = 0;
        int live = 0;
        for (int node = 0; node < nodes; node++)
        {
            int level = _levels[node];
            Check(level >= 0 && level <= _maxLevel, $"node {node} has level {level} (max level {_maxLevel})");
            if (level > 0)
            {
                _upperOffsets[node] = upper;
                upper += level * _upperStride;
                Check(upper <= _upperUsed, $"node {node}: upper levels exceed the {_upperUsed} stored link ints");
            }
            else
            {
                _upperOffsets[node] = -1;
            }

            byte deleted = _deleted[node];
            Check(deleted <= 1, $"node {node} has deletion flag {deleted}");
            int label = _labels[node];
            Check(label >= 0, $"node {node} has negative id {label}");
            if (deleted == 0)
            {
                live++;
                Check(_nodeById.TryAdd(label, node), $"id {label} is stored twice (nodes {(_nodeById.TryGetValue(label, out int other) ? other : -1)} and {node})");
            }

            CheckList(node, 0, _links0.AsSpan(node * _stride0, _stride0), _maxM0);
            for (int l = 1; l <= level; l++)
            {
                CheckList(node, l, Links(node, l), _m);
            }
        }

        Check(upper == _upperUsed, $"upper levels need {upper} link ints but {_upperUsed} are stored");
        Check(live == _liveCount, $"{live} live nodes found but the header says {_liveCount}");
        Check(nodes == 0 || _levels[_entryPoint] == _maxLevel, $"entry point {_entryPoint} is on level {(nodes == 0 ? -1 : _levels[_entryPoint])}, not the top level {_maxLevel}");
    }

    private void CheckList(int node, int level, ReadOnlySpan<int> list, int max)
    {
        int count = list[0];
        Check(count >= 0 && count <= max, $"node {node} level {level} has {count} links (at most {max})");
        ReadOnlySpan<int> ids = list.Slice(1, count);
        for (int i = 0; i < ids.Length; i++)
        {
            int neighbour = ids[i];
            if ((uint)neighbour >= (uint)_nodeCount || neighbour == node || (level > 0 && _levels[neighbour] < level))
            {
                Check(false, $"node {node} level {level} link {i} points to {neighbour} (node count {_nodeCount}, level {((uint)neighbour < (uint)_nodeCount ? _levels[neighbour] : -1)})");
            }
        }
    }
}
