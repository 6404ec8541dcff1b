using System.Globalization;
using SemanticRouter.Formats;

namespace SemanticRouter.Outcomes.Tables;

/// <summary>
/// The wide outcome CSV: a <c>prompt</c> column and one column per model with its outcome (True/False,
/// 1/0 or a score in [0, 1]), as RouteLLM writes it; RouterBench's adds one <c>MODEL|total_cost</c>
/// column per model with the call's US-dollar cost, an <c>eval_name</c> (the task set: a row's
/// <see cref="OutcomeRow.Group"/>) and a <c>sample_id</c>, and writes each prompt as a Python list literal
/// (<see cref="PythonListLiteral"/>).
/// </summary>
/// <remarks>
/// Model columns: with cost columns, exactly the columns <c>M</c> that have an <c>M|total_cost</c>;
/// without, the columns at least half of whose cells are outcomes (RouteLLM's GSM8K file keeps the
/// answers beside the outcomes). A row with a blank outcome or cost is skipped and reported; a cell
/// that is neither blank nor an outcome (or a non-negative cost) stops the read with its file and line.
/// </remarks>
public static class OutcomeCsv
{
    /// <summary>The cost column suffix of RouterBench's files.</summary>
    public const string CostSuffix = "|total_cost";

    public static OutcomeTable Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var records = CsvRecords.ReadFile(path, (line, message) => new InvalidDataException($"{path}:{line}: {message}")).ToList();
        if (records.Count == 0)
        {
            throw new InvalidDataException($"{path}: empty file (expected a header: prompt, then one column per model)");
        }

        var (headerLine, header) = records[0];
        var rows = records.Skip(1).ToList();
        var prompt = header.FindIndex(h => h.Trim() == "prompt");
        if (prompt < 0)
        {
            throw new InvalidDataException($"{path}:{headerLine}: no 'prompt' column (found {Shown(header)})");
        }

        var group = header.FindIndex(h => h.Trim() == "eval_name");
        var costOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var j = 0; j < header.Count; j++)
        {
            if (header[j].EndsWith(CostSuffix, StringComparison.Ordinal))
            {
                costOf[header[j][..^CostSuffix.Length]] = j;
            }
        }

        List<int> models;
        if (costOf.Count > 0)
        {
            models = [.. Enumerable.Range(0, header.Count).Where(j => costOf.ContainsKey(header[j]))];
            var orphan = costOf.Keys.FirstOrDefault(m => !header.Contains(m));
            if (orphan is not null)
            {
                throw new InvalidDataException($"{path}:{headerLine}: a cost column '{orphan}{CostSuffix}' but no outcome column '{orphan}'");
            }
        }
        else
        {
            models = [.. Enumerable.Range(0, header.Count).Where(j => j != prompt && j != group && rows.Count > 0
                && 2 * rows.Count(r => j < r.Fields.Count && OutcomeImporter.TryParseOutcome(r.Fields[j], out _)) >= rows.Count)];
        }

        if (models.Count == 0)
        {
            throw new InvalidDataException($"{path}:{headerLine}: no model columns (a column of True/False, 1/0 or scores in [0, 1]; found {Shown(header)})");
        }

        var name = Path.GetFileNameWithoutExtension(path);
        var kept = new List<OutcomeRow>(rows.Count);
        var skipped = new List<SkippedRow>();
        foreach (var (line, fields) in rows)
        {
            if (fields.Count < header.Count)
            {
                throw new InvalidDataException($"{path}:{line}: {fields.Count} fields, the header has {header.Count}");
            }

            var scores = new double[models.Count];
            var costs = costOf.Count > 0 ? new double[models.Count] : null;
            string? blank = null;
            for (var m = 0; m < models.Count; m++)
            {
                var cell = fields[models[m]].Trim();
                if (cell.Length == 0)
                {
                    blank ??= $"no outcome of {header[models[m]]}";
                }
                else if (!OutcomeImporter.TryParseOutcome(cell, out scores[m]))
                {
                    throw new InvalidDataException($"{path}:{line}: {header[models[m]]}: '{Clip(cell)}' is not an outcome (True/False, 1/0 or a score in [0, 1])");
                }

                if (costs is not null)
                {
                    var costCell = fields[costOf[header[models[m]]]].Trim();
                    if (costCell.Length == 0)
                    {
                        blank ??= $"no cost of {header[models[m]]}";
                    }
                    else if (!double.TryParse(costCell, NumberStyles.Float, CultureInfo.InvariantCulture, out costs[m]) || !(costs[m] >= 0) || !double.IsFinite(costs[m]))
                    {
                        throw new InvalidDataException($"{path}:{line}: {header[models[m]]}{CostSuffix}: '{Clip(costCell)}' is not a cost (a non-negative number of US dollars)");
                    }
                }
            }

            if (blank is not null)
            {
                skipped.Add(new SkippedRow(path, line, blank));
                continue;
            }

            var g = group >= 0 && fields[group].Trim().Length > 0 ? fields[group].Trim() : name;
            kept.Add(new OutcomeRow(PythonListLiteral.Decode(fields[prompt]), scores, costs, path, line, g));
        }

        return new OutcomeTable([.. models.Select(j => header[j])], kept, skipped);
    }

    private static string Shown(List<string> header) => Clip(string.Join(", ", header), 200);

    private static string Clip(string s, int max = 40) => s.Length <= max ? s : s[..max] + "…";
}
