using Microsoft.ML.OnnxRuntime;

namespace SemanticRouter.Embeddings;

/// <summary>Settings of a <see cref="SentenceEncoder"/>; null means "use the default".</summary>
public sealed class SentenceEncoderOptions
{
    /// <summary>Texts per ONNX run when embedding many texts.</summary>
    public const int DefaultBatchSize = 32;

    private int? _intraOpThreads;
    private int? _batchSize;

    /// <summary>Threads ONNX Runtime uses inside one operator; null = ONNX Runtime's default (one per physical core).</summary>
    public int? IntraOpThreads
    {
        get => _intraOpThreads;
        set => _intraOpThreads = value is null or > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be positive");
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
    /// How ONNX Runtime's intra-op threads wait for work; null = <see cref="IntraOpSpinning.Always"/>
    /// (ONNX Runtime's default, best for back-to-back batch work such as build and embed). A server
    /// wants <see cref="IntraOpSpinning.DuringRun"/> (bench/README.md has the figures).
    /// </summary>
    public IntraOpSpinning? Spinning { get; set; }

    internal int EffectiveBatchSize => _batchSize ?? DefaultBatchSize;
}
