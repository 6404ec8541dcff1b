using Microsoft.ML.OnnxRuntime;

namespace SemanticRouter.Embeddings;

/// <summary>Settings of a <see cref="SentenceEncoder"/>; null means "use the default".</summary>
public sealed class SentenceEncoderOptions
{
    /// <summary>Texts per ONNX run when embedding many texts.</summary>
    public const int DefaultBatchSize = 32;

    private int? _intraOpThreads;
    private int? _batchSize;

    /// <summary>
    /// Threads ONNX Runtime uses inside one model run (the calling thread included); null =
    /// <see cref="DefaultIntraOpThreads"/>: every core this process may use. ONNX Runtime's own
    /// default counts physical cores, which on a VM whose vCPUs are reported as hyper-threads of
    /// one core is 1: a lone query then ran on one of two idle cores (issue 32).
    /// </summary>
    public int? IntraOpThreads
    {
        get => _intraOpThreads;
        set => _intraOpThreads = value is null or > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be positive");
    }

    /// <summary>The intra-op threads used when none are set: the cores .NET reports for this process (cgroup limits and affinity included).</summary>
    public static int DefaultIntraOpThreads => Environment.ProcessorCount;

    /// <summary>What of a text longer than the model's window is read; default <see cref="LongInputPolicy.Head"/> (the reference truncation).</summary>
    public LongInputPolicy LongInput { get; set; }

    /// <summary>
    /// A copy reading long texts as an index's utterances were read (its manifest's <c>long_input</c>): how
    /// every encoder that embeds queries for an index is made.
    /// </summary>
    public static SentenceEncoderOptions ForIndex(SentenceEncoderOptions? options, LongInputPolicy longInput)
    {
        var copy = options is null ? new SentenceEncoderOptions() : (SentenceEncoderOptions)options.MemberwiseClone();
        copy.LongInput = longInput;
        return copy;
    }

    /// <summary>Graph optimisation level; null = <see cref="Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_ALL"/>.</summary>
    public GraphOptimizationLevel? GraphOptimizationLevel { get; set; }

    /// <summary>Texts per ONNX run (1..4096); null = <see cref="DefaultBatchSize"/>.</summary>
    public int? BatchSize
    {
        get => _batchSize;
        set => _batchSize = value is null or (> 0 and <= 4096) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be in 1..4096");
    }

    /// <summary>
    /// How ONNX Runtime's intra-op threads wait for work; null = <see cref="DefaultSpinning"/>.
    /// </summary>
    public IntraOpSpinning? Spinning { get; set; }

    /// <summary>
    /// The spinning policy used when none is set: <see cref="IntraOpSpinning.Never"/>, measured
    /// (docs/encoder.md#threads-and-spinning): it costs a lone query on an idle machine about 9 %,
    /// and spares it a 2.6-fold slow-down when another process holds a core.
    /// </summary>
    public static IntraOpSpinning DefaultSpinning => IntraOpSpinning.Never;

    /// <summary>
    /// Whether to keep ONNX Runtime's optimised graph of the model in a cache and load it on later
    /// starts (<see cref="OptimizedModelCacheDirectory"/>); null = yes.
    /// </summary>
    public bool? UseOptimizedModelCache { get; set; }

    /// <summary>Where the optimised graphs are kept; null = (user cache directory)/semantic-router/onnx-optimized.</summary>
    public string? OptimizedModelCacheDirectory { get; set; }

    /// <summary>Further ONNX Runtime session config entries (benchmarks try settings through it).</summary>
    internal Dictionary<string, string> ExtraSessionConfig { get; } = [];

    internal int EffectiveBatchSize => _batchSize ?? DefaultBatchSize;

    internal int EffectiveIntraOpThreads => _intraOpThreads ?? DefaultIntraOpThreads;

    internal IntraOpSpinning EffectiveSpinning => Spinning ?? DefaultSpinning;

    internal string? EffectiveCacheDirectory => UseOptimizedModelCache == false ? null : OptimizedModelCacheDirectory ?? OptimizedModelCache.DefaultDirectory;
}
