using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SemanticRouter.Formats;
using SemanticRouter.IO;

namespace SemanticRouter.Routes.Import;

/// <summary>
/// Turns public intent data sets into a routes directory plus JSON-lines evaluation splits:
/// <c>OUT/routes/</c> (the example <c>models.yaml</c> and route files holding the training utterances),
/// <c>OUT/test.jsonl</c>, and for CLINC150 also <c>OUT/validation.jsonl</c> and <c>OUT/oos_train.jsonl</c>.
/// Each JSON line is <c>{"text": ..., "route": ...}</c>, route null for out-of-scope queries.
/// </summary>
/// <remarks>
/// Everything is written to a temporary directory beside OUT, validated with <see cref="RouteCatalog.Load"/>
/// and then renamed into place, so OUT is either the complete import or untouched. A non-empty OUT is
/// refused unless <see cref="DatasetImportOptions.Force"/>. Training texts are trimmed and their runs of white
/// space collapsed to one space (BANKING77 has texts with stray line breaks); rows whose utterance is
/// then a duplicate within its route, or already in another route, are dropped and counted in the
/// summary, since route files may not repeat an utterance. Evaluation splits keep every row (with the
/// same white-space clean-up).
/// </remarks>
public static class DatasetImporter
{
    /// <summary>The targets every imported route gets (through each file's <c>defaults:</c>): models from the
    /// example catalogue that suit short, single-intent requests, with priors that favour the cheap ones.</summary>
    public static IReadOnlyList<RouteTarget> DefaultTargets { get; } =
    [
        new("gpt-4o-mini", 0.88),
        new("claude-haiku-3.5", 0.86),
        new("llama-3.1-8b-instruct", 0.78),
    ];

    /// <summary>The example model catalogue (the repository's <c>routes/models.yaml</c>), byte for byte.</summary>
    public static byte[] ExampleModelCatalog()
    {
        using var stream = typeof(DatasetImporter).Assembly.GetManifestResourceStream("SemanticRouter.Routes.Import.models.yaml")
            ?? throw new InvalidOperationException("the example model catalogue is missing from the assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Imports CLINC150 from <c>data_full.json</c> (<paramref name="source"/> is the file or its folder):
    /// 150 routes from <c>train</c>; <c>test.jsonl</c> = test + oos_test, <c>validation.jsonl</c> = val + oos_val,
    /// <c>oos_train.jsonl</c> = oos_train.</summary>
    public static DatasetImportSummary ImportClinc150(string source, string outputDirectory, DatasetImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var file = Directory.Exists(source) ? Path.Combine(source, "data_full.json") : source;
        if (!File.Exists(file))
        {
            throw new DatasetImportException($"CLINC150 source '{file}' not found (expected data_full.json or its folder)");
        }

        var splits = new Dictionary<string, List<(string Text, string? Route)>>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (var name in new[] { "train", "val", "test", "oos_train", "oos_val", "oos_test" })
            {
                if (!doc.RootElement.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array)
                {
                    throw new DatasetImportException($"{file}: missing the '{name}' list");
                }

                var rows = new List<(string, string?)>();
                var i = 0;
                foreach (var item in array.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Array || item.GetArrayLength() != 2
                        || item[0].ValueKind != JsonValueKind.String || item[1].ValueKind != JsonValueKind.String)
                    {
                        throw new DatasetImportException($"{file}: {name}[{i}] is not a [text, intent] pair");
                    }

                    var intent = item[1].GetString()!;
                    rows.Add((item[0].GetString()!, intent == "oos" ? null : intent));
                    i++;
                }

                splits[name] = rows;
            }
        }
        catch (JsonException e)
        {
            throw new DatasetImportException($"{file}:{e.LineNumber + 1}: not valid JSON: {e.Message}", e);
        }

        var data = new ImportData("clinc150", "CLINC150", Path.GetFileName(file));
        data.AddTraining(splits["train"].Where(r => r.Route is not null).Select(r => (r.Text, r.Route!, $"train")));
        data.Splits.Add(("test.jsonl", [.. splits["test"], .. splits["oos_test"]]));
        data.Splits.Add(("validation.jsonl", [.. splits["val"], .. splits["oos_val"]]));
        data.Splits.Add(("oos_train.jsonl", [.. splits["oos_train"], .. splits["train"].Where(r => r.Route is null)]));
        return Write(data, outputDirectory, options ?? new DatasetImportOptions());
    }

