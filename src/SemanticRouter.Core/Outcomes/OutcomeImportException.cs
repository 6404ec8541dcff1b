namespace SemanticRouter.Outcomes;

/// <summary>A malformed line of an outcome file; <see cref="Line"/> is 1-based (the header is line 1 in CSV).</summary>
public sealed class OutcomeImportException : Exception
{
    public OutcomeImportException() { }

    public OutcomeImportException(string message) : base(message) { }

    public OutcomeImportException(string message, Exception innerException) : base(message, innerException) { }

    public OutcomeImportException(string path, int line, string message)
        : base($"{path}:{line}: {message}")
    {
        Path = path;
        Line = line;
    }

    public string? Path { get; }

    public int Line { get; }

    /// <summary>The model name the catalogue does not know, when that is the error (so a caller can say how to map it).</summary>
    public string? UnknownModel { get; init; }
}
