using SemanticRouter.Neighbors;
using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;
using SemanticRouter.Routes;

namespace SemanticRouter.Core.Tests.Ranking;

/// <summary>Outcome statistics driven by dictionaries (no mocking library).</summary>
internal sealed class FakeStatistics : IOutcomeStatistics
{
    public Dictionary<(UtteranceKey, string), SuccessCounts> Utterances { get; } = [];

    public Dictionary<(string, string), SuccessCounts> Routes { get; } = [];

    public SuccessCounts ForUtterance(UtteranceKey utterance, string model) => Utterances.GetValueOrDefault((utterance, model));

    public SuccessCounts ForRoute(string route, string model) => Routes.GetValueOrDefault((route, model));
}

internal static class RankingFixtures
{
    /// <summary>coding → gpt (0.8), coder (0.9); maths → gpt (0.7), math (0.95); chat → small (0.6), gpt (0.9).</summary>
    public static RoutingTable Table(double? codingThreshold = null) => new(
        [
            new RouteTargets("coding", [new("gpt", 0.8), new("coder", 0.9)], codingThreshold),
            new RouteTargets("maths", [new("gpt", 0.7), new("math", 0.95)]),
            new RouteTargets("chat", [new("small", 0.6), new("gpt", 0.9)]),
        ],
        [
            new ModelCost("gpt", 10, 30),
            new ModelCost("coder", 1, 3),
            new ModelCost("math", 2, 6),
            new ModelCost("small", 0.1, 0.3),
        ]);

    public static Neighbor N(int id, string route, float similarity) =>
        new(id, UtteranceKey.Of(route, $"u{id}"), route, $"u{id}", similarity);
}