    /// <summary>Imports BANKING77 from a folder with <c>train.csv</c> and <c>test.csv</c> (columns <c>text,category</c>):
    /// 77 routes from train; <c>test.jsonl</c> from test.</summary>
    public static DatasetImportSummary ImportBanking77(string source, string outputDirectory, DatasetImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var folder = File.Exists(source) ? Path.GetDirectoryName(Path.GetFullPath(source))! : source;
        var train = Path.Combine(folder, "train.csv");
        if (!File.Exists(train))
        {
            throw new DatasetImportException($"BANKING77 source '{train}' not found (expected a folder with train.csv and test.csv)");
        }

        var data = new ImportData("banking77", "BANKING77", "train.csv");
        data.AddTraining(ReadCsv(train).Select(r => (r.Text, r.Route, $"train.csv:{r.Line}")));
        var test = Path.Combine(folder, "test.csv");
        if (File.Exists(test))
        {
            data.Splits.Add(("test.jsonl", ReadCsv(test).Select(r => (r.Text, (string?)r.Route)).ToList()));
        }

        return Write(data, outputDirectory, options ?? new DatasetImportOptions());
    }

    /// <summary>Imports a folder with <c>train.jsonl</c> and optional <c>test.jsonl</c> / <c>validation.jsonl</c>, lines
    /// <c>{"text": ..., "route": ...}</c>. Training lines with a null route go to <c>oos_train.jsonl</c>.</summary>
    public static DatasetImportSummary ImportJsonl(string source, string outputDirectory, DatasetImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var folder = File.Exists(source) ? Path.GetDirectoryName(Path.GetFullPath(source))! : source;
        var train = Path.Combine(folder, "train.jsonl");
        if (!File.Exists(train))
        {
            throw new DatasetImportException($"jsonl source '{train}' not found (expected a folder with train.jsonl and optional test.jsonl)");
        }

        var data = new ImportData("jsonl", "JSONL", "train.jsonl");
        var rows = ReadJsonl(train);
        data.AddTraining(rows.Where(r => r.Route is not null).Select(r => (r.Text, r.Route!, $"train.jsonl:{r.Line}")));
        foreach (var name in new[] { "test.jsonl", "validation.jsonl" })
        {
            var path = Path.Combine(folder, name);
            if (File.Exists(path))
            {
                data.Splits.Add((name, ReadJsonl(path).Select(r => (r.Text, r.Route)).ToList()));
            }
        }

        var oos = rows.Where(r => r.Route is null).Select(r => (r.Text, r.Route)).ToList();
        if (oos.Count > 0)
        {
            data.Splits.Add(("oos_train.jsonl", oos));
        }

        return Write(data, outputDirectory, options ?? new DatasetImportOptions());
    }

    private static List<(int Line, string Text, string Route)> ReadCsv(string path)
    {
        var name = Path.GetFileName(path);
        var result = new List<(int, string, string)>();
        var first = true;
        int textColumn = 0, routeColumn = 1;
        foreach (var (line, fields) in CsvRecords.ReadFile(path, (line, message) => new DatasetImportException($"{name}:{line}: {message}")))
        {
            if (first)
            {
                first = false;
                textColumn = fields.IndexOf("text");
                routeColumn = fields.IndexOf("category");
                if (textColumn < 0 || routeColumn < 0)
                {
                    throw new DatasetImportException($"{name}:{line}: expected a header with columns 'text' and 'category'");
                }

                continue;
            }

            if (fields.Count <= Math.Max(textColumn, routeColumn))
            {
                throw new DatasetImportException($"{name}:{line}: expected {Math.Max(textColumn, routeColumn) + 1} columns, found {fields.Count}");
            }

            result.Add((line, fields[textColumn], fields[routeColumn].Trim()));
        }

        return result;
    }

