using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SemanticRouter.IO;

namespace SemanticRouter.RouteHead;

/// <summary>
/// The route head's parameters file (<c>router-params.json</c>): what <c>fit --routes</c> chose on training
/// data and <c>build</c> trains the head with. Route posterior P(r|q) = α·P_head(r|q) + (1−α)·P_knn(r|q)
/// (<see cref="RouteHeadMath"/>), with P_head = softmax(logits/T) of the route classifier (L2-regularised
/// multinomial logistic regression on standardised embeddings) and P_knn the vote of the k nearest
/// utterances, w_i = exp((s_i − s_max)/τ). Abstain when the abstention score (rule <c>posterior</c>: max
/// P(r|q); <c>similarity</c>: top-1 cosine; <c>head_max</c>: max softmax of the head at T = 1;
/// <c>energy</c>: logsumexp of the head's logits; <c>none</c>: never) is under <see cref="Threshold"/>.
/// </summary>
/// <remarks>
/// Keys use the vocabulary of every settings file (<c>k</c>, <c>temperature</c>, <c>route_head_weight</c>);
/// files written before that used <c>tau</c> and <c>alpha</c>, which are still read.
/// </remarks>
public sealed record RouteHeadParameters
{
    public const string SchemaId = "semantic-router/router-params/v1";

    /// <summary>Where <c>fit --routes</c> writes the file and <c>build</c> looks for it.</summary>
    public const string DefaultFileName = "router-params.json";

    [JsonPropertyName("schema")]
    public string Schema { get; init; } = SchemaId;

    /// <summary>Neighbours of the kNN vote.</summary>
    [JsonPropertyName("k")]
    public int K { get; init; } = 10;

    /// <summary>τ of the kNN vote; +∞ (written <c>"Infinity"</c>) is a plain majority vote.</summary>
    [JsonPropertyName("temperature")]
    public double Temperature { get; init; } = 0.05;

    /// <summary>α, the weight of the head's posterior in the blend with the kNN vote.</summary>
    [JsonPropertyName("route_head_weight")]
    public double RouteHeadWeight { get; init; } = 0.5;

    /// <summary>T of the head's softmax.</summary>
    [JsonPropertyName("head_temperature")]
    public double HeadTemperature { get; init; } = 1.0;

    [JsonPropertyName("head_l2")]
    public double HeadL2 { get; init; } = 1e-4;

    /// <summary>The head was trained with an extra out-of-scope class (examples from DIR/oos_train.jsonl).</summary>
    [JsonPropertyName("head_oos_class")]
    public bool HeadOutOfScopeClass { get; init; }

    /// <summary>One of <see cref="AbstainRules"/>.</summary>
    [JsonPropertyName("abstain_rule")]
    public string AbstainRule { get; init; } = AbstainRules.None;

    [JsonPropertyName("threshold")]
    public double Threshold { get; init; }

    /// <summary>How the parameters were chosen (e.g. "5-fold CV on 10003 route utterances").</summary>
    [JsonPropertyName("fitted_on")]
    public string FittedOn { get; init; } = "";

    /// <summary>Held-out figures measured while fitting (accuracy, OOS recall, …); informational.</summary>
    [JsonPropertyName("fit_metrics")]
    public Dictionary<string, double> FitMetrics { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Keys of files written before the one vocabulary, and what they are now.</summary>
    private static readonly (string Old, string New)[] LegacyKeys = [("tau", "temperature"), ("alpha", "route_head_weight")];

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <exception cref="InvalidDataException">Not JSON, another schema, or an old and a new key for the same setting.</exception>
    public static RouteHeadParameters FromJson(string json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(e.Message, e);
        }

        if (node is JsonObject root)
        {
            foreach (var (old, current) in LegacyKeys)
            {
                if (root.ContainsKey(old))
                {
                    if (root.ContainsKey(current))
                    {
                        throw new InvalidDataException($"parameters give both '{old}' (the old name) and '{current}'; keep '{current}'");
                    }

                    var value = root[old];
                    root.Remove(old);
                    root[current] = value;
                }
            }
        }

        RouteHeadParameters? p;
        try
        {
            p = node.Deserialize<RouteHeadParameters>(Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(e.Message, e);
        }

        if (p is null)
        {
            throw new InvalidDataException("empty parameters file");
        }

        if (p.Schema != SchemaId)
        {
            throw new InvalidDataException($"parameters schema '{p.Schema}' is not '{SchemaId}'");
        }

        return p;
    }

    /// <summary>Reads a parameters file.</summary>
    /// <exception cref="InvalidDataException">The file is not valid parameters; the message names the file.</exception>
    public static RouteHeadParameters Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return FromJson(File.ReadAllText(path));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Writes the file whole or not at all (<see cref="AtomicWrite"/>).</summary>
    public void Write(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        AtomicWrite.ReplaceFile(path, Encoding.UTF8.GetBytes(ToJson()));
    }
}

/// <summary>The abstention rules <see cref="RouteHeadParameters.AbstainRule"/> names (the file's values).</summary>
public static class AbstainRules
{
    public const string None = "none";
    public const string Posterior = "posterior";
    public const string Similarity = "similarity";
    public const string HeadMax = "head_max";
    public const string Energy = "energy";

    /// <summary>The rules <c>fit</c> tries, in order.</summary>
    public static IReadOnlyList<string> Fitted { get; } = [Posterior, Similarity, HeadMax, Energy];
}
