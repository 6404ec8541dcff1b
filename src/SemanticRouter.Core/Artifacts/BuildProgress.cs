namespace SemanticRouter.Artifacts;

/// <summary>Stages of an index build, reported to a progress bar.</summary>
public enum BuildStage
{
    Embedding,
    Indexing,
    Writing,
}

/// <summary>How far a build stage is.</summary>
public readonly record struct BuildProgress(BuildStage Stage, int Done, int Total);

/// <summary>What a build did.</summary>
/// <param name="NoOp">True when the existing artefact already matched the inputs and nothing was written.</param>
/// <param name="Routes">Routes in the catalogue.</param>
/// <param name="Utterances">Utterances indexed.</param>
/// <param name="Embedded">Utterances run through the model.</param>
/// <param name="Reused">Utterances whose vectors were taken from the previous artefact.</param>
/// <param name="Elapsed">Wall time.</param>
/// <param name="Manifest">The artefact's manifest (the previous one for a no-op).</param>
public sealed record BuildSummary(
    bool NoOp,
    int Routes,
    int Utterances,
    int Embedded,
    int Reused,
    TimeSpan Elapsed,
    ArtifactManifest Manifest)
{
    public double UtterancesPerSecond => Elapsed.TotalSeconds > 0 ? Utterances / Elapsed.TotalSeconds : 0;
}
