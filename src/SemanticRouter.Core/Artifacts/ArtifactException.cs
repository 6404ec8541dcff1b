namespace SemanticRouter.Artifacts;

/// <summary>
/// An index artefact that is missing, corrupt, of another format or built with another model. The message
/// names the file and the problem. <see cref="RouterErrorCode.FailedPrecondition"/>: a router refuses to load
/// it, and the index it serves keeps serving.
/// </summary>
public sealed class ArtifactException : RouterException
{
    public ArtifactException(string filePath, string problem, Exception? inner = null)
        : base(RouterErrorCode.FailedPrecondition, $"{filePath}: {problem}", inner)
    {
        FilePath = filePath;
    }

    public ArtifactException()
        : base(RouterErrorCode.FailedPrecondition, "The index artefact was refused.")
    {
        FilePath = string.Empty;
    }

    public ArtifactException(string message)
        : base(RouterErrorCode.FailedPrecondition, message)
    {
        FilePath = string.Empty;
    }

    public ArtifactException(string message, Exception inner)
        : base(RouterErrorCode.FailedPrecondition, message, inner)
    {
        FilePath = string.Empty;
    }

    public string FilePath { get; }
}
