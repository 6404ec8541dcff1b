using System.Globalization;
using System.Text.Json;
using SemanticRouter.Formats;

namespace SemanticRouter.Outcomes;

/// <summary>
/// Bulk import of outcome history: CSV with a header naming the columns <c>text,model,outcome</c>
/// (any order, more columns ignored; RFC 4180 quoting), RouteLLM's CSV (<c>prompt</c> and one column
/// per model, as `eval --outcomes` reads) or JSON Lines <c>{"text": …, "model": …, "outcome": …}</c>.
/// An outcome is true/false, 1/0 or a score in [0, 1]. The file is validated completely first (every
/// error carries its line number) so that a malformed file imports nothing; then each row is credited by
/// the caller's <see cref="OutcomeCreditor"/> (the engine's: the text's neighbours, as a served outcome with
/// its text is credited) and committed in batches (<see cref="OutcomeImportOptions.BatchSize"/>), one
/// transaction each, so an import stopped part-way keeps whole batches and nothing half-written.
/// </summary>
public static class OutcomeImporter
{
    public const int DefaultBatchSize = 1000;

    /// <param name="path">The history file.</param>
    /// <param name="store">Where the credited outcomes go.</param>
    /// <param name="credit">What each outcome credits.</param>
    /// <param name="isKnownModel">The model catalogue: a row naming another model stops the import before anything is written.</param>
    /// <param name="options">Batching, model names, progress.</param>
    /// <param name="cancellationToken">Stops between rows; whole batches stay committed.</param>
    public static async Task<OutcomeImportSummary> ImportAsync(
        string path, IOutcomeStore store, OutcomeCreditor credit, Func<string, bool> isKnownModel, OutcomeImportOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(credit);
        ArgumentNullException.ThrowIfNull(isKnownModel);
        options ??= new OutcomeImportOptions();
        var batchSize = options.BatchSize;
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        string Named(string model) => options.ModelNames.TryGetValue(model, out var name) ? name : model;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var rows = 0;
        var perModel = new List<KeyValuePair<string, int>>();
        var modelIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in Parse(path))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var model = Named(row.Model);
            if (!isKnownModel(model))
            {
                var mapped = model == row.Model ? "" : $" (mapped from '{row.Model}')";
                throw new OutcomeImportException(path, row.Line, $"unknown model '{model}'{mapped}: no route of the index targets it") { UnknownModel = model };
            }

            if (!modelIndex.TryGetValue(model, out var m))
            {
                modelIndex[model] = m = perModel.Count;
                perModel.Add(new(model, 0));
            }

