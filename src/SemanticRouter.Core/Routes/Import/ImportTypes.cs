namespace SemanticRouter.Routes.Import;

/// <summary>Options for <see cref="DatasetImporter"/>.</summary>
public sealed class DatasetImportOptions
{
    /// <summary>Replace a non-empty output directory (default: refuse).</summary>
    public bool Force { get; init; }

    /// <summary>Routes per route file (routes sorted by name, then chunked); default 10.</summary>
    public int RoutesPerFile { get; init; } = 10;
}

/// <summary>One JSON-lines file written by an import.</summary>
/// <param name="File">Path relative to the output directory, e.g. <c>test.jsonl</c>.</param>
/// <param name="Lines">Lines written.</param>
/// <param name="OutOfScope">Lines whose route is null (out of scope).</param>
public sealed record ImportedSplit(string File, int Lines, int OutOfScope);

/// <summary>What an import wrote.</summary>
/// <param name="Dataset">clinc150, banking77 or jsonl.</param>
/// <param name="OutputDirectory">The output directory (holding <c>routes/</c> and the JSON-lines files).</param>
/// <param name="Routes">Routes written.</param>
/// <param name="Utterances">Training utterances written.</param>
/// <param name="SkippedDuplicates">Training rows dropped because the same utterance (compared as route files
/// compare them: trimmed, white space collapsed, case-insensitive) was already in the same route.</param>
/// <param name="SkippedConflicts">Training rows dropped because the same utterance was already in another route
/// (the first occurrence wins).</param>
/// <param name="SkippedEmpty">Training rows dropped because their text was empty.</param>
/// <param name="Splits">The JSON-lines files written, in order.</param>
public sealed record DatasetImportSummary(
    string Dataset,
    string OutputDirectory,
    int Routes,
    int Utterances,
    int SkippedDuplicates,
    int SkippedConflicts,
    int SkippedEmpty,
    IReadOnlyList<ImportedSplit> Splits)
{
    /// <summary>Source labels that were not valid route names, and the route name each became
    /// (lower-cased, other characters replaced by '_', '_' trimmed at the ends).</summary>
    public IReadOnlyDictionary<string, string> RenamedLabels { get; init; } = new Dictionary<string, string>().AsReadOnly();
}

/// <summary>A source data set that cannot be imported (message names the file and, when known, the line),
/// or an output directory that may not be replaced.</summary>
public sealed class DatasetImportException : Exception
{
    public DatasetImportException()
    {
    }

    public DatasetImportException(string message)
        : base(message)
    {
    }

    public DatasetImportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
