namespace SemanticRouter.Embeddings;

/// <summary>
/// How ONNX Runtime's intra-op threads wait for work between the few hundred small parallel
/// sections of a BERT pass. Spinning saves each section an OS wake-up, which is worth it only when
/// every thread has a core of its own: when another process (or the server's own network threads)
/// holds a core, a spinning thread waits for a descheduled partner at every section and burns the
/// core that partner needs. Measured on 2 cores (docs/encoder.md#threads-and-spinning): on an idle
/// machine spinning made one query 9 % faster (1.59 against 1.74 ms); with one other busy core it
/// made it 2.6 times slower (6.1 against 2.3 ms) and a batch of 32 1.1 to 1.8 times slower.
/// </summary>
public enum IntraOpSpinning
{
    /// <summary>ONNX Runtime's own default: workers spin inside and after runs.</summary>
    Always,

    /// <summary>Workers spin while a run is in flight and stop as soon as the last concurrent run returns.</summary>
    DuringRun,

    /// <summary>Workers never spin: each parallel section wakes them through the OS (the default: never slower by more than a tenth, and not ruined by a busy neighbour).</summary>
    Never,
}