    private static List<(int Line, string Text, string? Route)> ReadJsonl(string path)
    {
        var name = Path.GetFileName(path);
        var result = new List<(int, string, string?)>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
                {
                    throw new DatasetImportException($"{name}:{number}: expected an object with a string 'text'");
                }

                string? route = null;
                if (root.TryGetProperty("route", out var r) && r.ValueKind != JsonValueKind.Null)
                {
                    route = r.ValueKind == JsonValueKind.String ? r.GetString() : throw new DatasetImportException($"{name}:{number}: 'route' must be a string or null");
                }

                result.Add((number, text.GetString()!, route));
            }
            catch (JsonException e)
            {
                throw new DatasetImportException($"{name}:{number}: not valid JSON: {e.Message}", e);
            }
        }

        return result;
    }

    /// <summary>
    /// Imports many-model outcome tables (RouterBench's CSV, RouteLLM's CSV, the JSONL form; several are
    /// concatenated and must name the same models): one route per task set (RouterBench's <c>eval_name</c>,
    /// else the file), its utterances the prompts, every route targeting every model of the table with the
    /// model's success rate on the imported prompts as its prior, and a <c>models.yaml</c> naming the table's
    /// models. Then `outcomes import` of the same files records each prompt's outcomes (and costs) on its own
    /// utterance, and the index ranks as `eval --outcomes` measures (docs/evaluation.md#routerbench).
    /// </summary>
    public static DatasetImportSummary ImportOutcomes(IReadOnlyList<string> paths, string outputDirectory, DatasetImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        Outcomes.Tables.OutcomeTable table;
        try
        {
            table = Outcomes.Tables.OutcomeTableReader.Read(paths);
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or IOException)
        {
            throw new DatasetImportException(e.Message);
        }

        if (table.Rows.Count == 0)
        {
            throw new DatasetImportException($"{string.Join(", ", paths)}: no prompt with every model's outcome");
        }

        var m = table.Models.Count;
        var quality = new double[m];
        var cost = new double[m];
        foreach (var row in table.Rows)
        {
            for (var j = 0; j < m; j++)
            {
                quality[j] += row.Scores[j] / table.Rows.Count;
                cost[j] += (row.Costs?[j] ?? 0) / table.Rows.Count;
            }
        }

        var inv = CultureInfo.InvariantCulture;
        var catalogue = new StringBuilder();
        catalogue.Append("# Imported by `semantic-router import outcomes` from ").Append(string.Join(", ", paths.Select(Path.GetFileName))).Append(".\n");
        catalogue.Append(table.HasCosts
            ? "# cost.input and cost.output both hold the model's mean observed cost per call (US dollars) on the\n# imported prompts. The ranker uses them only where no neighbour has an observed cost.\n"
            : "# The tables carry no costs: every cost is 0, so the cost term ranks nothing until outcomes with costs are recorded.\n");
        catalogue.Append("models:\n");
        for (var j = 0; j < m; j++)
        {
            if (!RouteNames.IsValidModelName(table.Models[j]))
            {
                throw new DatasetImportException($"model '{table.Models[j]}' is not a valid model name (pattern {RouteNames.ModelPattern})");
            }

            var c = cost[j].ToString("0.##########", inv);
            catalogue.Append("  - name: ").Append(YamlText.Scalar(table.Models[j], preferPlain: true)).Append('\n')
                .Append("    cost: { input: ").Append(c).Append(", output: ").Append(c).Append(" }\n");
        }

        var data = new ImportData("outcomes", "outcome tables", string.Join(", ", paths.Select(Path.GetFileName)))
        {
            Catalogue = Encoding.UTF8.GetBytes(catalogue.ToString()),
            Targets = [.. table.Models.Select((model, j) => new RouteTarget(model, Math.Round(quality[j], 4)))],
        };
        data.AddTraining(table.Rows.Select(r => (r.Prompt, r.Group, $"{Path.GetFileName(r.Source)}:{r.Line}")));
        return Write(data, outputDirectory, options ?? new DatasetImportOptions());
    }

    /// <summary>The rows of one import before anything is written.</summary>
    private sealed class ImportData(string dataset, string title, string sourceName)
    {
        /// <summary>The <c>models.yaml</c> to write (null: the example catalogue).</summary>
        internal byte[]? Catalogue { get; init; }

        /// <summary>The targets of every route (null: <see cref="DefaultTargets"/>).</summary>
        internal IReadOnlyList<RouteTarget>? Targets { get; init; }

        private readonly Dictionary<string, string> owners = new(StringComparer.Ordinal);

        internal string Dataset { get; } = dataset;
        internal string Title { get; } = title;
        internal string SourceName { get; } = sourceName;
        internal SortedDictionary<string, List<string>> Routes { get; } = new(StringComparer.Ordinal);
        internal List<(string File, List<(string Text, string? Route)> Rows)> Splits { get; } = [];
        internal int Duplicates { get; private set; }
        internal int Conflicts { get; private set; }
        internal int Empty { get; private set; }

        private readonly Dictionary<string, string> labels = new(StringComparer.Ordinal);

        /// <summary>Labels that had to be renamed to become route names (label → route name).</summary>
        internal SortedDictionary<string, string> Renamed { get; } = new(StringComparer.Ordinal);

        /// <summary>
        /// The route name for a label: lower-cased, each run of characters outside <c>[a-z0-9_.-]</c> replaced by
        /// '_', and '_' trimmed from both ends (BANKING77 has 'Refund_not_showing_up' and 'reverted_card_payment?').
        /// Two labels that end up with the same name, or a label with no usable character, are refused.
        /// </summary>
        internal string RouteName(string label, string where)
        {
            var route = Sanitise(label);
            if (!RouteNames.IsValidRouteName(route))
            {
                throw new DatasetImportException($"{where}: label '{label}' cannot be made a valid route name (pattern {RouteNames.Pattern})");
            }

            if (labels.TryGetValue(route, out var other) && other != label)
            {
                throw new DatasetImportException($"{where}: labels '{other}' and '{label}' would both become route '{route}'");
            }

            labels[route] = label;
            if (route != label)
            {
                Renamed[label] = route;
            }

            return route;
        }

        private static string Sanitise(string label)
        {
            var sb = new StringBuilder(label.Length);
            foreach (var c in label.Trim().ToLowerInvariant())
            {
                if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '.' or '-')
                {
                    sb.Append(c);
                }
                else if (sb.Length == 0 || sb[^1] != '_')
                {
                    sb.Append('_');
                }
            }

            return sb.ToString().Trim('_');
        }

        internal void AddTraining(IEnumerable<(string Text, string Route, string Where)> rows)
        {
            foreach (var (raw, label, where) in rows)
            {
                var route = RouteName(label, where);

                var text = RouteNames.CollapseWhiteSpace(raw);
                if (text.Length == 0)
                {
                    Empty++;
                    continue;
                }

                if (!Routes.TryGetValue(route, out var list))
                {
                    Routes.Add(route, list = []);
                }

                var key = RouteNames.DuplicateKey(text);
                if (owners.TryGetValue(key, out var owner))
                {
                    if (owner == route)
                    {
                        Duplicates++;
                    }
                    else
                    {
                        Conflicts++;
                    }

                    continue;
                }

                owners.Add(key, route);
                list.Add(text);
            }
        }
    }

    private static DatasetImportSummary Write(ImportData data, string outputDirectory, DatasetImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(outputDirectory);
        if (options.RoutesPerFile < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "RoutesPerFile must be at least 1");
        }

        if (data.Routes.Count == 0)
        {
            throw new DatasetImportException($"{data.SourceName}: no training utterances found");
        }

        for (var s = 0; s < data.Splits.Count; s++)
        {
            var (file, rows) = data.Splits[s];
            for (var i = 0; i < rows.Count; i++)
            {
                if (rows[i].Route is not { } label)
                {
                    continue;
                }

                var route = data.RouteName(label, file);
                if (!data.Routes.ContainsKey(route))
                {
                    throw new DatasetImportException($"{file}: route '{label}' has no training utterances");
                }

                rows[i] = (rows[i].Text, route);
            }
        }

        var target = Path.GetFullPath(outputDirectory);
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any() && !options.Force)
        {
            throw new DatasetImportException($"output directory '{outputDirectory}' is not empty; pass --force to replace it");
        }

        if (File.Exists(target))
        {
            throw new DatasetImportException($"output path '{outputDirectory}' is a file");
        }

        RouteCatalog? catalog = null;
        var splits = new List<ImportedSplit>();
        AtomicWrite.ReplaceDirectory(target, temp =>
        {
            var routesDir = Path.Combine(temp, "routes");
            Directory.CreateDirectory(routesDir);
            File.WriteAllBytes(Path.Combine(routesDir, "models.yaml"), data.Catalogue ?? ExampleModelCatalog());
            var chunks = data.Routes.Chunk(options.RoutesPerFile).ToList();
            var width = Math.Max(2, chunks.Count.ToString(CultureInfo.InvariantCulture).Length);
            for (var i = 0; i < chunks.Count; i++)
            {
                var name = $"{data.Dataset}-{(i + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width, '0')}.yaml";
                File.WriteAllText(Path.Combine(routesDir, name), RouteFileText(data, chunks[i]), new UTF8Encoding(false));
            }

            foreach (var (file, rows) in data.Splits)
            {
                WriteJsonl(Path.Combine(temp, file), rows);
                splits.Add(new ImportedSplit(file, rows.Count, rows.Count(r => r.Route is null)));
            }

            // Never hand over something the loader would refuse.
            catalog = RouteCatalog.Load(routesDir);
        });

        return new DatasetImportSummary(data.Dataset, outputDirectory, catalog!.Routes.Count, catalog.UtteranceCount,
            data.Duplicates, data.Conflicts, data.Empty, splits)
        {
            RenamedLabels = new Dictionary<string, string>(data.Renamed, StringComparer.Ordinal).AsReadOnly(),
        };
    }

    private static string RouteFileText(ImportData data, KeyValuePair<string, List<string>>[] routes)
    {
        var sb = new StringBuilder();
        sb.Append("# Imported from ").Append(data.Title).Append(" (").Append(data.SourceName)
          .Append(") by `semantic-router import ").Append(data.Dataset).Append("`.\n");
        if (data.Targets is null)
        {
            sb.Append("# Every route targets models from the example catalogue (models.yaml); the priors are starting\n");
            sb.Append("# guesses until outcomes are recorded. Utterances are the training split, white space tidied.\n");
        }
        else
        {
            sb.Append("# Every route targets every model of the tables, each with its success rate on the imported prompts\n");
            sb.Append("# as its prior. Utterances are the prompts, white space tidied; `outcomes import` of the same files\n");
            sb.Append("# records each prompt's outcomes on its own utterance.\n");
        }

        sb.Append("defaults:\n  targets:\n");
        foreach (var t in data.Targets ?? DefaultTargets)
        {
            sb.Append("    - model: ").Append(t.Model).Append("\n      prior: ")
              .Append(t.Prior.ToString("0.0##", CultureInfo.InvariantCulture)).Append('\n');
        }

        sb.Append("  metadata:\n    source: ").Append(data.Dataset).Append("\n\nroutes:\n");
        foreach (var (route, utterances) in routes)
        {
            sb.Append("  - name: ").Append(YamlText.Scalar(route, preferPlain: true)).Append('\n');
            sb.Append("    description: ").Append(YamlText.DoubleQuoted($"{data.Title} intent '{route}': {route.Replace('_', ' ')}")).Append('\n');
            sb.Append("    utterances:\n");
            foreach (var u in utterances)
            {
                sb.Append("      - ").Append(YamlText.Scalar(u, preferPlain: true)).Append('\n');
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }

    private static void WriteJsonl(string path, List<(string Text, string? Route)> rows)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        foreach (var (text, route) in rows)
        {
            using (var writer = new Utf8JsonWriter(stream, options))
            {
                writer.WriteStartObject();
                writer.WriteString("text", RouteNames.CollapseWhiteSpace(text));
                if (route is null)
                {
                    writer.WriteNull("route");
                }
                else
                {
                    writer.WriteString("route", route);
                }

                writer.WriteEndObject();
            }

            stream.WriteByte((byte)'\n');
        }

        stream.Flush(flushToDisk: true);
    }
}
