using SemanticRouter.Routes;

namespace SemanticRouter.Outcomes;

/// <summary>
/// Observed success of one target model on one key (an utterance or a route): a possibly fractional
/// count of successes over trials. Fractional because an outcome reported for a query credits each
/// neighbour it was ranked from in proportion to that neighbour's weight.
/// </summary>
public readonly record struct SuccessCounts(double Successes, double Trials)
{
    public static SuccessCounts None => default;

    /// <summary>
    /// Σ weight · cost (US dollars) of the outcomes that carried the call's cost (issue 29): what the
    /// ranker's cost term reads as the expected cost of the model near this key.
    /// </summary>
    public double CostSum { get; init; }

    /// <summary>Σ weight of the outcomes that carried a cost (an outcome without one adds nothing here).</summary>
    public double CostTrials { get; init; }

    /// <summary>The weighted mean observed cost, or null when no outcome carried one.</summary>
    public double? MeanCost => CostTrials > 0 ? CostSum / CostTrials : null;

    public SuccessCounts Add(double success, double weight) => this with { Successes = Successes + (success * weight), Trials = Trials + weight };

    /// <summary>Adds one outcome, with its call's cost when known.</summary>
    public SuccessCounts Add(double success, double weight, double? costUsd) => costUsd is { } cost
        ? this with { Successes = Successes + (success * weight), Trials = Trials + weight, CostSum = CostSum + (cost * weight), CostTrials = CostTrials + weight }
        : Add(success, weight);

    /// <summary>Beta-smoothed success rate: (successes + strength·prior) / (trials + strength).</summary>
    public double Smoothed(double prior, double strength) =>
        (Successes + (strength * prior)) / (Trials + strength);
}

/// <summary>
/// Read side of the outcome store: what the ranker asks while scoring. Implementations are
/// thread-safe and answer from memory (never I/O on the ranking path).
/// </summary>
public interface IOutcomeStatistics
{
    /// <summary>Counts for <paramref name="model"/> on one utterance, identified by <see cref="UtteranceKey"/>.</summary>
    SuccessCounts ForUtterance(UtteranceKey utterance, string model);

    /// <summary>Counts for <paramref name="model"/> over all outcomes credited to a route.</summary>
    SuccessCounts ForRoute(string route, string model);
}
