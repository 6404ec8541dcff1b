namespace SemanticRouter.Artifacts;

/// <summary>An index artefact that is missing, corrupt, of another format or built with another model.
/// The message names the file and the problem.</summary>
public sealed class ArtifactException : Exception
{
    public ArtifactException(string filePath, string problem, Exception? inner = null)
        : base($"{filePath}: {problem}", inner)
    {
        FilePath = filePath;
    }

    public ArtifactException() { FilePath = string.Empty; }
    public ArtifactException(string message) : base(message) { FilePath = string.Empty; }
    public ArtifactException(string message, Exception inner) : base(message, inner) { FilePath = string.Empty; }

    public string FilePath { get; }
}
