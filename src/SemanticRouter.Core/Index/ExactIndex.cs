using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace SemanticRouter.Index;

/// <summary>
/// Brute-force twin of <see cref="HnswIndex"/>: compares the query with every stored vector. The
/// reference for recall in tests and benchmarks, and the engine behind <c>--exact</c>.
/// </summary>
/// <remarks>Thread-safety as <see cref="IVectorIndex"/>: concurrent searches are safe while nothing is written.</remarks>
public sealed class ExactIndex : IVectorIndex
{
    /// <summary>Version of the binary layout written by <see cref="WriteTo"/>.</summary>
    public const int FormatVersion = 1;

    private const string FileKind = "exact index";

    private readonly int _dims;
    private readonly Dictionary<int, int> _slotById;
    private float[] _vectors;
    private int[] _ids;
    private int _count;

    /// <summary>An empty index for vectors of <paramref name="dimensions"/> floats.</summary>
    public ExactIndex(int dimensions, int initialCapacity = 0)
    {
        if (dimensions <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, "Dimensions must be positive.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        _dims = dimensions;
        _vectors = new float[(long)initialCapacity * dimensions];
        _ids = new int[initialCapacity];
        _slotById = new Dictionary<int, int>(initialCapacity);
    }

    /// <summary>
    /// An index over rows of a row-major matrix (n × <paramref name="dimensions"/> unit vectors), each under
    /// its row number as id: all rows, or only <paramref name="rows"/> (a cross-validation fold's training rows).
    /// </summary>
    public static ExactIndex FromRows(float[] matrix, int dimensions, IReadOnlyList<int>? rows = null)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        int[] ids = rows is null ? [.. Enumerable.Range(0, matrix.Length / dimensions)] : [.. rows];
        var index = new ExactIndex(dimensions, ids.Length);
        if (rows is null)
        {
            index.AddRange(ids, matrix.AsSpan(0, ids.Length * dimensions));
        }
        else
        {
            foreach (int row in ids)
            {
                index.Add(row, matrix.AsSpan(row * dimensions, dimensions));
            }
        }

        return index;
    }

    /// <summary>"SREXACT" then 0x0A.</summary>
    internal static ReadOnlySpan<byte> Magic => "SREXACT\n"u8;

    /// <inheritdoc/>
    public int Dimensions => _dims;

    /// <inheritdoc/>
    public int Count => _count;

    /// <summary>Ids of the stored vectors (order changes on removal).</summary>
    public IEnumerable<int> Ids => _ids.Take(_count);

    /// <inheritdoc/>
    public bool Contains(int id) => _slotById.ContainsKey(id);

    /// <inheritdoc/>
    public ReadOnlySpan<float> GetVector(int id) =>
        _slotById.TryGetValue(id, out int slot)
            ? _vectors.AsSpan(slot * _dims, _dims)
            : throw new KeyNotFoundException($"Id {id} is not in the index.");

    /// <inheritdoc/>
    public void Add(int id, ReadOnlySpan<float> vector)
    {
        if (id < 0)
        {
            IndexErrors.NegativeId(id, nameof(id));
        }

        if (_slotById.ContainsKey(id))
        {
            IndexErrors.DuplicateId(id, nameof(id));
        }

        IndexErrors.CheckVector(vector, _dims, nameof(vector));
        if (_count == _ids.Length)
        {
            int grown = Math.Max(16, _ids.Length * 2);
            Array.Resize(ref _ids, grown);
            Array.Resize(ref _vectors, grown * _dims);
        }

        vector.CopyTo(_vectors.AsSpan(_count * _dims, _dims));
        _ids[_count] = id;
        _slotById.Add(id, _count);
        _count++;
    }

    /// <summary>Adds n vectors stored row-major (n × <see cref="Dimensions"/>); all are validated first.</summary>
    public void AddRange(ReadOnlySpan<int> ids, ReadOnlySpan<float> vectors)
    {
        if ((long)ids.Length * _dims != vectors.Length)
        {
            IndexErrors.Throw($"Expected {ids.Length} × {_dims} floats for {ids.Length} ids; got {vectors.Length}.", nameof(vectors));
        }

        var batch = new HashSet<int>(ids.Length);
        for (int i = 0; i < ids.Length; i++)
        {
            if (ids[i] < 0)
            {
                IndexErrors.NegativeId(ids[i], nameof(ids));
            }

            if (_slotById.ContainsKey(ids[i]) || !batch.Add(ids[i]))
            {
                IndexErrors.DuplicateId(ids[i], nameof(ids));
            }

            IndexErrors.CheckVector(vectors.Slice(i * _dims, _dims), _dims, nameof(vectors));
        }

        int needed = _count + ids.Length;
        if (needed > _ids.Length)
        {
            Array.Resize(ref _ids, needed);
            Array.Resize(ref _vectors, needed * _dims);
        }

        for (int i = 0; i < ids.Length; i++)
        {
            vectors.Slice(i * _dims, _dims).CopyTo(_vectors.AsSpan(_count * _dims, _dims));
            _ids[_count] = ids[i];
            _slotById.Add(ids[i], _count);
            _count++;
        }
    }

