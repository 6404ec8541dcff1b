using System.Buffers;
using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;

namespace SemanticRouter.Embeddings;

/// <summary>
/// Turns text into L2-normalised sentence vectors with a local ONNX model: tokenise (reference-exact
/// WordPiece), run the model on one shared <see cref="InferenceSession"/>, pool the token vectors
/// (mean under the attention mask for sentence-transformers models) and L2-normalise.
/// </summary>
/// <remarks>
/// Thread-safety: every member may be called concurrently; ONNX Runtime's <c>Run</c> is thread-safe
/// and each call uses its own pooled buffers. Batches are padded to their longest member; when many
/// texts are embedded at once they are sorted by length first (and written back in input order)
/// so padding stays small.
/// </remarks>
public sealed class SentenceEncoder : IEmbeddingGenerator<string, Embedding<float>>, IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly bool _hasMask;
    private readonly bool _hasTypes;
    private readonly int _batchSize;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private int _disposed;

    [ThreadStatic]
    private static List<int>? t_ids;

    public SentenceEncoder(ModelFolder model, SentenceEncoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new SentenceEncoderOptions();
        Model = model;
        Tokenizer = new BertWordPieceTokenizer(model.VocabPath, model.TokenizerSettings);
        _batchSize = options.EffectiveBatchSize;
        LongInput = options.LongInput;

        IntraOpThreads = options.EffectiveIntraOpThreads;
        Spinning = options.EffectiveSpinning;
        var level = options.GraphOptimizationLevel ?? GraphOptimizationLevel.ORT_ENABLE_ALL;
        SessionOptions Make(GraphOptimizationLevel optimization)
        {
            var sessionOptions = new SessionOptions { GraphOptimizationLevel = optimization, IntraOpNumThreads = IntraOpThreads };
            switch (Spinning)
            {
                case IntraOpSpinning.Never:
                    sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
                    break;
                case IntraOpSpinning.DuringRun:
                    sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "1");
                    sessionOptions.AddSessionConfigEntry("session.force_spinning_stop", "1");
                    break;
            }

            foreach (var (key, value) in options.ExtraSessionConfig)
            {
                sessionOptions.AddSessionConfigEntry(key, value);
            }

            return sessionOptions;
        }

        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            _session = OptimizedModelCache.Create(model, Make, level, options.EffectiveCacheDirectory, out var cacheUse);
            CacheUse = cacheUse;
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelFolderException(model.ModelPath, $"ONNX Runtime cannot load the model: {e.Message}", e);
        }

        SessionCreationTime = System.Diagnostics.Stopwatch.GetElapsedTime(started);

        // Feed exactly the inputs the model declares, in its order.
        _inputNames = [.. _session.InputMetadata.Keys];
        _hasMask = _inputNames.Contains("attention_mask");
        _hasTypes = _inputNames.Contains("token_type_ids");
        _outputNames = [model.OutputName];
        _metadata = new EmbeddingGeneratorMetadata("onnxruntime", null, model.Name, model.Dimensions);
    }

    /// <summary>Opens the model folder and creates its session.</summary>
    public static SentenceEncoder Open(string modelDirectory, SentenceEncoderOptions? options = null)
        => new(ModelFolder.Open(modelDirectory), options);

    public ModelFolder Model { get; }

    public int Dimensions => Model.Dimensions;

    /// <summary>What of a text longer than the window the model reads (<see cref="SentenceEncoderOptions.LongInput"/>).</summary>
    public LongInputPolicy LongInput { get; }

    public BertWordPieceTokenizer Tokenizer { get; }

    /// <summary>Threads ONNX Runtime uses inside one run (the calling thread included).</summary>
    public int IntraOpThreads { get; }

    /// <summary>How those threads wait for work.</summary>
    public IntraOpSpinning Spinning { get; }

    /// <summary>How long creating the ONNX Runtime session took (start-up logs report it).</summary>
    public TimeSpan SessionCreationTime { get; }

    /// <summary>Whether the session came from the optimised-model cache.</summary>
    public OptimizedModelCacheUse CacheUse { get; }

    internal InferenceSession Session => _session;

    internal IReadOnlyList<string> InputNames => _inputNames;

    internal string OutputName => _outputNames[0];

    /// <summary>Token ids the model sees for <paramref name="text"/> ([CLS] … [SEP], truncated).</summary>
    public int[] Tokenize(string text)
    {
        var ids = new List<int>(32);
        Tokenizer.Encode(text, ids, LongInput);
        return [.. ids];
    }

    /// <summary>The unit-length sentence vector of <paramref name="text"/>.</summary>
    public float[] Embed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var vector = new float[Dimensions];
        List<int> ids = t_ids ??= new List<int>(64);
        ids.Clear();
        Tokenizer.Encode(text, ids, LongInput);
        ReadOnlySpan<int> tokens = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids);
        RunBatch(new TokenRows(tokens), vector);
        return vector;
    }

    /// <summary>Embeds <paramref name="texts"/> into <paramref name="destination"/>, row-major
    /// (texts.Count × <see cref="Dimensions"/>), in input order.</summary>
    public void Embed(IReadOnlyList<string> texts, Span<float> destination) => Embed(texts, destination, null, CancellationToken.None);

    /// <summary>
    /// Embeds <paramref name="texts"/> into <paramref name="destination"/>, row-major
    /// (texts.Count × <see cref="Dimensions"/>), in input order, in runs of at most
    /// <see cref="SentenceEncoderOptions.BatchSize"/> texts.
    /// </summary>
    /// <param name="texts">The texts.</param>
    /// <param name="destination">texts.Count × <see cref="Dimensions"/> floats.</param>
    /// <param name="progress">Told the number of texts embedded so far after each run.</param>
    /// <param name="cancellationToken">
    /// Honoured inside the work, not just before it: the run in flight is aborted through ONNX
    /// Runtime's terminate flag (it checks it between operators) and no further run starts, so a
    /// cancelled call stops using the CPU within one operator rather than after every batch.
    /// </param>
    /// <exception cref="OperationCanceledException">The token was cancelled; <paramref name="destination"/> is then partly written.</exception>
    public void Embed(IReadOnlyList<string> texts, Span<float> destination, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        int n = texts.Count;
        int dims = Dimensions;
        if (destination.Length < (long)n * dims)
        {
            throw new ArgumentException($"destination holds {destination.Length} floats; {n} × {dims} needed", nameof(destination));
        }

        if (n == 0)
        {
            return;
        }

        // Tokenise everything into one pooled id buffer; rows are (offset, length) into it.
        var ids = new List<int>(n * 16);
        int[] offsets = ArrayPool<int>.Shared.Rent(n + 1);
        int[] order = ArrayPool<int>.Shared.Rent(n);
        RunOptions? cancellable = null;
        CancellationTokenRegistration registration = default;
        try
        {
            for (int i = 0; i < n; i++)
            {
                if ((i & 1023) == 1023)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                offsets[i] = ids.Count;
                Tokenizer.Encode(texts[i] ?? throw new ArgumentException($"texts[{i}] is null", nameof(texts)), ids, LongInput);
                order[i] = i;
            }

            offsets[n] = ids.Count;
            if (n > _batchSize)
            {
                // Sort by length so each batch pads little; ties keep input order.
                int[] lengths = new int[n];
                for (int i = 0; i < n; i++)
                {
                    lengths[i] = offsets[i + 1] - offsets[i];
                }

                Array.Sort(order, 0, n, Comparer<int>.Create((a, b) => lengths[a] != lengths[b] ? lengths[a].CompareTo(lengths[b]) : a.CompareTo(b)));
            }

            if (cancellationToken.CanBeCanceled)
            {
                // Its own RunOptions, so that terminating this call's run leaves every other call's alone.
                var runOptions = cancellable = new RunOptions();
                registration = cancellationToken.Register(() => runOptions.Terminate = true);
            }

            ReadOnlySpan<int> all = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids);
            for (int start = 0; start < n; start += _batchSize)
            {
                int count = Math.Min(_batchSize, n - start);
                RunBatch(new TokenRows(all, offsets, order.AsSpan(start, count)), destination, scatter: true, cancellable, cancellationToken);
                progress?.Report(start + count);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            registration.Dispose(); // waits for a running callback, so the options outlive it
            cancellable?.Dispose();
            ArrayPool<int>.Shared.Return(offsets);
            ArrayPool<int>.Shared.Return(order);
        }
    }

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (options?.Dimensions is { } wanted && wanted != Dimensions)
        {
            throw new ArgumentException($"{Model.Name} produces {Dimensions}-dimensional vectors; {wanted} were asked for", nameof(options));
        }

        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<string> texts = values as IReadOnlyList<string> ?? [.. values];
        float[] all = new float[texts.Count * Dimensions];
        Embed(texts, all, null, cancellationToken);
        var created = DateTimeOffset.UtcNow;
        var result = new GeneratedEmbeddings<Embedding<float>>(texts.Count);
        for (int i = 0; i < texts.Count; i++)
        {
            result.Add(new Embedding<float>(new ReadOnlyMemory<float>(all, i * Dimensions, Dimensions)) { ModelId = Model.Name, CreatedAt = created });
        }

        return Task.FromResult(result);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return _metadata;
        }

        if (serviceType == typeof(ModelFolder))
        {
            return Model;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _session.Dispose();
            _runOptions.Dispose();
        }
    }

    /// <summary>Rows of token ids: either one row, or rows of a shared buffer picked by an order.</summary>
    private readonly ref struct TokenRows
    {
        private readonly ReadOnlySpan<int> _all;
        private readonly int[]? _offsets;
        private readonly ReadOnlySpan<int> _order;

        public TokenRows(ReadOnlySpan<int> single)
        {
            _all = single;
            _offsets = null;
            _order = default;
        }

        public TokenRows(ReadOnlySpan<int> all, int[] offsets, ReadOnlySpan<int> order)
        {
            _all = all;
            _offsets = offsets;
            _order = order;
        }

        public int Count => _offsets is null ? 1 : _order.Length;

        public ReadOnlySpan<int> this[int row] => _offsets is null ? _all : _all[_offsets[_order[row]].._offsets[_order[row] + 1]];

        /// <summary>Where row <paramref name="row"/> goes in the destination (its input index).</summary>
        public int Target(int row) => _offsets is null ? 0 : _order[row];
    }

    private void RunBatch(TokenRows rows, Span<float> destination, bool scatter = false, RunOptions? runOptions = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        int batch = rows.Count;
        int seq = 0;
        for (int r = 0; r < batch; r++)
        {
            seq = Math.Max(seq, rows[r].Length);
        }

        int dims = Dimensions;
        int cells = batch * seq;
        long[] inputs = ArrayPool<long>.Shared.Rent(cells * 3);
        float[] hidden = ArrayPool<float>.Shared.Rent(cells * dims);
        try
        {
            Span<long> idSpan = inputs.AsSpan(0, cells);
            Span<long> maskSpan = inputs.AsSpan(cells, cells);
            Span<long> typeSpan = inputs.AsSpan(cells * 2, cells);
            idSpan.Fill(Tokenizer.PaddingTokenId);
            maskSpan.Clear();
            typeSpan.Clear();
            for (int r = 0; r < batch; r++)
            {
                ReadOnlySpan<int> row = rows[r];
                Span<long> idRow = idSpan.Slice(r * seq, row.Length);
                for (int t = 0; t < row.Length; t++)
                {
                    idRow[t] = row[t];
                }

                maskSpan.Slice(r * seq, row.Length).Fill(1);
            }

            long[] inputShape = [batch, seq];
            using var idsValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, inputs.AsMemory(0, cells), inputShape);
            using var maskValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, inputs.AsMemory(cells, cells), inputShape);
            using var typeValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, inputs.AsMemory(cells * 2, cells), inputShape);
            using var outputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, hidden.AsMemory(0, cells * dims), [batch, seq, dims]);
            var values = new OrtValue[_inputNames.Length];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = _inputNames[i] switch
                {
                    "input_ids" => idsValue,
                    "attention_mask" => maskValue,
                    _ => typeValue,
                };
            }

            try
            {
                _session.Run(runOptions ?? _runOptions, _inputNames, values, _outputNames, [outputValue]);
            }
            catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
            {
                // The terminate flag stopped the run between two operators.
                throw new OperationCanceledException(cancellationToken);
            }

            for (int r = 0; r < batch; r++)
            {
                int length = rows[r].Length;
                Span<float> target = destination.Slice((scatter ? rows.Target(r) : r) * dims, dims);
                Pool(hidden.AsSpan(r * seq * dims, length * dims), length, target);
            }
        }
        finally
        {
            ArrayPool<long>.Shared.Return(inputs);
            ArrayPool<float>.Shared.Return(hidden);
        }
    }

    /// <summary>Pools one text's token vectors (its real tokens only: the mask is 1 exactly there)
    /// into <paramref name="target"/> and L2-normalises it, as sentence-transformers does.</summary>
    private void Pool(ReadOnlySpan<float> tokens, int length, Span<float> target)
    {
        int dims = target.Length;
        tokens[..dims].CopyTo(target);
        switch (Model.Pooling)
        {
            case PoolingMode.Cls:
                break;
            case PoolingMode.Max:
                for (int t = 1; t < length; t++)
                {
                    TensorPrimitives.Max(target, tokens.Slice(t * dims, dims), target);
                }

                break;
            default:
                for (int t = 1; t < length; t++)
                {
                    TensorPrimitives.Add(target, tokens.Slice(t * dims, dims), target);
                }

                TensorPrimitives.Multiply(target, 1f / Math.Max(length, 1), target);
                break;
        }

        float norm = TensorPrimitives.Norm(target);
        TensorPrimitives.Multiply(target, 1f / Math.Max(norm, 1e-12f), target);
    }
}
