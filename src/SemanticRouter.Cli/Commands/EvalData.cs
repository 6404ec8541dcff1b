using System.Globalization;
using System.Text.Json;
using SemanticRouter.Embeddings;
using SemanticRouter.Evaluation;
using SemanticRouter.Routes;
using Spectre.Console;

namespace SemanticRouter.Cli.Commands;

/// <summary>Loading and embedding for eval/fit: route utterances, JSON-lines test files, cached vectors.</summary>
internal sealed class EvalData : IDisposable
{
    private readonly ModelFolder _folder;
    private SentenceEncoder? _encoder;
    private readonly EmbeddingCache _cache;

    private readonly LongInputPolicy _longInput;

    public EvalData(ModelChoice model, LongInputPolicy longInput = LongInputPolicy.Head)
    {
        _folder = ModelOptions.OpenFolder(model);
        _longInput = longInput;

        // Another policy reads other tokens of a long text: its vectors are cached apart (head keeps the original file).
        var fingerprint = EmbeddingCache.FingerprintOf(_folder.ModelPath) + (longInput == LongInputPolicy.Head ? "" : "-" + LongInputPolicies.Name(longInput));
        _cache = EmbeddingCache.Open(EmbeddingCache.DefaultDirectory, fingerprint, _folder.Dimensions);
    }

    public int Dimensions => _cache.Dimensions;

    public void Dispose() => _encoder?.Dispose();

    /// <summary>DIR/routes for a directory from `import`, else DIR itself (a plain routes folder).</summary>
    public static string RoutesDirectory(string directory) =>
        Directory.Exists(Path.Combine(directory, "routes")) ? Path.Combine(directory, "routes") : directory;

    /// <summary>A RouteLLM-format outcome file or folder (`eval --outcomes`, `fit --outcomes`).</summary>
    public static OutcomeDataset LoadOutcomes(string source, string? weakColumn = null, string? strongColumn = null)
    {
        OutcomeDataset data;
        try
        {
            data = OutcomeDataset.Load(source, weakColumn, strongColumn);
        }
        catch (FileNotFoundException e)
        {
            throw new CliException(e.Message, ExitCodes.BadInput);
        }

        return data.Prompts.Count > 0
            ? data
            : throw new CliException($"{source}: no prompts (expected RouteLLM's format: a prompt column, then a weak and a strong model's True/False, 1/0 or [0, 1] score column)", ExitCodes.BadInput);
    }

