namespace SemanticRouter.Embeddings;

/// <summary>
/// How ONNX Runtime's intra-op threads wait for work. A BERT forward pass is a few hundred small
/// parallel sections; a worker that sleeps between them has to be woken by the OS each time, which
/// on a loaded 2-core box adds about a quarter to a single query's latency. A worker that keeps
/// spinning after the run has returned steals the core the server's network threads need to send
/// the answer. <see cref="DuringRun"/> spins inside a run and parks the workers the moment it ends.
/// </summary>
public enum IntraOpSpinning
{
    /// <summary>ONNX Runtime's default: workers spin inside and after runs (best for back-to-back batch work).</summary>
    Always,

    /// <summary>Workers spin while a run is in flight and stop as soon as the last concurrent run returns (what a server wants).</summary>
    DuringRun,

    /// <summary>Workers never spin: each parallel section wakes them through the OS (least CPU, slowest single query).</summary>
    Never,
}
