using SemanticRouter.Routes;

namespace SemanticRouter.Neighbors;

/// <summary>One indexed utterance: its id in the vector index, its route and its text (a row of an artefact's <c>utterances.jsonl</c>).</summary>
public sealed record UtteranceEntry(int Id, string Route, string Text)
{
    /// <summary>Stable identity across rebuilds (outcome statistics are keyed by it).</summary>
    public UtteranceKey Key { get; } = UtteranceKey.Of(Route, Text);
}