    /// <summary>
    /// A warning when the strong model does not do better than the weak one on these prompts: APGR and
    /// CPT measure the share of the strong model's gain a router keeps, so without a gain they mean
    /// nothing. Most often the two columns are the wrong way round.
    /// </summary>
    public static string? StrongModelWarning(OutcomeDataset data)
    {
        double weak = data.Weak.Average(), strong = data.Strong.Average();
        return strong > weak
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"warning: the strong model {data.StrongModel} ({strong * 100:F1} %) does not do better than the weak model {data.WeakModel} ({weak * 100:F1} %) on these prompts, so APGR and CPT mean nothing here; --weak COLUMN and --strong COLUMN pick the columns");
    }

    /// <summary>Route names (ordinal order) and every utterance with its route index.</summary>
    public static (List<string> Routes, List<string> Texts, int[] Labels) LoadRoutes(string directory)
    {
        var routesDir = RoutesDirectory(directory);
        RouteCatalog catalog;
        try
        {
            catalog = RouteCatalog.Load(routesDir);
        }
        catch (RouteValidationException e)
        {
            throw new CliException($"route files do not validate: {e.Errors[0]}", ExitCodes.BadInput);
        }

        var routes = catalog.Routes.Select(r => r.Name).Order(StringComparer.Ordinal).ToList();
        var index = routes.Select((r, i) => (r, i)).ToDictionary(p => p.r, p => p.i, StringComparer.Ordinal);
        var texts = new List<string>();
        var labels = new List<int>();
        foreach (var route in catalog.Routes)
        {
            foreach (var u in route.Utterances)
            {
                texts.Add(u);
                labels.Add(index[route.Name]);
            }
        }

        return (routes, texts, [.. labels]);
    }

    /// <summary>Lines <c>{"text": ..., "route": ...}</c>; a null or missing route is out-of-scope.</summary>
    public static List<(string Text, string? Route)> LoadJsonl(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"'{path}' not found", ExitCodes.BadInput);
        }

        var rows = new List<(string, string?)>();
        var line = 0;
        foreach (var raw in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(raw))
            {
                continue;
            }

            try
            {
                using var doc = JsonDocument.Parse(raw);
                if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("text", out var t) || t.ValueKind != JsonValueKind.String)
                {
                    throw new FormatException("expected an object with a string \"text\" (and \"route\": a route name or null)");
                }

                var text = t.GetString()!;
                string? route = doc.RootElement.TryGetProperty("route", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
                rows.Add((text, route));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
            {
                throw new CliException($"{path}:{line}: {e.Message}", ExitCodes.BadInput);
            }
        }

        if (rows.Count == 0)
        {
            throw new CliException($"{path} has no lines; expected JSON lines {{\"text\": ..., \"route\": ...}}", ExitCodes.BadInput);
        }

        return rows;
    }

    /// <summary>
    /// Warns (one stderr line) when labelled lines name routes the router does not have: they can
    /// only count as wrong, which usually means the file belongs to another route set.
    /// </summary>
    public static void WarnUnknownRoutes(IEnumerable<(string Text, string? Route)> rows, IEnumerable<string> routes, string path, TextWriter stderr, string command = "eval", string consequence = "they count as wrong")
    {
        var known = routes.ToHashSet(StringComparer.Ordinal);
        var unknown = rows.Where(r => r.Route is not null && !known.Contains(r.Route)).Select(r => r.Route!).ToList();
        if (unknown.Count > 0)
        {
            var names = unknown.Distinct(StringComparer.Ordinal).ToList();
            string shown = string.Join(", ", names.Take(3).Select(n => $"'{n}'")) + (names.Count > 3 ? ", …" : "");
            stderr.WriteLine($"{command}: warning: {unknown.Count} lines of {path} name routes the router does not have ({shown}); {consequence}");
        }
    }

    /// <summary>n×dims matrix for the texts; misses are embedded with a progress bar (on stderr) and cached.</summary>
    public float[] Embed(IReadOnlyList<string> texts, string what, TextWriter progressOut)
    {
        var missing = texts.Count(t => !_cache.TryGet(t, out _));
        if (missing == 0)
        {
            return _cache.GetOrEmbed(texts, _ => throw new InvalidOperationException("cache miss"));
        }

        if (ProgressLines.IsLines(progressOut))
        {
            // Not a terminal: a line every few seconds instead of a bar.
            return _cache.GetOrEmbed(texts, EmbedBatch, new SyncProgress(done => ProgressLines.Count(progressOut, $"embedding {what}", done, texts.Count)), batch: 256);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(progressOut) });
        float[] result = [];
        console.Progress().AutoClear(true).Start(ctx =>
        {
            var task = ctx.AddTask($"embedding {what}", maxValue: texts.Count);
            result = _cache.GetOrEmbed(texts, EmbedBatch, new SyncProgress(done => task.Value = done), batch: 256);
        });
        return result;
    }

    private float[][] EmbedBatch(IReadOnlyList<string> batch)
    {
        _encoder ??= new SentenceEncoder(_folder, new SentenceEncoderOptions { LongInput = _longInput });
        var flat = new float[batch.Count * _encoder.Dimensions];
        _encoder.Embed(batch, flat);
        var rows = new float[batch.Count][];
        for (var i = 0; i < batch.Count; i++)
        {
            rows[i] = flat.AsSpan(i * _encoder.Dimensions, _encoder.Dimensions).ToArray();
        }

        return rows;
    }

    private sealed class SyncProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
