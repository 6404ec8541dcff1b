namespace SemanticRouter.Outcomes.Tables;

/// <summary>
/// Reads outcome tables by what the files are: <c>*.jsonl</c> is <see cref="OutcomeJsonl"/>, <c>*.csv</c>
/// is <see cref="OutcomeCsv"/> (RouteLLM's or RouterBench's). Several paths (or a folder: its *.csv and
/// *.jsonl files in ordinal order) are concatenated, and must name the same models.
/// </summary>
public static class OutcomeTableReader
{
    public static OutcomeTable Read(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.GetFiles(path).Where(IsTable).Order(StringComparer.Ordinal));
            }
            else if (File.Exists(path))
            {
                files.Add(IsTable(path) ? path : throw new InvalidDataException($"{path}: not a .csv or .jsonl outcome file"));
            }
            else
            {
                throw new FileNotFoundException($"'{path}' not found");
            }
        }

        if (files.Count == 0)
        {
            throw new InvalidDataException($"no .csv or .jsonl files in {string.Join(", ", paths)}");
        }

        return OutcomeTable.Concat([.. files.Select(ReadFile)]);
    }

    public static OutcomeTable ReadFile(string path) =>
        string.Equals(Path.GetExtension(path), ".jsonl", StringComparison.OrdinalIgnoreCase) ? OutcomeJsonl.Read(path) : OutcomeCsv.Read(path);

    private static bool IsTable(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".csv" or ".jsonl";
}
