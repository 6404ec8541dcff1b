using System.Globalization;
using System.Numerics.Tensors;
using System.Text.Json;
using SemanticRouter.Neighbors;
using SemanticRouter.Outcomes;
using SemanticRouter.Core.Tests.Embeddings;
using SemanticRouter.Ranking;
using SemanticRouter.Routes;

namespace SemanticRouter.Core.Tests.Ranking;

/// <summary>
/// The labelled conversation set against the real all-MiniLM-L6-v2 through the project's encoder,
/// exact search over tests/data/conversation-routes.jsonl: blending earlier turns must route
/// follow-ups like "and in Python?" better than the last turn alone. Prints the accuracy per γ.
/// </summary>
public class ConversationBenchmarkModelTests(EncoderFixture fixture) : IClassFixture<EncoderFixture>
{
    [Fact]
    public void RealModel_BlendingHelpsOnFollowUps()
    {
        float[] Embed(string text) => fixture.Encoder.Embed(text);

        var utterances = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "data", "conversation-routes.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => (Route: e.GetProperty("route").GetString()!, Text: e.GetProperty("utterance").GetString()!))
            .ToArray();
        var vectors = utterances.Select(u => Embed(u.Text)).ToArray();
        IReadOnlyList<Neighbor> Search(float[] q) => [.. utterances
            .Select((u, i) => new Neighbor(i, UtteranceKey.Of(u.Route, u.Text), u.Route, u.Text, TensorPrimitives.Dot(q, vectors[i])))
            .OrderByDescending(n => n.Similarity).Take(10)];

        var cases = ConversationBenchmark.Load(Path.Combine(AppContext.BaseDirectory, "data", "conversations.jsonl"));
        var lines = new List<string>();
        foreach (var decay in new[] { 0.0, 0.3, 0.5, 0.7, 0.9 })
        {
            var options = new RankingOptions { ConversationDecay = decay };
            var all = ConversationBenchmark.Evaluate(cases, Embed, Search, options);
            var followUps = ConversationBenchmark.Evaluate([.. cases.Where(c => c.Kind != "switch")], Embed, Search, options);
            var switches = ConversationBenchmark.Evaluate([.. cases.Where(c => c.Kind == "switch")], Embed, Search, options);
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"γ={decay:0.0}: last turn only → blended: all {all.LastTurnOnly:P0} → {all.Blended:P0}; follow-ups ({followUps.Cases}) {followUps.LastTurnOnly:P0} → {followUps.Blended:P0}; topic switches ({switches.Cases}) {switches.LastTurnOnly:P0} → {switches.Blended:P0}"));
        }

        var report = string.Join('\n', lines);
        TestContext.Current.TestOutputHelper!.WriteLine(report);
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "semantic-router-conversations.txt"), report + "\n");
        var defaults = ConversationBenchmark.Evaluate(cases, Embed, Search);
        Assert.True(defaults.Blended > defaults.LastTurnOnly, report);
    }
}
