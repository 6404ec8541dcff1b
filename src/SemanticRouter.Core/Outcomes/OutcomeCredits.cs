using SemanticRouter.Routes;

namespace SemanticRouter.Outcomes;

/// <summary>An utterance credited by an outcome, with its share of the outcome (normalised weight).</summary>
public readonly record struct UtteranceCredit(UtteranceKey Key, double Weight);

/// <summary>A route credited by an outcome, with its share of the outcome.</summary>
public readonly record struct RouteCredit(string Route, double Weight);

/// <summary>
/// Where an outcome's evidence goes: each utterance credit adds (score·w, w) to that utterance's
/// counts for the model, each route credit the same to the route's counts. Computed by the engine
/// (<c>Engine.OutcomeCrediting</c>, from the ranking or the text's neighbours) and handed to the store.
/// </summary>
public sealed record OutcomeCredits(IReadOnlyList<UtteranceCredit> Utterances, IReadOnlyList<RouteCredit> Routes)
{
    public static OutcomeCredits None { get; } = new([], []);

    /// <summary>
    /// The text of the ranked query, remembered with a ranking's credits so that an outcome reported by
    /// request id is stored with its text and teaches the text outcome model too. Not part of the credits' encoding.
    /// </summary>
    public string? QueryText { get; init; }

    public bool IsEmpty => Utterances.Count == 0 && Routes.Count == 0;
}
