using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SemanticRouter.RouteHead;

/// <summary>
/// What a build needs to train the route head: the parameters <c>fit</c> wrote and, when they ask for an
/// out-of-scope class, the out-of-scope training examples (CLINC150's <c>oos_train</c>).
/// </summary>
/// <param name="Parameters">The parameters.</param>
/// <param name="OutOfScopeExamples">Texts of the out-of-scope class (used when the parameters ask for it).</param>
public sealed record RouteHeadSettings(RouteHeadParameters Parameters, IReadOnlyList<string> OutOfScopeExamples)
{
    /// <summary>
    /// The parameters file as given (its text, not a re-serialisation): the artefact carries it verbatim,
    /// so the same file always gives the same artefact bytes and index version, whatever the program's
    /// own serialisation (it renamed <c>tau</c>/<c>alpha</c>). Built from <see cref="Parameters"/> when
    /// no file was read.
    /// </summary>
    public string ParametersJson { get; init; } = Parameters.ToJson();

    /// <summary>Changes whenever the head would change: part of the index version.</summary>
    public string Fingerprint
    {
        get
        {
            var text = ParametersJson + "\u001f" + string.Join('\u001e', OutOfScopeExamples);
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
        }
    }

    /// <summary>
    /// Reads <c>router-params.json</c> and, beside it, <c>oos_train.jsonl</c> (lines with a "text" field)
    /// when present.
    /// </summary>
    /// <exception cref="InvalidDataException">The parameters or the out-of-scope examples are malformed.</exception>
    public static RouteHeadSettings Load(string parametersFile)
    {
        string json = File.ReadAllText(parametersFile);
        RouteHeadParameters parameters;
        try
        {
            parameters = RouteHeadParameters.FromJson(json);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{parametersFile}: {e.Message}", e);
        }

        string oos = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(parametersFile))!, "oos_train.jsonl");
        var examples = new List<string>();
        if (File.Exists(oos))
        {
            int line = 0;
            foreach (string text in File.ReadLines(oos))
            {
                line++;
                if (text.Length == 0)
                {
                    continue;
                }

                try
                {
                    using var doc = JsonDocument.Parse(text);
                    if (doc.RootElement.GetProperty("text").GetString() is { } example)
                    {
                        examples.Add(example);
                    }
                }
                catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
                {
                    throw new InvalidDataException($"{oos}:{line}: expected a JSON object with a \"text\" string", e);
                }
            }
        }

        return new RouteHeadSettings(parameters, examples) { ParametersJson = json };
    }
}
