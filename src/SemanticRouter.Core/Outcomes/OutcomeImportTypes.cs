namespace SemanticRouter.Outcomes;

/// <summary>One parsed line of an outcome history file (a many-model table gives one per model of a row).</summary>
public readonly record struct OutcomeImportRow(int Line, string Text, string Model, double Score)
{
    /// <summary>The call's cost in US dollars, when the file says (RouterBench's <c>MODEL|total_cost</c>, JSONL's <c>costs</c>).</summary>
    public double? CostUsd { get; init; }
}

/// <summary>Result of an import: rows read and outcomes stored (not counting rows this file had already imported).</summary>
public sealed record OutcomeImportSummary(int Rows, int Imported, TimeSpan Elapsed)
{
    /// <summary>Outcomes an earlier import of the same file had stored: counted once, not again.</summary>
    public int Replayed { get; init; }

    /// <summary>Outcomes read per model, in the order the models first appear (so a column left out shows).</summary>
    public IReadOnlyList<KeyValuePair<string, int>> PerModel { get; init; } = [];
}

/// <summary>How far an import is: outcomes committed of those the file holds.</summary>
public readonly record struct OutcomeImportProgress(int Imported, int Total);

/// <summary>Settings of <see cref="OutcomeImporter.ImportAsync"/>.</summary>
public sealed record OutcomeImportOptions
{
    /// <summary>Outcomes per transaction.</summary>
    public int BatchSize { get; init; } = OutcomeImporter.DefaultBatchSize;

    /// <summary>
    /// Model names of the file → names in the index's catalogue (history logged as
    /// <c>gpt-4-1106-preview</c> credits the catalogue's <c>gpt-4</c>). Names not listed are kept.
    /// </summary>
    public IReadOnlyDictionary<string, string> ModelNames { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Reported after each committed batch.</summary>
    public IProgress<OutcomeImportProgress>? Progress { get; init; }
}
