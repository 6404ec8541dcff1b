using System.Text.Json;
using System.Text.Json.Serialization;

namespace SemanticRouter.Evaluation;

/// <summary>
/// What <c>semantic-router fit</c> chose and <c>eval</c>/<c>serve</c> read (<c>router-params.json</c>).
/// Route posterior: P(r|q) = α·P_head(r|q) + (1−α)·P_knn(r|q), with P_head = softmax(logits/T) of the
/// route head (L2-regularised multinomial logistic regression on standardised embeddings) and
/// P_knn the similarity-weighted vote of the k nearest utterances, w_i = exp((s_i − s_max)/τ).
/// Abstain when the abstention score (rule <c>posterior</c>: max P(r|q); <c>similarity</c>: top-1
/// cosine; <c>head_max</c>: max softmax of the head at T = 1; <c>energy</c>: logsumexp of the head's
/// logits; <c>none</c>: never) is under <see cref="Threshold"/>. τ may be "Infinity" (a plain vote).
/// </summary>
public sealed record FittedParameters
{
    public const string SchemaId = "semantic-router/router-params/v1";

    [JsonPropertyName("schema")]
    public string Schema { get; init; } = SchemaId;

    [JsonPropertyName("k")]
    public int K { get; init; } = 10;

    [JsonPropertyName("tau")]
    public double Tau { get; init; } = 0.05;

    [JsonPropertyName("alpha")]
    public double Alpha { get; init; } = 0.5;

    [JsonPropertyName("head_temperature")]
    public double HeadTemperature { get; init; } = 1.0;

    [JsonPropertyName("head_l2")]
    public double HeadL2 { get; init; } = 1e-4;

    /// <summary>The head was trained with an extra out-of-scope class (examples from DIR/oos_train.jsonl).</summary>
    [JsonPropertyName("head_oos_class")]
    public bool HeadOutOfScopeClass { get; init; }

    [JsonPropertyName("abstain_rule")]
    public string AbstainRule { get; init; } = "none";

    [JsonPropertyName("threshold")]
    public double Threshold { get; init; }

    /// <summary>How the parameters were chosen (e.g. "5-fold CV on 10003 route utterances").</summary>
    [JsonPropertyName("fitted_on")]
    public string FittedOn { get; init; } = "";

    /// <summary>Held-out figures measured while fitting (accuracy, OOS recall, …); informational.</summary>
    [JsonPropertyName("fit_metrics")]
    public Dictionary<string, double> FitMetrics { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static FittedParameters FromJson(string json)
    {
        var p = JsonSerializer.Deserialize<FittedParameters>(json, Json) ?? throw new InvalidDataException("empty parameters file");
        if (p.Schema != SchemaId)
        {
            throw new InvalidDataException($"parameters schema '{p.Schema}' is not '{SchemaId}'");
        }

        return p;
    }
}