            perModel[m] = new(model, perModel[m].Value + 1);
            rows++;
        }

        var imported = 0;
        var replayed = 0;
        var batch = new List<CreditedOutcome>(batchSize);
        (string Text, OutcomeCredits Credits)? previous = null;
        foreach (var row in Parse(path))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var outcome = Outcome.ForQuery(row.Text, Named(row.Model), row.Score) with { CostUsd = row.CostUsd, IdempotencyKey = ImportKey(path, row) };
            OutcomeCredits credits;
            try
            {
                // What a text credits does not depend on the model: a table's row gives one outcome per model
                // in a row, and its text is embedded and searched once, not once per model.
                if (previous is { } p && string.Equals(p.Text, row.Text, StringComparison.Ordinal))
                {
                    outcome.Validate(isKnownModel);
                    credits = p.Credits;
                }
                else
                {
                    credits = await credit(outcome, cancellationToken).ConfigureAwait(false);
                    previous = (row.Text, credits);
                }
            }
            catch (OutcomeRejectedException e)
            {
                throw new OutcomeImportException($"{path}:{row.Line}: {e.Message}", e);
            }

            batch.Add(new CreditedOutcome(outcome, credits));
            if (batch.Count == batchSize)
            {
                imported += await Flush().ConfigureAwait(false);
            }
        }

        imported += await Flush().ConfigureAwait(false);
        return new OutcomeImportSummary(rows, imported - replayed, clock.Elapsed) { PerModel = perModel, Replayed = replayed };

        async Task<int> Flush()
        {
            if (batch.Count == 0)
            {
                return 0;
            }

            var stored = await store.RecordAsync([.. batch], cancellationToken).ConfigureAwait(false);
            replayed += stored.Count(o => o.Replayed);
            batch.Clear();
            options.Progress?.Report(new OutcomeImportProgress(imported + stored.Count, rows));
            return stored.Count;
        }
    }

    /// <summary>
    /// The idempotency key of an imported row: the file's name, the row's line, the model and the text, hashed.
    /// Importing the same file again (a retry after a crash, or by mistake) then counts each row once; the
    /// same text in another file, or twice in one file, still counts each time.
    /// </summary>
    internal static string ImportKey(string path, OutcomeImportRow row)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{System.IO.Path.GetFileName(path)}\n{row.Line}\n{row.Model}\n{row.Text}");
        return "import:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..32];
    }

    /// <summary>Parses a .csv or .jsonl/.json file (by extension), lazily; throws <see cref="OutcomeImportException"/> on the first bad line.</summary>
    public static IEnumerable<OutcomeImportRow> Parse(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var ext = System.IO.Path.GetExtension(path).ToUpperInvariant();
        return ext switch
        {
            ".CSV" when IsTable(path, csv: true) => ParseTable(path),
            ".CSV" => ParseCsv(path),
            ".JSONL" or ".NDJSON" when IsTable(path, csv: false) => ParseTable(path),
            ".JSONL" or ".JSON" or ".NDJSON" => ParseJsonLines(path),
            _ => throw new OutcomeImportException($"{path}: unknown format '{ext}': use .csv or .jsonl."),
        };
    }

    /// <summary>
    /// Whether the file is a many-model outcome table with each call's cost: RouterBench's CSV, or the JSONL
    /// form whose first line has <c>"outcomes"</c> and <c>"costs"</c> (what `fit --outcomes` fits as a cost–quality router).
    /// </summary>
    public static bool IsCostTable(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Path.GetExtension(path).ToUpperInvariant() switch
        {
            ".CSV" => IsTable(path, csv: true),
            ".JSONL" or ".NDJSON" => IsTable(path, csv: false, withCosts: true),
            _ => false,
        };
    }

    /// <summary>
    /// Whether the file is a many-model outcome table (<see cref="Tables.OutcomeTableReader"/>): RouterBench's
    /// CSV (a header with <c>MODEL|total_cost</c> columns) or the JSONL form whose first line has an
    /// <c>"outcomes"</c> object.
    /// </summary>
    private static bool IsTable(string path, bool csv, bool withCosts = false)
    {
        if (!File.Exists(path))
        {
            return false; // the reader says it is missing
        }

        using var reader = new StreamReader(path);
        string? first;
        while ((first = reader.ReadLine()) is not null && string.IsNullOrWhiteSpace(first))
        {
        }

        if (first is null)
        {
            return false;
        }

        if (csv)
        {
            return first.Contains(Tables.OutcomeCsv.CostSuffix, StringComparison.Ordinal);
        }

        try
        {
            using var doc = JsonDocument.Parse(first);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("outcomes", out var o) && o.ValueKind == JsonValueKind.Object
                && (!withCosts || (doc.RootElement.TryGetProperty("costs", out var c) && c.ValueKind == JsonValueKind.Object));
        }
        catch (JsonException)
        {
            return false; // the line-by-line reader names the line
        }
    }

    /// <summary>
    /// One outcome per model of every row of a many-model table, with the call's cost where the table has
    /// costs (the row's task set aside: routes come from `import outcomes`); a row with a blank cell is skipped as the table reader documents, never read as a zero.
    /// </summary>
    private static IEnumerable<OutcomeImportRow> ParseTable(string path)
    {
        Tables.OutcomeTable table;
        try
        {
            table = Tables.OutcomeTableReader.ReadFile(path);
        }
        catch (InvalidDataException e)
        {
            throw new OutcomeImportException(e.Message, e);
        }

        foreach (var row in table.Rows)
        {
            for (var m = 0; m < table.Models.Count; m++)
            {
                yield return new OutcomeImportRow(row.Line, row.Prompt, table.Models[m], row.Scores[m]) { CostUsd = row.Costs?[m] };
            }
        }
    }

    /// <summary>true/false, 1/0 or a number in [0, 1] (invariant culture).</summary>
    public static bool TryParseOutcome(string text, out double score)
    {
        score = 0;
        text = text.Trim();
        if (bool.TryParse(text, out var b))
        {
            score = b ? 1 : 0;
            return true;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out score) && score is >= 0 and <= 1;
    }

    private static IEnumerable<(int Line, List<string> Fields)> Records(string path) =>
        CsvRecords.ReadFile(path, (line, message) => new OutcomeImportException(path, line, message));

    private static IEnumerable<OutcomeImportRow> ParseCsv(string path)
    {
        using var records = Records(path).GetEnumerator();
        if (!records.MoveNext())
        {
            throw new OutcomeImportException(path, 1, "empty file: expected a header text,model,outcome");
        }

        var (headerLine, header) = records.Current;
        int IndexOf(string name) => header.FindIndex(h => string.Equals(h.Trim(), name, StringComparison.OrdinalIgnoreCase));
        int Column(string name)
        {
            var i = IndexOf(name);
            return i >= 0 ? i : throw new OutcomeImportException(path, headerLine, $"the header has no '{name}' column (expected text,model,outcome, or RouteLLM's prompt and one column per model)");
        }

        if (IndexOf("model") < 0 && IndexOf("prompt") is var prompt and >= 0)
        {
            // RouteLLM's format (the files `eval --outcomes` reads): each line is an outcome for every model column.
            var models = ModelColumns(path, header, headerLine, prompt);
            while (records.MoveNext())
            {
                var (start, record) = records.Current;
                if (record.Count < header.Count)
                {
                    throw new OutcomeImportException(path, start, $"expected {header.Count} fields, found {record.Count}");
                }

                foreach (var j in models)
                {
                    yield return Row(path, start, record[prompt], header[j], record[j]);
                }
            }

            yield break;
        }

        int text = Column("text"), model = Column("model"), outcome = Column("outcome");
        var width = Math.Max(text, Math.Max(model, outcome)) + 1;
        while (records.MoveNext())
        {
            var (start, record) = records.Current;
            if (record.Count < width)
            {
                throw new OutcomeImportException(path, start, $"expected at least {width} fields, found {record.Count}");
            }

            yield return Row(path, start, record[text], record[model], record[outcome]);
        }
    }

    /// <summary>
    /// The model columns of a RouteLLM-format file: those at least half of whose cells are outcomes.
    /// The answer columns RouteLLM's GSM8K file keeps after its outcome columns are passed over; a model
    /// column with a few bad cells stays in, so each bad cell is an error with its line rather than a
    /// column silently left out. A pass of its own over the file, before the rows are read.
    /// </summary>
    private static List<int> ModelColumns(string path, List<string> header, int headerLine, int prompt)
    {
        var outcomes = new int[header.Count];
        var records = 0;
        foreach (var (_, record) in Records(path).Skip(1))
        {
            records++;
            for (var j = 0; j < Math.Min(record.Count, header.Count); j++)
            {
                outcomes[j] += TryParseOutcome(record[j], out _) ? 1 : 0;
            }
        }

        var models = Enumerable.Range(0, header.Count).Where(j => j != prompt && records > 0 && 2 * outcomes[j] >= records).ToList();
        if (records > 0 && models.Count == 0)
        {
            throw new OutcomeImportException(path, headerLine + 1, $"no column but 'prompt' holds outcomes (true/false, 1/0 or a score in [0, 1]); the columns are {string.Join(", ", header)}");
        }

        if (models.FirstOrDefault(j => string.IsNullOrWhiteSpace(header[j]), -1) is var unnamed and >= 0)
        {
            throw new OutcomeImportException(path, headerLine, $"column {unnamed + 1} holds outcomes but the header gives it no model name");
        }

        return models;
    }

    private static OutcomeImportRow Row(string path, int line, string? text, string? model, string? outcome)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new OutcomeImportException(path, line, "empty text");
        }

        if (string.IsNullOrWhiteSpace(model))
        {
            throw new OutcomeImportException(path, line, "empty model");
        }

        if (outcome is null || !TryParseOutcome(outcome, out var score))
        {
            throw new OutcomeImportException(path, line, $"outcome '{outcome}' is not true/false, 1/0 or a score in [0, 1]");
        }

        return new OutcomeImportRow(line, text, model.Trim(), score);
    }

    private static IEnumerable<OutcomeImportRow> ParseJsonLines(string path)
    {
        var line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            string? query, model, outcome;
            try
            {
                using var doc = JsonDocument.Parse(text);
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new OutcomeImportException(path, line, "expected a JSON object {\"text\", \"model\", \"outcome\"}");
                }

                query = StringOf(doc.RootElement, "text");
                model = StringOf(doc.RootElement, "model");
                outcome = doc.RootElement.TryGetProperty("outcome", out var o)
                    ? o.ValueKind switch
                    {
                        JsonValueKind.True => "true",
                        JsonValueKind.False => "false",
                        JsonValueKind.Number => o.GetRawText(),
                        JsonValueKind.String => o.GetString(),
                        _ => null,
                    }
                    : null;
            }
            catch (JsonException e)
            {
                throw new OutcomeImportException(path, line, $"invalid JSON: {e.Message}");
            }

            yield return Row(path, line, query, model, outcome);
        }

        static string? StringOf(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }
}
