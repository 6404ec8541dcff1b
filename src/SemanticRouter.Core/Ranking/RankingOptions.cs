namespace SemanticRouter.Ranking;

/// <summary>
/// Settings of the <see cref="Ranker"/>. Every setter validates its value; a null
/// <see cref="RankingOptions"/> anywhere means "all defaults". See docs/ranking.md for the formulas; which
/// value wins when the defaults, a settings file, a route head and flags disagree is decided in one place,
/// <c>Settings.RankingSettingsResolver</c>.
/// </summary>
public sealed class RankingOptions
{
    public static RankingOptions Default { get; } = new();

    private int _k = 10;
    private double _temperature = 0.05;
    private double _utteranceStrength = 4;
    private double _routeStrength = 10;
    private double _costWeight;
    private double _defaultThreshold;
    private string? _fallbackRoute;
    private double _routeHeadWeight;
    private double _conversationDecay = 0.5;
    private double _textModelWeight = DefaultTextModelWeight;

    /// <summary>Neighbours that vote (k). Default 10.</summary>
    public int K
    {
        get => _k;
        set => _k = value is >= 1 and <= MaxK ? value : throw new ArgumentOutOfRangeException(nameof(value), value, $"K must be in [1, {MaxK}].");
    }

    /// <summary>
    /// Largest k anywhere: in a request, a settings file, a flag, the server's configuration. More votes than
    /// this is a mistake, not a setting, and it bounds the work one request can ask for (outcome routing on
    /// MMLU chose k 125; a grid of k 400 scales to 500).
    /// </summary>
    public const int MaxK = 1000;

    /// <summary>τ in w_i = exp((s_i − s_max)/τ). Small τ trusts the nearest neighbour; large τ approaches a plain vote. Default 0.05.</summary>
    public double Temperature
    {
        get => _temperature;
        set => _temperature = value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Temperature must be positive and finite.");
    }

    /// <summary>β_u: pseudo-trials with which an utterance's success estimate is shrunk towards its route's. Default 4.</summary>
    public double UtteranceSmoothingStrength
    {
        get => _utteranceStrength;
        set => _utteranceStrength = NonNegative(value);
    }

    /// <summary>β_r: pseudo-trials with which a route's success estimate is shrunk towards the route file's prior. Default 10.</summary>
    public double RouteSmoothingStrength
    {
        get => _routeStrength;
        set => _routeStrength = NonNegative(value);
    }

    /// <summary>λ in final = quality − λ·normalisedCost. Default 0 (quality only).</summary>
    public double CostWeight
    {
        get => _costWeight;
        set => _costWeight = NonNegative(value);
    }

    /// <summary>Abstention threshold on the top-1 similarity for routes that set none. Default 0.</summary>
    public double DefaultThreshold
    {
        get => _defaultThreshold;
        set => _defaultThreshold = value is >= -1 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "DefaultThreshold must be in [-1, 1].");
    }

    /// <summary>Route whose targets are ranked when the ranker abstains; null = none (rank as usual, flag the abstention).</summary>
    public string? FallbackRoute
    {
        get => _fallbackRoute;
        set => _fallbackRoute = value is null || !string.IsNullOrWhiteSpace(value) ? value : throw new ArgumentException("FallbackRoute must be null or a route name.", nameof(value));
    }

    /// <summary>
    /// α in P(r|q) = α·P_head(r) + (1−α)·P_knn(r): the route head's weight (<c>RouteHead.RouteHeadMath</c> blends;
    /// the ranker takes the result). Default 0.
    /// </summary>
    public double RouteHeadWeight
    {
        get => _routeHeadWeight;
        set => _routeHeadWeight = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "RouteHeadWeight must be in [0, 1].");
    }

    /// <summary>γ: weight of the previous turn when blending a conversation, in the query embedding and in the text model's estimate (the one before gets γ², …). Default 0.5.</summary>
    public double ConversationDecay
    {
        get => _conversationDecay;
        set => _conversationDecay = value is >= 0 and < 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "ConversationDecay must be in [0, 1).");
    }

    /// <summary>The default λ_t: what the inner splits chose on RouteLLM's MMLU outcomes in 4 of 5 folds (docs/evaluation.md).</summary>
    public const double DefaultTextModelWeight = 0.2;

    /// <summary>
    /// λ_t in Quality = (1 − λ_t)·Quality_knn + λ_t·P̂_text(m), where the text outcome model predicts m (it has
    /// enough outcomes with text); 0 turns it off. Default <see cref="DefaultTextModelWeight"/>.
    /// </summary>
    public double TextModelWeight
    {
        get => _textModelWeight;
        set => _textModelWeight = value is >= 0 and < 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "TextModelWeight must be in [0, 1).");
    }

    private double _qualityHeadWeight;
    private IReadOnlyList<string> _leftOutModels = [];

    /// <summary>
    /// β in Quality = (1 − β)·Quality_knn + β·head(m), where the request carries a quality head's estimates
    /// (<see cref="RankerInput.HeadEstimates"/>: the index's per-model ridge head, <see cref="RidgeQualityHead"/>);
    /// chosen by <c>fit --outcomes</c> on training folds. Default 0 (off).
    /// </summary>
    public double QualityHeadWeight
    {
        get => _qualityHeadWeight;
        set => _qualityHeadWeight = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "QualityHeadWeight must be in [0, 1].");
    }

    /// <summary>
    /// Models ranked only when a request names them as candidates: those <c>fit --outcomes</c> found beaten on
    /// the training prompts in both mean quality and mean cost by another model (when leaving them out won
    /// on the training folds). Default none.
    /// </summary>
    public IReadOnlyList<string> LeftOutModels
    {
        get => _leftOutModels;
        set => _leftOutModels = value is not null && value.All(m => !string.IsNullOrWhiteSpace(m))
            ? [.. value]
            : throw new ArgumentException("LeftOutModels must be a list of model names.", nameof(value));
    }

    public RankingOptions Clone() => (RankingOptions)MemberwiseClone();

    private static double NonNegative(double value, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be non-negative and finite.");
}
