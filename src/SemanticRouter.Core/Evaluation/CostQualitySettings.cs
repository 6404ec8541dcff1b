using System.Globalization;

namespace SemanticRouter.Evaluation;

/// <summary>
/// The settings of the cost-aware N-model router that the evaluation chooses on training folds: the
/// neighbours (k, τ) whose similarity-weighted outcomes and costs estimate each model's quality and
/// cost for a query, and the weight and ridge penalty of the per-model quality head blended in:
/// quality = (1 − β)·kNN + β·head; and whether models that another beats on the training prompts in
/// both mean quality and mean cost (Pareto-dominated) are left out of the candidates.
/// </summary>
public sealed record CostQualitySettings(int K, double Temperature, double HeadWeight, double HeadL2, bool PruneDominated = false)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"k {K}, τ {Temperature}, head β {HeadWeight}, ridge α {HeadL2}, dominated models {(PruneDominated ? "left out" : "kept")}");
}

/// <summary>The values the training folds choose among.</summary>
public sealed record CostQualityGrid(int[] K, double[] Temperature, double[] HeadWeight, double[] HeadL2, bool[]? PruneDominated = null)
{
    /// <summary>
    /// The default grid: wide enough that the chosen k, τ and β were interior on RouterBench's training
    /// splits (docs/evaluation.md#routerbench), set before any test figure was looked at.
    /// </summary>
    public static CostQualityGrid Default { get; } = new([10, 20, 40, 80, 160, 320, 640], [0.02, 0.05, 0.1, 0.2], [0, 0.25, 0.5, 0.75, 1], [10, 100, 1000], [false, true]);

    public IEnumerable<CostQualitySettings> All() =>
        from k in K
        from t in Temperature
        from b in HeadWeight
        from a in b > 0 ? HeadL2 : HeadL2[..1] // β = 0 ignores the head: its penalty does not matter
        from p in PruneDominated ?? [false]
        select new CostQualitySettings(k, t, b, a, p);
}

/// <summary>
/// The one mapping from what the cost–quality evaluation chose to what `serve` ranks with, so that the
/// index ranks each query as <see cref="CostQualityEvaluation"/> scored it: the neighbours' own outcomes
/// (β_u = 0: an utterance with outcomes for a model is its observed rate, unshrunk; no text model), k and τ,
/// the ridge head fitted on every training prompt with its weight, the left-out (dominated) models, and the
/// long-input policy the embeddings were read with.
/// </summary>
public static class CostQualityServing
{
    public static Settings.RankingSettingsFile SettingsFile(CostQualitySet train, CostQualitySettings chosen, Embeddings.LongInputPolicy longInput, string fittedOn, double cvAiq)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(chosen);
        Ranking.QualityHeadFile? head = null;
        if (chosen.HeadWeight > 0)
        {
            head = Ranking.RidgeQualityHead.Fit(train.Matrix, train.Dimensions, train.Scores, train.ModelCount, chosen.HeadL2).ToFile(train.Models, chosen.HeadL2);
        }

        var dominated = CostQualityPredictions.Dominated(train);
        return new Settings.RankingSettingsFile
        {
            K = chosen.K,
            Temperature = chosen.Temperature,
            UtteranceSmoothing = 0,
            TextModelWeight = 0,
            RouteHeadWeight = 0,
            QualityHeadWeight = chosen.HeadWeight,
            QualityHead = head,
            LeftOutModels = chosen.PruneDominated ? [.. train.Models.Where((_, j) => dominated[j])] : null,
            LongInput = Embeddings.LongInputPolicies.Name(longInput),
            FittedOn = fittedOn,
            FitMetrics = new Dictionary<string, double> { ["cv_aiq"] = Math.Round(cvAiq, 6) },
        };
    }
}
