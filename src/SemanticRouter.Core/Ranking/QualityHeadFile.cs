using System.Text.Json.Serialization;

namespace SemanticRouter.Ranking;

/// <summary>
/// A fitted <see cref="RidgeQualityHead"/> as <c>ranking-options.json</c> carries it (<c>quality_head</c>), so
/// the index holds the head `fit --outcomes` chose and `serve` predicts with the numbers `eval` measured
/// (JSON doubles round-trip exactly).
/// </summary>
public sealed record QualityHeadFile
{
    /// <summary>The models, in the order of <see cref="Intercepts"/> and <see cref="Weights"/>.</summary>
    [JsonPropertyName("models")]
    public required string[] Models { get; init; }

    /// <summary>The ridge penalty α it was fitted with (informational).</summary>
    [JsonPropertyName("l2")]
    public double L2 { get; init; }

    /// <summary>x̄: the training embeddings' mean, one number per dimension.</summary>
    [JsonPropertyName("mean")]
    public required float[] Mean { get; init; }

    /// <summary>ȳ_m: each model's mean training outcome.</summary>
    [JsonPropertyName("intercepts")]
    public required double[] Intercepts { get; init; }

    /// <summary>w_m: per model, one weight per dimension.</summary>
    [JsonPropertyName("weights")]
    public required double[][] Weights { get; init; }
}
