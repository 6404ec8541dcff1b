namespace SemanticRouter.Outcomes.Tables;

/// <summary>
/// Observed outcomes of many models on many prompts, with what each call cost where the file says:
/// what <c>eval --outcomes</c>, <c>fit --outcomes</c> and <c>outcomes import</c> read from RouterBench's
/// CSV, RouteLLM's CSV or the JSONL form (<see cref="OutcomeTableReader"/>). A row is kept only when
/// every model has an outcome (and, where the table has costs, a cost): a blank cell is never read as
/// a zero, and a skipped row is listed in <see cref="Skipped"/> with its file and line.
/// </summary>
/// <param name="Models">Model names, in the file's column order (JSONL: first-seen order).</param>
/// <param name="Rows">The prompts kept.</param>
/// <param name="Skipped">Rows left out, each with why (a blank outcome or cost).</param>
public sealed record OutcomeTable(IReadOnlyList<string> Models, IReadOnlyList<OutcomeRow> Rows, IReadOnlyList<SkippedRow> Skipped)
{
    /// <summary>Whether every row carries every model's cost.</summary>
    public bool HasCosts => Rows.Count > 0 && Rows.All(r => r.Costs is not null);

    /// <summary>Rows of both tables, which must name the same models in the same order.</summary>
    public static OutcomeTable Concat(IReadOnlyList<OutcomeTable> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        if (tables.Count == 0)
        {
            throw new ArgumentException("no tables", nameof(tables));
        }

        var models = tables[0].Models;
        foreach (var t in tables.Skip(1))
        {
            if (!t.Models.SequenceEqual(models, StringComparer.Ordinal))
            {
                throw new InvalidDataException($"{SourceOf(t, "a file")} names the models {string.Join(", ", t.Models)}, but {SourceOf(tables[0], "the first file")} names {string.Join(", ", models)}");
            }
        }

        return new OutcomeTable(models, [.. tables.SelectMany(t => t.Rows)], [.. tables.SelectMany(t => t.Skipped)]);
    }

    private static string SourceOf(OutcomeTable t, string otherwise) => t.Rows.Count > 0 ? t.Rows[0].Source : otherwise;
}

/// <summary>One prompt: each model's score in [0, 1] and, where known, the US-dollar cost of its call (both in <see cref="OutcomeTable.Models"/> order).</summary>
/// <param name="Prompt">The prompt text (RouterBench's list literal already decoded).</param>
/// <param name="Scores">Per model, 1/0 or a graded score in [0, 1].</param>
/// <param name="Costs">Per model, the call's cost in US dollars; null when the table has none.</param>
/// <param name="Source">The file it came from.</param>
/// <param name="Line">Its 1-based line there.</param>
/// <param name="Group">The task set or file it belongs to (RouterBench's <c>eval_name</c>; else the file name), a route when imported.</param>
public sealed record OutcomeRow(string Prompt, double[] Scores, double[]? Costs, string Source, int Line, string Group);

/// <summary>A row left out, where and why.</summary>
public sealed record SkippedRow(string Source, int Line, string Reason)
{
    public override string ToString() => $"{Source}:{Line}: {Reason}";
}
