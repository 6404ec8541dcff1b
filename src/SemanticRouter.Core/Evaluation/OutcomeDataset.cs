using System.Text.Json;
using SemanticRouter.Routes.Import;

namespace SemanticRouter.Evaluation;

/// <summary>
/// Observed outcomes of a cheap (weak) and a strong model per prompt, in RouteLLM's format: CSV
/// files with columns <c>prompt</c>, then the weak model's and the strong model's True/False
/// (column order as in RouteLLM's MMLU files; <c>--weak</c>/<c>--strong</c> may name them).
/// Prompts listed as <c>eval_prompt</c> in a <c>*contaminated_prompts.jsonl</c> next to the files
/// (or one folder up) are excluded, as RouteLLM does. Each file is a route (MMLU: one subject per
/// file): <see cref="Routes"/> names them, <see cref="RouteOf"/> gives each prompt's.
/// </summary>
public sealed record OutcomeDataset(string WeakModel, string StrongModel, IReadOnlyList<string> Prompts, bool[] Weak, bool[] Strong, int Excluded)
{
    /// <summary>Route names: the files' names without extension, in load (ordinal) order.</summary>
    public IReadOnlyList<string> Routes { get; init; } = [];

    /// <summary>Per prompt, its index in <see cref="Routes"/>.</summary>
    public int[] RouteOf { get; init; } = [];

    public static OutcomeDataset Load(string fileOrDirectory, string? weakColumn = null, string? strongColumn = null)
    {
        ArgumentNullException.ThrowIfNull(fileOrDirectory);
        string[] files;
        string folder;
        if (Directory.Exists(fileOrDirectory))
        {
            files = Directory.GetFiles(fileOrDirectory, "*.csv").Order(StringComparer.Ordinal).ToArray();
            folder = fileOrDirectory;
        }
        else if (File.Exists(fileOrDirectory))
        {
            files = [fileOrDirectory];
            folder = Path.GetDirectoryName(Path.GetFullPath(fileOrDirectory))!;
        }
        else
        {
            throw new FileNotFoundException($"'{fileOrDirectory}' not found");
        }

        if (files.Length == 0)
        {
            throw new InvalidDataException($"no *.csv files in '{fileOrDirectory}'");
        }

        var contaminated = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dir in new[] { folder, Path.GetDirectoryName(Path.GetFullPath(folder)) })
        {
            if (dir is null || !Directory.Exists(dir))
            {
                continue;
            }

            foreach (var c in Directory.GetFiles(dir, "*contaminated_prompts.jsonl"))
            {
                foreach (var line in File.ReadLines(c).Where(l => !string.IsNullOrWhiteSpace(l)))
                {
                    using var doc = JsonDocument.Parse(line);
                    if (doc.RootElement.TryGetProperty("eval_prompt", out var e) && e.GetString() is { } s)
                    {
                        contaminated.Add(s);
                    }
                }
            }
        }

        string? weakName = null, strongName = null;
        var prompts = new List<string>();
        var weak = new List<bool>();
        var strong = new List<bool>();
        var excluded = 0;
        var routeNames = new List<string>();
        var routeOf = new List<int>();
        foreach (var file in files)
        {
            var rows = CsvReader.Read(File.ReadAllText(file), file).ToList();
            if (rows.Count == 0)
            {
                continue;
            }

            var header = rows[0].Fields;
            var p = header.IndexOf("prompt");
            var wi = weakColumn is null ? header.FindIndex(h => h != "prompt") : header.IndexOf(weakColumn);
            var si = strongColumn is null ? header.FindLastIndex(h => h != "prompt") : header.IndexOf(strongColumn);
            if (p < 0 || wi < 0 || si < 0 || wi == si)
            {
                throw new InvalidDataException($"{file}: expected columns prompt, weak model, strong model");
            }

            weakName ??= header[wi];
            strongName ??= header[si];
            var route = routeNames.Count;
            routeNames.Add(Path.GetFileNameWithoutExtension(file));
            foreach (var (line, fields) in rows.Skip(1))
            {
                if (fields.Count < header.Count)
                {
                    throw new InvalidDataException($"{file}:{line}: expected {header.Count} fields");
                }

                if (contaminated.Contains(fields[p]))
                {
                    excluded++;
                    continue;
                }

                prompts.Add(fields[p]);
                routeOf.Add(route);
                weak.Add(ParseBool(fields[wi], file, line));
                strong.Add(ParseBool(fields[si], file, line));
            }
        }

        return new OutcomeDataset(weakName!, strongName!, prompts, [.. weak], [.. strong], excluded)
        {
            Routes = routeNames,
            RouteOf = [.. routeOf],
        };
    }

    private static bool ParseBool(string value, string file, int line) => value.Trim() switch
    {
        "True" or "true" or "1" => true,
        "False" or "false" or "0" => false,
        _ => throw new InvalidDataException($"{file}:{line}: '{value}' is not True/False"),
    };
}
