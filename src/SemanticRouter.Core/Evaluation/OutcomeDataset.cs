using System.Text.Json;
using SemanticRouter.Formats;

namespace SemanticRouter.Evaluation;

/// <summary>
/// Observed outcomes of a cheap (weak) and a strong model per prompt, in RouteLLM's format: CSV
/// files with columns <c>prompt</c>, then the weak model's and the strong model's True/False, 1/0 or a
/// score in [0, 1] such as a judge's grade (column order as in RouteLLM's MMLU files;
/// <c>--weak</c>/<c>--strong</c> may name them). A model's quality is its mean score, as in RouteLLM's
/// MT-Bench evaluation; with yes/no outcomes that is its success rate. Columns
/// that hold something else, such as the answers RouteLLM's GSM8K file keeps beside each outcome
/// (<c>gpt-4-1106-preview_response</c>), are not model columns.
/// Prompts listed as <c>eval_prompt</c> in a <c>*contaminated_prompts.jsonl</c> next to the files
/// (or one folder up) are excluded, as RouteLLM does. Each file is a route (MMLU: one subject per
/// file): <see cref="Routes"/> names them, <see cref="RouteOf"/> gives each prompt's.
/// </summary>
public sealed record OutcomeDataset(string WeakModel, string StrongModel, IReadOnlyList<string> Prompts, double[] Weak, double[] Strong, int Excluded)
{
    /// <summary>Whether any outcome is a score strictly between 0 and 1 rather than a yes or a no.</summary>
    public bool IsGraded => Weak.Any(IsGrade) || Strong.Any(IsGrade);

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
            if (!string.Equals(Path.GetExtension(fileOrDirectory), ".csv", StringComparison.OrdinalIgnoreCase))
            {
                // As a folder is read for its *.csv files only: a JSON file (MT-Bench's judgements, say)
                // would otherwise be parsed as a CSV header and refused for a missing 'prompt' column.
                throw new InvalidDataException($"{fileOrDirectory}: not a .csv file (expected RouteLLM's CSV: a prompt column, then the weak and the strong model's True/False, 1/0 or a score in [0, 1])");
            }

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
        var weak = new List<double>();
        var strong = new List<double>();
        var excluded = 0;
        var routeNames = new List<string>();
        var routeOf = new List<int>();
        foreach (var file in files)
        {
            var rows = CsvRecords.ReadFile(file, (line, message) => new InvalidDataException($"{file}:{line}: {message}")).ToList();
            if (rows.Count == 0)
            {
                continue;
            }

            var header = rows[0].Fields;
            var (p, wi, si) = Columns(header, rows.Skip(1).Select(r => r.Fields).ToList(), weakColumn, strongColumn, file);

            // One weak and one strong model throughout: a folder that mixes other models' files would
            // otherwise be pooled under the first file's names.
            weakName ??= header[wi];
            strongName ??= header[si];
            if (header[wi] != weakName || header[si] != strongName)
            {
                throw new InvalidDataException($"{file}: its models are '{header[wi]}' and '{header[si]}', but '{files[0]}' has '{weakName}' and '{strongName}' (name the columns with --weak/--strong)");
            }

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
                weak.Add(ParseOutcome(fields[wi], file, line));
                strong.Add(ParseOutcome(fields[si], file, line));
            }
        }

        return new OutcomeDataset(weakName!, strongName!, prompts, [.. weak], [.. strong], excluded)
        {
            Routes = routeNames,
            RouteOf = [.. routeOf],
        };
    }

    /// <summary>
    /// The prompt column and the two model columns. A column named on the command line must exist; one
    /// not named is the first (weak) or last (strong) model column other than the named one. A model
    /// column is one at least half of whose cells are outcomes: RouteLLM's GSM8K file follows its two
    /// outcome columns with the two models' answers, and the last column there is text, not the strong
    /// model. Half, not all: a column with a few bad cells stays a model column, so each bad cell is
    /// an error with its line rather than a column silently passed over (and with fewer than two such
    /// columns every column stays in, for the same reason).
    /// </summary>
    private static (int Prompt, int Weak, int Strong) Columns(List<string> header, List<List<string>> rows, string? weakColumn, string? strongColumn, string file)
    {
        var p = header.IndexOf("prompt");
        if (p < 0)
        {
            throw new InvalidDataException($"{file}: no 'prompt' column (expected columns prompt, weak model, strong model; found {string.Join(", ", header)})");
        }

        int Named(string name, string flag)
        {
            var i = header.IndexOf(name);
            return i >= 0 && i != p ? i : throw new InvalidDataException($"{file}: no model column '{name}' ({flag}; its model columns are {string.Join(", ", header.Where((_, j) => j != p))})");
        }

        var wi = weakColumn is null ? -1 : Named(weakColumn, "--weak");
        var si = strongColumn is null ? -1 : Named(strongColumn, "--strong");
        var models = Enumerable.Range(0, header.Count).Where(j => j != p).ToList();
        var outcomeColumns = models.Where(j => rows.Count > 0 && 2 * rows.Count(r => j < r.Count && IsOutcome(r[j])) >= rows.Count).ToList();
        if (outcomeColumns.Count >= 2)
        {
            models = outcomeColumns;
        }

        if (wi < 0)
        {
            wi = models.FirstOrDefault(j => j != si, -1);
        }

        if (si < 0)
        {
            si = models.LastOrDefault(j => j != wi, -1);
        }

        if (wi < 0 || si < 0 || wi == si)
        {
            throw new InvalidDataException($"{file}: expected columns prompt, weak model, strong model, each model's cells True/False, 1/0 or a score in [0, 1] (found {string.Join(", ", header)})");
        }

        return (p, wi, si);
    }

    /// <summary>
    /// True/False in any case (RouteLLM's files, pandas' and spreadsheets' spellings), the numbers 1 and
    /// 0 in any form ("1", "1.0"), or a score in [0, 1]: the spellings <c>outcomes import</c> takes, so a
    /// file that imports also evaluates.
    /// </summary>
    private static double ParseOutcome(string value, string file, int line) =>
        TryParseOutcome(value, out var outcome)
            ? outcome
            : throw new InvalidDataException($"{file}:{line}: '{value}' is not an outcome: expected True/False, 1/0 or a score in [0, 1]");

    private static bool IsOutcome(string value) => TryParseOutcome(value, out _);

    private static bool TryParseOutcome(string value, out double outcome) => Outcomes.OutcomeImporter.TryParseOutcome(value, out outcome);

    private static bool IsGrade(double outcome) => outcome is > 0 and < 1;
}
