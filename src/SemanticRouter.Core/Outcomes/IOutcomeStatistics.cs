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

    public SuccessCounts Add(double success, double weight) => new(Successes + (success * weight), Trials + weight);

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
