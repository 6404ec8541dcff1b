using System.Text.Json;

namespace SemanticRouter.Outcomes.Tables;

/// <summary>
/// The JSONL outcome form, one prompt per line:
/// <c>{"prompt": "…", "outcomes": {"model": score, …}, "costs": {"model": usd, …}, "group": "…"}</c>;
/// <c>costs</c> and <c>group</c> are optional. A score is true/false, 1/0 or a number in [0, 1]; a cost
/// a non-negative number of US dollars. The models are those any line names, in first-seen order. A
/// line that lacks a model's outcome (or, when any line has costs, its cost) is skipped and reported;
/// a line that is not such an object, or a value of the wrong kind, stops the read with its line.
/// </summary>
public static class OutcomeJsonl
{
    public static OutcomeTable Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parsed = new List<(int Line, string Prompt, Dictionary<string, double> Scores, Dictionary<string, double>? Costs, string? Group)>();
        var models = new List<string>();
        var known = new HashSet<string>(StringComparer.Ordinal);
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
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("prompt", out var p) || p.ValueKind != JsonValueKind.String)
                {
                    throw new FormatException("expected an object with a string \"prompt\" and an object \"outcomes\"");
                }

                if (!root.TryGetProperty("outcomes", out var o) || o.ValueKind != JsonValueKind.Object)
                {
                    throw new FormatException("expected \"outcomes\": an object {\"model\": score, …}");
                }

                var scores = new Dictionary<string, double>(StringComparer.Ordinal);
                foreach (var e in o.EnumerateObject())
                {
                    scores[e.Name] = e.Value.ValueKind switch
                    {
                        JsonValueKind.True => 1,
                        JsonValueKind.False => 0,
                        JsonValueKind.Number when e.Value.GetDouble() is >= 0 and <= 1 and var d => d,
                        _ => throw new FormatException($"outcomes.{Clip(e.Name)}: expected true/false or a number in [0, 1]"),
                    };
                    if (known.Add(e.Name))
                    {
                        models.Add(e.Name);
                    }
                }

                Dictionary<string, double>? costs = null;
                if (root.TryGetProperty("costs", out var c) && c.ValueKind != JsonValueKind.Null)
                {
                    if (c.ValueKind != JsonValueKind.Object)
                    {
                        throw new FormatException("expected \"costs\": an object {\"model\": usd, …}");
                    }

                    costs = new Dictionary<string, double>(StringComparer.Ordinal);
                    foreach (var e in c.EnumerateObject())
                    {
                        costs[e.Name] = e.Value.ValueKind == JsonValueKind.Number && e.Value.GetDouble() is >= 0 and var d && double.IsFinite(d)
                            ? d
                            : throw new FormatException($"costs.{Clip(e.Name)}: expected a non-negative number of US dollars");
                    }
                }

                string? group = root.TryGetProperty("group", out var g) && g.ValueKind == JsonValueKind.String ? g.GetString() : null;
                parsed.Add((line, p.GetString()!, scores, costs, group));
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
            {
                throw new InvalidDataException($"{path}:{line}: {e.Message}");
            }
        }

        var withCosts = parsed.Any(r => r.Costs is not null);
        var name = Path.GetFileNameWithoutExtension(path);
        var rows = new List<OutcomeRow>(parsed.Count);
        var skipped = new List<SkippedRow>();
        foreach (var r in parsed)
        {
            var missing = models.FirstOrDefault(m => !r.Scores.ContainsKey(m));
            var missingCost = withCosts ? models.FirstOrDefault(m => r.Costs?.ContainsKey(m) != true) : null;
            if (missing is not null || missingCost is not null)
            {
                skipped.Add(new SkippedRow(path, r.Line, missing is not null ? $"no outcome of {missing}" : $"no cost of {missingCost}"));
                continue;
            }

            rows.Add(new OutcomeRow(r.Prompt, [.. models.Select(m => r.Scores[m])], withCosts ? [.. models.Select(m => r.Costs![m])] : null, path, r.Line, r.Group ?? name));
        }

        return new OutcomeTable(models, rows, skipped);
    }

    private static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
