using System.Security.Cryptography;
using System.Text;
using SemanticRouter.Evaluation;

namespace SemanticRouter.Artifacts;

/// <summary>
/// What a build needs to train the route head: the parameters `fit` wrote and, when they ask for
/// an out-of-scope class, the out-of-scope training examples (CLINC150's <c>oos_train</c>).
/// </summary>
public sealed record RouteHeadSettings(FittedParameters Parameters, IReadOnlyList<string> OutOfScopeExamples)
{
    /// <summary>Changes whenever the head would change: part of the index version.</summary>
    public string Fingerprint
    {
        get
        {
            var text = Parameters.ToJson() + "\u001f" + string.Join('\u001e', OutOfScopeExamples);
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
        }
    }

    /// <summary>
    /// Reads <c>router-params.json</c> and, beside it, <c>oos_train.jsonl</c> (lines with a "text"
    /// field) when present.
    /// </summary>
    public static RouteHeadSettings Load(string parametersFile)
    {
        var parameters = FittedParameters.FromJson(File.ReadAllText(parametersFile));
        string oos = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(parametersFile))!, "oos_train.jsonl");
        var examples = new List<string>();
        if (File.Exists(oos))
        {
            foreach (string line in File.ReadLines(oos))
            {
                if (line.Length > 0 && System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("text").GetString() is { } text)
                {
                    examples.Add(text);
                }
            }
        }

        return new RouteHeadSettings(parameters, examples);
    }
}