    /// <inheritdoc/>
    public bool Remove(int id)
    {
        if (!_slotById.Remove(id, out int slot))
        {
            return false;
        }

        int last = _count - 1;
        if (slot != last)
        {
            _vectors.AsSpan(last * _dims, _dims).CopyTo(_vectors.AsSpan(slot * _dims, _dims));
            _ids[slot] = _ids[last];
            _slotById[_ids[slot]] = slot;
        }

        _count--;
        return true;
    }

    /// <inheritdoc/>
    public IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k, int ef = 0)
    {
        IndexErrors.CheckK(k, ef);
        IndexErrors.CheckVector(query, _dims, nameof(query));
        var hits = new VectorHit[Math.Min(k, _count)];
        SearchCore(query, hits);
        return hits;
    }

    /// <summary>Allocation-free search: fills <paramref name="destination"/> (length k); returns how many were written.</summary>
    public int Search(ReadOnlySpan<float> query, Span<VectorHit> destination)
    {
        IndexErrors.CheckK(destination.Length, 0);
        IndexErrors.CheckVector(query, _dims, nameof(query));
        return SearchCore(query, destination[..Math.Min(destination.Length, _count)]);
    }

    /// <summary>Keeps the k best in a min-heap on similarity (worst on top); ties go to the lower id for a stable order.</summary>
    [SkipLocalsInit]
    private int SearchCore(ReadOnlySpan<float> query, Span<VectorHit> best)
    {
        int k = best.Length;
        if (k == 0)
        {
            return 0;
        }

        // TensorPrimitives' dot (not HNSW's unrolled kernel): the reference that evaluation and `fit` have
        // always measured with, so their similarities, and the parameters chosen on them, stay bit for bit.
        int size = 0;
        for (int slot = 0; slot < _count; slot++)
        {
            var hit = new VectorHit(_ids[slot], TensorPrimitives.Dot(_vectors.AsSpan(slot * _dims, _dims), query));
            if (size < k)
            {
                best[size] = hit;
                SiftUp(best, size++);
            }
            else if (Better(hit, best[0]))
            {
                best[0] = hit;
                SiftDown(best, k);
            }
        }

        for (int end = size - 1; end > 0; end--)
        {
            (best[0], best[end]) = (best[end], best[0]);
            SiftDown(best, end);
        }

        return size;
    }

    private static bool Better(VectorHit a, VectorHit b) =>
        a.Similarity > b.Similarity || (a.Similarity == b.Similarity && a.Id < b.Id);

    private static void SiftUp(Span<VectorHit> heap, int i)
    {
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Better(heap[parent], heap[i]))
            {
                break;
            }

            (heap[parent], heap[i]) = (heap[i], heap[parent]);
            i = parent;
        }
    }

    private static void SiftDown(Span<VectorHit> heap, int n)
    {
        int i = 0;
        while (true)
        {
            int worst = i;
            int l = (2 * i) + 1;
            int r = l + 1;
            if (l < n && Better(heap[worst], heap[l]))
            {
                worst = l;
            }

            if (r < n && Better(heap[worst], heap[r]))
            {
                worst = r;
            }

            if (worst == i)
            {
                return;
            }

            (heap[worst], heap[i]) = (heap[i], heap[worst]);
            i = worst;
        }
    }

    /// <summary>Writes ids and vectors: magic, version, dimensions, count, arrays, XxHash64 trailer.</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        IndexFormat.EnsureLittleEndian();
        var writer = new IndexFormat.Writer(stream);
        writer.Write(Magic);
        writer.Write([FormatVersion, _dims, _count, 0]);
        writer.Write<int>(_ids.AsSpan(0, _count));
        writer.Write<float>(_vectors.AsSpan(0, _count * _dims));
        writer.WriteTrailer();
    }

    /// <summary>Reads an index written by <see cref="WriteTo"/>; throws <see cref="InvalidDataException"/> on anything corrupt.</summary>
    public static ExactIndex ReadFrom(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        IndexFormat.EnsureLittleEndian();
        var reader = new IndexFormat.Reader(stream, FileKind);
        Span<byte> magic = stackalloc byte[8];
        reader.Read(magic);
        if (!magic.SequenceEqual(Magic))
        {
            IndexErrors.Corrupt(FileKind, "not an exact index file (bad magic).");
        }

        Span<int> h = stackalloc int[4];
        reader.Read(h);
        if (h[0] != FormatVersion)
        {
            IndexErrors.Corrupt(FileKind, $"format version {h[0]} is not supported (expected {FormatVersion}).");
        }

        int dims = h[1], count = h[2];
        if (dims is <= 0 or > (1 << 16) || count < 0 || (long)count * dims > Array.MaxLength || h[3] != 0)
        {
            IndexErrors.Corrupt(FileKind, $"header out of range (dimensions {dims}, count {count}).");
        }

        reader.CheckRemaining((count * 4L) + (count * 4L * dims) + sizeof(ulong));
        var index = new ExactIndex(dims, count);
        reader.Read<int>(index._ids);
        reader.Read<float>(index._vectors);
        reader.VerifyTrailer();
        for (int slot = 0; slot < count; slot++)
        {
            int id = index._ids[slot];
            if (id < 0 || !index._slotById.TryAdd(id, slot))
            {
                IndexErrors.Corrupt(FileKind, $"slot {slot} holds id {id}, which is negative or stored twice.");
            }
        }

        index._count = count;
        return index;
    }
}
